// Package testcluster runs a real kube-apiserver, backed by a private etcd,
// on the loopback interface, for kfsui's end-to-end tests and for a local
// demo cluster.
//
// Fakes do not do discovery, field selectors, pagination, RBAC or watch
// semantics the way a server does, so behaviour that involves the cluster
// is tested against the real thing. kube-controller-manager (every default
// controller) and kube-scheduler run too, so a Deployment gets ReplicaSets
// and pods, owner references and events are the real ones, and a rollout
// makes revisions. A cluster is up in about 5 s on two cores: etcd and the
// apiserver take most of it, the controllers about one more second.
//
// There is one Node, whose kubelet is a fake one running in the process
// that called Start (see Kubelet). It runs every pod bound to the node, by
// the scheduler or by its spec: it registers the containers (empty logs)
// and posts the status a kubelet would once they started, Running and
// Ready; it finishes off pods being deleted and keeps the node's Lease
// fresh. The apiserver proxies pods/log requests to it over TLS exactly as
// to a real kubelet, so log streaming is tested end to end; tests create
// pods on the node with Cluster.CreatePod and script what their containers
// log (and, for metrics-server's scrapes of /metrics/resource, what they
// use: Kubelet.SetUsage):
//
//	pod, _ := c.CreatePod(ctx, ns, "p", []string{"app"}, nil)
//	c.Kubelet().Write(ns, pod.Name, "app", "hello")
//	stream, _ := c.Clientset().CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{Follow: true}).Stream(ctx)
//
// The binaries come from the pinned Kubernetes release in the file
// kube-version (see Version and BinDir); scripts/kube-binaries.sh builds and
// caches them. etcd comes from the system (see EtcdPath).
//
// A test package uses one cluster for all its tests:
//
//	func TestMain(m *testing.M) { os.Exit(testcluster.RunMain(m)) }
//
//	func TestSomething(t *testing.T) {
//		c := testcluster.Shared(t)
//		cs := c.Clientset()
//		...
//	}
//
// metrics-server (the pinned release in metrics-server-version, built by
// scripts/metrics-server.sh) runs on demand: Cluster.StartMetricsServer
// registers it through the aggregation layer as v1beta1.metrics.k8s.io,
// scraping the fake kubelet. A package that needs it takes WithMetrics, a
// cluster of its own, so that taking the API away and back does not
// disturb the tests of the shared cluster.
//
// Setting KFSUI_SKIP_E2E=1 skips every test that asks for the cluster, and
// says so loudly, so a machine without the binaries can still run the rest.
//
// # Concurrency
//
// A Cluster's methods, and its Kubelet's, are safe to call from any
// goroutine once Start has returned it; Stop may be called more than once
// and from any goroutine. The fake kubelet serves from goroutines of its
// own until Stop.
// Tests sharing a cluster share its state: each should work in its own
// namespaces or with names it owns.
package testcluster
