package testcluster

import (
	"context"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
)

//go:embed metrics-server-version
var metricsServerVersionFile string

// MetricsServerVersion is the pinned metrics-server release the harness
// runs, read from the file metrics-server-version, which
// scripts/metrics-server.sh also reads.
var MetricsServerVersion = strings.TrimSpace(metricsServerVersionFile)

// envMetricsServer overrides where the metrics-server binary is found.
const envMetricsServer = "KFSUI_METRICS_SERVER"

// MetricsResolution is how often the harness's metrics-server scrapes the
// kubelet: the shortest interval metrics-server accepts, so tests wait as
// little as they can for figures. A pod's CPU is a rate over two scrapes,
// so its first figures come one resolution after the server starts.
const MetricsResolution = 10 * time.Second

// metricsAPITimeout bounds the wait for the aggregator to mark
// v1beta1.metrics.k8s.io Available once metrics-server runs.
const metricsAPITimeout = 90 * time.Second

// Names of what StartMetricsServer creates in the cluster, as the
// upstream manifests name them.
const (
	metricsServerUser      = "system:metrics-server"
	metricsServerNamespace = "kube-system"
	metricsServerService   = "metrics-server"
	// MetricsAPIService is the APIService that routes metrics.k8s.io
	// through the aggregation layer to metrics-server.
	MetricsAPIService = "v1beta1.metrics.k8s.io"
)

var apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// MetricsServerPath returns the metrics-server binary to run:
// $KFSUI_METRICS_SERVER if set, else the one scripts/metrics-server.sh
// builds, ${XDG_CACHE_HOME:-~/.cache}/kfsui/metrics-server/<version>/.
func MetricsServerPath() (string, error) {
	return cachedProgram(envMetricsServer, "metrics-server", MetricsServerVersion, "scripts/metrics-server.sh")
}

// StartMetricsServer runs the pinned metrics-server against the cluster,
// as a real cluster runs it: with a client certificate of its own and the
// upstream manifests' RBAC, scraping the fake kubelet's /metrics/resource
// with --kubelet-insecure-tls, served through the aggregation layer as
// v1beta1.metrics.k8s.io. Without kube-proxy the aggregator reaches its
// loopback port through a Service of type ExternalName pointing at
// localhost (Endpoints refuse loopback addresses). It returns once the
// APIService is Available; the first figures follow one
// MetricsResolution later. A second call does nothing. Stop stops it.
//
// It is not part of Start: most tests need no metrics, and a cluster's
// start should not wait for them.
func (c *Cluster) StartMetricsServer(ctx context.Context) error {
	c.metricsMu.Lock()
	defer c.metricsMu.Unlock()
	if c.metricsServer != nil {
		return nil
	}
	bin, err := MetricsServerPath()
	if err != nil {
		return err
	}
	if err := c.writeMetricsServerCredentials(); err != nil {
		return err
	}
	if err := c.grantMetricsServer(ctx); err != nil {
		return err
	}
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	kubeconfig := c.path("metrics-server.kubeconfig")
	args := []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[0]),
		"--tls-cert-file=" + c.path("metrics-server.crt"),
		"--tls-private-key-file=" + c.path("metrics-server.key"),
		"--kubelet-insecure-tls",
		"--kubelet-use-node-status-port",
		"--kubelet-preferred-address-types=InternalIP",
		"--metric-resolution=" + MetricsResolution.String(),
		// It must stay below the resolution.
		"--kubelet-request-timeout=5s",
	}
	p, err := startProcess("metrics-server", c.path("metrics-server.log"), bin, args)
	if err != nil {
		return err
	}
	c.metricsServer, c.metricsPort = p, ports[0]
	// The aggregator checks a new APIService at once and, if its server
	// does not answer yet, only again after a backoff of many seconds:
	// register it once metrics-server serves.
	if err := c.waitMetricsServing(ctx); err != nil {
		return err
	}
	if err := c.registerMetricsAPI(ctx); err != nil {
		return err
	}
	return c.waitMetricsAPI(ctx)
}

// writeMetricsServerCredentials writes metrics-server's kubeconfig (its
// client certificate) and its serving certificate, valid for the name the
// aggregator checks, <service>.<namespace>.svc.
func (c *Cluster) writeMetricsServerCredentials() error {
	certPEM, keyPEM, err := c.ca.issue(certRequest{commonName: metricsServerUser})
	if err != nil {
		return err
	}
	if err := writeKubeconfig(c.path("metrics-server.kubeconfig"), c.Server, c.ca.certPEM, metricsServerUser, certPEM, keyPEM); err != nil {
		return err
	}
	serving, servingKey, err := c.ca.issue(certRequest{
		commonName: metricsServerService,
		server:     true,
		ips:        []net.IP{net.ParseIP("127.0.0.1")},
		dnsNames:   []string{metricsServerService + "." + metricsServerNamespace + ".svc", "localhost"},
	})
	if err != nil {
		return err
	}
	return writeFiles(map[string][]byte{
		c.path("metrics-server.crt"): serving,
		c.path("metrics-server.key"): servingKey,
	})
}

