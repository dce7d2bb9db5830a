package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/kubectl/pkg/metricsutil"
	metricsapi "k8s.io/metrics/pkg/apis/metrics"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kfsui/kfsui/k8s"
)

// TopOptions are kubectl top's: which pods or nodes, and how to print
// them.
type TopOptions struct {
	Name          string // one pod or node; "" for all
	Namespace     string // pods: the namespace, unless AllNamespaces
	AllNamespaces bool
	LabelSelector string
	FieldSelector string // pods only
	SortBy        string // "", "cpu" or "memory"
	NoHeaders     bool
	Containers    bool // pods: a line per container
	Sum           bool // pods: a line with the totals
	ShowSwap      bool
}

// metricsCreationDelay is how young a pod without metrics may be before
// kubectl top calls its missing metrics an error.
const metricsCreationDelay = 2 * time.Minute

// validate checks what kubectl top checks before it sends anything.
func (o TopOptions) validate(nodes bool) error {
	if o.SortBy != "" && o.SortBy != "cpu" && o.SortBy != "memory" {
		return errors.New("--sort-by accepts only cpu or memory")
	}
	if o.Name != "" && (o.LabelSelector != "" || o.FieldSelector != "") {
		if nodes {
			return errors.New("only one of NAME or --selector can be provided")
		}
		return errors.New("only one of NAME or selector can be provided")
	}
	if _, err := labels.Parse(o.LabelSelector); err != nil {
		return err
	}
	_, err := fields.ParseSelector(o.FieldSelector)
	return err
}

// TopPods prints the pods' usage exactly as kubectl top pod does, with
// kubectl's own printer, from one list of PodMetrics; notes (no pods)
// go to errOut, as kubectl's.
func TopPods(ctx context.Context, conn *k8s.Conn, out, errOut io.Writer, o TopOptions) error {
	if err := o.validate(false); err != nil {
		return err
	}
	if err := metricsServed(ctx, conn); err != nil {
		return err
	}
	ns := o.Namespace
	if o.AllNamespaces {
		ns = ""
	}
	var versioned []metricsv1beta1.PodMetrics
	if o.Name != "" {
		m, err := conn.PodMetricsOf(ctx, ns, o.Name)
		if err != nil {
			return err
		}
		versioned = append(versioned, m)
	} else {
		items, err := conn.PodMetrics(ctx, ns, o.LabelSelector, o.FieldSelector)
		if err != nil {
			return err
		}
		versioned = items
	}
	metrics := make([]metricsapi.PodMetrics, len(versioned))
	for i := range versioned {
		if err := metricsv1beta1.Convert_v1beta1_PodMetrics_To_metrics_PodMetrics(&versioned[i], &metrics[i], nil); err != nil {
			return err
		}
	}
	if len(metrics) == 0 {
		if err := whyNoPodMetrics(ctx, conn, o); err != nil {
			return err
		}
		if o.AllNamespaces {
			fmt.Fprintln(errOut, "No resources found")
		} else {
			fmt.Fprintf(errOut, "No resources found in %s namespace.\n", o.Namespace)
		}
	}
	printer := metricsutil.NewTopCmdPrinter(out, o.ShowSwap)
	return printer.PrintPodMetrics(metrics, o.Containers, o.AllNamespaces, o.NoHeaders, o.SortBy, o.Sum)
}

// whyNoPodMetrics is kubectl's check after an empty list: pods old enough
// to have been scraped mean the metrics are missing, not yet to come.
// (kubectl lists the pods of the current namespace here even with -A;
// so does this.)
func whyNoPodMetrics(ctx context.Context, conn *k8s.Conn, o TopOptions) error {
	pods, err := conn.Pods(ctx, o.Namespace, o.LabelSelector, o.FieldSelector)
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return nil
	}
	for _, p := range pods {
		if age := time.Since(p.CreationTimestamp.Time); age > metricsCreationDelay {
			return fmt.Errorf("Metrics not available for pod %s/%s, age: %s", p.Namespace, p.Name, age.String()) //nolint:staticcheck // kubectl's words
		}
	}
	return errors.New("metrics not available yet")
}

// TopNodes prints the nodes' usage exactly as kubectl top node does:
// usage against allocatable, from one list of NodeMetrics and one of
// Nodes.
func TopNodes(ctx context.Context, conn *k8s.Conn, out io.Writer, o TopOptions) error {
	if err := o.validate(true); err != nil {
		return err
	}
	if err := metricsServed(ctx, conn); err != nil {
		return err
	}
	sel := o.LabelSelector
	if o.Name != "" {
		sel = ""
	}
	versioned, err := conn.NodeMetrics(ctx, sel)
	if err != nil {
		return err
	}
	var metrics []metricsapi.NodeMetrics
	for i := range versioned {
		if o.Name != "" && versioned[i].Name != o.Name {
			continue
		}
		var m metricsapi.NodeMetrics
		if err := metricsv1beta1.Convert_v1beta1_NodeMetrics_To_metrics_NodeMetrics(&versioned[i], &m, nil); err != nil {
			return err
		}
		metrics = append(metrics, m)
	}
	if len(metrics) == 0 {
		if o.Name != "" {
			return fmt.Errorf("nodemetrics.metrics.k8s.io %q not found", o.Name)
		}
		return errors.New("metrics not available yet")
	}
	nodes, err := conn.Nodes(ctx, sel)
	if err != nil {
		return err
	}
	printer := metricsutil.NewTopCmdPrinter(out, o.ShowSwap)
	available := map[string]corev1.ResourceList{}
	for _, n := range nodes {
		if o.Name != "" && n.Name != o.Name {
			continue
		}
		available[n.Name] = n.Status.Allocatable
		if s := n.Status.NodeInfo.Swap; s != nil && s.Capacity != nil {
			available[n.Name][metricsutil.ResourceSwap] = *resource.NewQuantity(*s.Capacity, resource.BinarySI)
		} else {
			printer.RegisterMissingResource(n.Name, metricsutil.ResourceSwap)
		}
	}
	return printer.PrintNodeMetrics(metrics, available, o.NoHeaders, o.SortBy)
}

// metricsServed fails as kubectl top does when metrics.k8s.io is not
// served.
func metricsServed(ctx context.Context, conn *k8s.Conn) error {
	ok, err := conn.MetricsServed(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("Metrics API not available") //nolint:staticcheck // kubectl's words
	}
	return nil
}
