package k8s

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// The resource metrics API that metrics-server serves through the
// aggregation layer: what kubectl top, the autoscalers and kfsui's
// metrics columns read.
const (
	MetricsGroup   = "metrics.k8s.io"
	MetricsVersion = "v1beta1"
)

// MetricsServed reports whether the server offers metrics.k8s.io/v1beta1,
// asking for the groups as kubectl top does: one request, fresh, since the
// group comes and goes with metrics-server's APIService.
func (c *Conn) MetricsServed(ctx context.Context) (bool, error) {
	groups, err := c.discovery.ServerGroups()
	if err != nil {
		return false, err
	}
	for _, g := range groups.Groups {
		if g.Name != MetricsGroup {
			continue
		}
		for _, v := range g.Versions {
			if v.Version == MetricsVersion {
				return true, nil
			}
		}
	}
	return false, ctx.Err()
}

// PodMetrics lists the PodMetrics of a namespace ("" for every namespace)
// in one request, narrowed by the selectors (either may be "").
func (c *Conn) PodMetrics(ctx context.Context, namespace, labelSelector, fieldSelector string) ([]metricsv1beta1.PodMetrics, error) {
	list := &metricsv1beta1.PodMetricsList{}
	raw, err := c.core.CoreV1().RESTClient().Get().AbsPath("/apis", MetricsGroup, MetricsVersion).
		Namespace(namespace).Resource("pods").
		Param("labelSelector", labelSelector).Param("fieldSelector", fieldSelector).
		DoRaw(ctx)
	if err := decodeMetrics(raw, err, list); err != nil {
		return nil, err
	}
	return list.Items, nil
}

// PodMetricsOf reads the PodMetrics of one pod.
func (c *Conn) PodMetricsOf(ctx context.Context, namespace, name string) (metricsv1beta1.PodMetrics, error) {
	var m metricsv1beta1.PodMetrics
	raw, err := c.core.CoreV1().RESTClient().Get().AbsPath("/apis", MetricsGroup, MetricsVersion).
		Namespace(namespace).Resource("pods").Name(name).DoRaw(ctx)
	return m, decodeMetrics(raw, err, &m)
}

// NodeMetrics lists the NodeMetrics of every node, or of those
// labelSelector matches, in one request.
func (c *Conn) NodeMetrics(ctx context.Context, labelSelector string) ([]metricsv1beta1.NodeMetrics, error) {
	list := &metricsv1beta1.NodeMetricsList{}
	raw, err := c.core.CoreV1().RESTClient().Get().AbsPath("/apis", MetricsGroup, MetricsVersion, "nodes").
		Param("labelSelector", labelSelector).DoRaw(ctx)
	if err := decodeMetrics(raw, err, list); err != nil {
		return nil, err
	}
	return list.Items, nil
}

// Nodes lists the nodes labelSelector matches ("" for all), for what their
// metrics are measured against.
func (c *Conn) Nodes(ctx context.Context, labelSelector string) ([]corev1.Node, error) {
	list, err := c.core.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: labelSelector})
	if err != nil {
		return nil, fmt.Errorf("listing nodes: %w", err)
	}
	return list.Items, nil
}

// Pods lists the pods of a namespace the selectors match, in one request.
func (c *Conn) Pods(ctx context.Context, namespace, labelSelector, fieldSelector string) ([]corev1.Pod, error) {
	list, err := c.core.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: labelSelector, FieldSelector: fieldSelector})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// decodeMetrics decodes a metrics list. The metrics types are in no
// scheme kfsui's clients know, and need none: the answer is plain JSON.
func decodeMetrics(raw []byte, err error, into any) error {
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decoding metrics: %w", err)
	}
	return nil
}