// grantMetricsServer creates the RBAC of metrics-server's upstream
// manifests for its user: reading nodes, pods and the kubelets' metrics,
// delegating authentication and authorization to the apiserver, reading
// the request-header configuration; and the aggregated reader role that
// gives the view, edit and admin roles the metrics.
func (c *Cluster) grantMetricsServer(ctx context.Context) error {
	rbac := c.clientset.RbacV1()
	user := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: metricsServerUser}}
	aggregate := map[string]string{
		"rbac.authorization.k8s.io/aggregate-to-view":  "true",
		"rbac.authorization.k8s.io/aggregate-to-edit":  "true",
		"rbac.authorization.k8s.io/aggregate-to-admin": "true",
	}
	read := []string{"get", "list", "watch"}
	clusterRoles := []*rbacv1.ClusterRole{
		{
			ObjectMeta: metav1.ObjectMeta{Name: "system:metrics-server"},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"nodes/metrics"}, Verbs: []string{"get"}},
				{APIGroups: []string{""}, Resources: []string{"pods", "nodes"}, Verbs: read},
			},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "system:aggregated-metrics-reader", Labels: aggregate},
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"metrics.k8s.io"}, Resources: []string{"pods", "nodes"}, Verbs: read}},
		},
	}
	bindings := []*rbacv1.ClusterRoleBinding{
		{
			ObjectMeta: metav1.ObjectMeta{Name: "system:metrics-server"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:metrics-server"},
			Subjects:   user,
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "metrics-server:system:auth-delegator"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:auth-delegator"},
			Subjects:   user,
		},
	}
	for _, r := range clusterRoles {
		if _, err := rbac.ClusterRoles().Create(ctx, r, metav1.CreateOptions{}); ignoreExists(err) != nil {
			return fmt.Errorf("creating ClusterRole %s: %w", r.Name, err)
		}
	}
	for _, b := range bindings {
		if _, err := rbac.ClusterRoleBindings().Create(ctx, b, metav1.CreateOptions{}); ignoreExists(err) != nil {
			return fmt.Errorf("creating ClusterRoleBinding %s: %w", b.Name, err)
		}
	}
	reader := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "metrics-server-auth-reader", Namespace: metricsServerNamespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "extension-apiserver-authentication-reader"},
		Subjects:   user,
	}
	if _, err := rbac.RoleBindings(metricsServerNamespace).Create(ctx, reader, metav1.CreateOptions{}); ignoreExists(err) != nil {
		return fmt.Errorf("creating RoleBinding %s: %w", reader.Name, err)
	}
	return nil
}

// RegisterMetricsAPI creates the Service and the APIService that route
// metrics.k8s.io to the running metrics-server, again after
// UnregisterMetricsAPI, and waits until the aggregator marks it
// Available.
func (c *Cluster) RegisterMetricsAPI(ctx context.Context) error {
	c.metricsMu.Lock()
	defer c.metricsMu.Unlock()
	if c.metricsServer == nil {
		return errors.New("registering metrics.k8s.io: metrics-server is not running (StartMetricsServer)")
	}
	if err := c.registerMetricsAPI(ctx); err != nil {
		return err
	}
	return c.waitMetricsAPI(ctx)
}

// UnregisterMetricsAPI deletes the APIService, so that metrics.k8s.io is
// no longer served, as on a cluster without metrics-server; the process
// keeps running for RegisterMetricsAPI.
func (c *Cluster) UnregisterMetricsAPI(ctx context.Context) error {
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	err = dyn.Resource(apiServiceResource).Delete(ctx, MetricsAPIService, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting APIService %s: %w", MetricsAPIService, err)
	}
	return nil
}

// registerMetricsAPI creates the ExternalName Service and the APIService,
// trusting metrics-server's serving certificate through the cluster CA.
func (c *Cluster) registerMetricsAPI(ctx context.Context) error {
	port := int32(c.metricsPort)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: metricsServerService, Namespace: metricsServerNamespace},
		Spec: corev1.ServiceSpec{
			Type:         corev1.ServiceTypeExternalName,
			ExternalName: "localhost",
			Ports:        []corev1.ServicePort{{Name: "https", Port: port, TargetPort: intstr.FromInt32(port)}},
		},
	}
	if _, err := c.clientset.CoreV1().Services(metricsServerNamespace).Create(ctx, svc, metav1.CreateOptions{}); ignoreExists(err) != nil {
		return fmt.Errorf("creating Service %s: %w", metricsServerService, err)
	}
	apiService := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": MetricsAPIService},
		"spec": map[string]any{
			"group":                "metrics.k8s.io",
			"version":              "v1beta1",
			"groupPriorityMinimum": int64(100),
			"versionPriority":      int64(100),
			"caBundle":             base64.StdEncoding.EncodeToString(c.ca.certPEM),
			"service": map[string]any{
				"namespace": metricsServerNamespace,
				"name":      metricsServerService,
				"port":      int64(port),
			},
		},
	}}
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	if _, err := dyn.Resource(apiServiceResource).Create(ctx, apiService, metav1.CreateOptions{}); ignoreExists(err) != nil {
		return fmt.Errorf("creating APIService %s: %w", MetricsAPIService, err)
	}
	return nil
}

// waitMetricsServing polls metrics-server's /livez, which it serves to
// anyone, until it answers.
func (c *Cluster) waitMetricsServing(ctx context.Context) error {
	return waitHealthy(ctx, c.metricsServer, metricsAPITimeout, "https://127.0.0.1:"+strconv.Itoa(c.metricsPort)+"/livez")
}

// waitMetricsAPI polls the APIService until its Available condition is
// True, failing early if metrics-server exits.
func (c *Cluster) waitMetricsAPI(ctx context.Context) error {
	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	last := "not read yet"
	return poll(ctx, c.metricsServer, metricsAPITimeout, func() bool {
		obj, err := dyn.Resource(apiServiceResource).Get(ctx, MetricsAPIService, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false
		}
		conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
		for _, cond := range conditions {
			m, _ := cond.(map[string]any)
			if m["type"] == "Available" {
				last = fmt.Sprintf("Available=%v: %v", m["status"], m["message"])
				return m["status"] == "True"
			}
		}
		last = "no Available condition yet"
		return false
	}, func() string { return "APIService " + MetricsAPIService + ": " + last })
}

// ignoreExists treats an object that is already there as created, so the
// set-up can run again on a cluster that has it.
func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
