package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// metricsWait bounds waits for metrics-server's figures: two scrapes
// (a pod's CPU is a rate over two) and some slack for a loaded runner.
const metricsWait = 4*testcluster.MetricsResolution + 20*time.Second

var metricsNS atomic.Int32

// metricsNamespace creates a namespace of its own on the cluster with
// metrics-server.
func metricsNamespace(t *testing.T, c *testcluster.Cluster, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("e2e-%s-%d", prefix, metricsNS.Add(1))
	_, err := c.Clientset().CoreV1().Namespaces().Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	waitNamespaceSettled(t, c, name)
	return name
}

// meteredPod creates a running pod whose containers use what usage gives
// them (in millicores and MiB), as the fake kubelet reports it.
func meteredPod(t *testing.T, c *testcluster.Cluster, ns, name string, usage map[string][2]int64) {
	t.Helper()
	var containers []string
	for cont := range usage {
		containers = append(containers, cont)
	}
	pod, err := c.CreatePod(ctx(t), ns, name, containers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitRunning(ctx(t), pod); err != nil {
		t.Fatal(err)
	}
	for cont, u := range usage {
		c.Kubelet().SetUsage(ns, name, cont, testcluster.Usage{MilliCPU: u[0], Memory: u[1] << 20})
	}
}

// kubectlTop runs the pinned kubectl top against c.
func kubectlTop(t *testing.T, c *testcluster.Cluster, args ...string) (string, error) {
	t.Helper()
	out, err := c.Kubectl(ctx(t), append([]string{"top"}, args...)...)
	return string(out), err
}

// TestE2EMetricsServerServesKubectlTop checks the harness's metrics-server
// end to end: the fake kubelet's scripted usage, scraped by the real
// metrics-server through --kubelet-insecure-tls, reaches kubectl top
// through the aggregation layer.
func TestE2EMetricsServerServesKubectlTop(t *testing.T) {
	t.Parallel()
	c := testcluster.WithMetrics(t)
	ns := metricsNamespace(t, c, "mstop")
	meteredPod(t, c, ns, "busy", map[string][2]int64{"app": {300, 64}, "sidecar": {20, 16}})
	meteredPod(t, c, ns, "idle", map[string][2]int64{"app": {1, 8}})

	var out string
	eventually(t, "kubectl top pods to show the scripted usage", metricsWait, func() bool {
		var err error
		out, err = kubectlTop(t, c, "pods", "-n", ns)
		return err == nil && strings.Contains(out, "busy") && strings.Contains(out, "idle")
	}, func() string { return out })
	fields := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(line)
		fields[f[0]] = f[1:]
	}
	// The CPU is a rate over two scrapes of a counter: within a
	// millicore or two of what was scripted.
	if !near(fields["busy"][0], 320) || fields["busy"][1] != "80Mi" {
		t.Errorf("busy pod: want about 320m and 80Mi, got %v in\n%s", fields["busy"], out)
	}
	if !near(fields["idle"][0], 1) || fields["idle"][1] != "8Mi" {
		t.Errorf("idle pod: want about 1m and 8Mi, got %v in\n%s", fields["idle"], out)
	}

	// Usage changes reach the next scrape.
	c.Kubelet().SetUsage(ns, "idle", "app", testcluster.Usage{MilliCPU: 700, Memory: 200 << 20})
	eventually(t, "kubectl top to follow a change of usage", metricsWait, func() bool {
		var err error
		out, err = kubectlTop(t, c, "pods", "-n", ns, "idle", "--no-headers")
		f := strings.Fields(out)
		return err == nil && len(f) == 3 && near(f[1], 700) && f[2] == "200Mi"
	}, func() string { return out })

	nodes, err := kubectlTop(t, c, "nodes", "--no-headers")
	if err != nil || !strings.HasPrefix(nodes, c.NodeName()+" ") {
		t.Errorf("kubectl top nodes: %v\n%s", err, nodes)
	}
}

// near reports whether a kubectl CPU figure ("318m") is within 2% (or 2
// millicores) of want millicores.
func near(cell string, want int64) bool {
	var got int64
	if _, err := fmt.Sscanf(cell, "%dm", &got); err != nil {
		return false
	}
	return abs(got-want) <= max(2, want/50)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// TestE2ETopMatchesKubectl checks that kfsui top prints exactly what the
// pinned kubectl top prints, for pods of a namespace, of every namespace,
// with a selector, sorted by CPU, per container, and for nodes. Both read
// the same metrics-server, whose figures change only at a scrape: a pair
// of outputs that differ is compared again until a scrape no longer falls
// between them.
func TestE2ETopMatchesKubectl(t *testing.T) {
	t.Parallel()
	c := testcluster.WithMetrics(t)
	ns := metricsNamespace(t, c, "kftop")
	meteredPod(t, c, ns, "api-0", map[string][2]int64{"api": {120, 96}, "proxy": {15, 24}})
	meteredPod(t, c, ns, "api-1", map[string][2]int64{"api": {480, 300}})
	meteredPod(t, c, ns, "worker", map[string][2]int64{"work": {5, 1024}})
	labelPod(t, c, ns, "api-0", "tier", "api")
	labelPod(t, c, ns, "api-1", "tier", "api")
	eventually(t, "metrics for all three pods", metricsWait, func() bool {
		out, err := kubectlTop(t, c, "pods", "-n", ns, "--no-headers")
		return err == nil && strings.Count(out, "\n") == 3
	}, noDetail)

	for _, args := range [][]string{
		{"pods", "-n", ns},
		{"pods", "-A"},
		{"pods", "-n", ns, "-l", "tier=api"},
		{"pods", "-n", ns, "--sort-by", "cpu"},
		{"pods", "-n", ns, "--sort-by", "memory", "--containers"},
		{"pods", "-n", ns, "--sum", "--no-headers"},
		{"pods", "-n", ns, "api-1"},
		{"nodes"},
		{"nodes", c.NodeName()},
	} {
		want, got := topPair(t, c, args)
		if got != want {
			t.Errorf("kfsui top %s:\n%s\nkubectl top %s:\n%s", strings.Join(args, " "), got, strings.Join(args, " "), want)
		}
	}

	// Errors are kubectl's too, and come before any request.
	_, stderr, code := kfsuiWith(t, c.KubeconfigPath, "top", "pods", "-n", ns, "--sort-by", "name")
	if code == 0 || !strings.Contains(stderr, "--sort-by accepts only cpu or memory") {
		t.Errorf("bad --sort-by: code %d, stderr %q", code, stderr)
	}
	_, stderr, code = kfsuiWith(t, c.KubeconfigPath, "top", "pods", "-n", ns, "-l", "tier in (")
	if code == 0 || stderr == "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("malformed selector: code %d, want one line on stderr, got %q", code, stderr)
	}
	_, stderr, code = kfsuiWith(t, c.KubeconfigPath, "top", "services")
	if code != 2 || !strings.Contains(stderr, `"services"`) {
		t.Errorf("top services: code %d, stderr %q", code, stderr)
	}
}

// topPair runs kubectl top, kfsui top and kubectl top again with args
// until both kubectl runs agree (no scrape fell between them), and
// returns kubectl's output and kfsui's.
func topPair(t *testing.T, c *testcluster.Cluster, args []string) (want, got string) {
	t.Helper()
	for range 5 {
		before, err := kubectlTop(t, c, args...)
		if err != nil {
			t.Fatal(err)
		}
		out, stderr, code := kfsuiWith(t, c.KubeconfigPath, append([]string{"top"}, args...)...)
		if code != 0 {
			t.Fatalf("kfsui top %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		after, err := kubectlTop(t, c, args...)
		if err != nil {
			t.Fatal(err)
		}
		if before == after {
			return before, out
		}
	}
	t.Fatalf("kubectl top %s changed on every one of 5 tries", strings.Join(args, " "))
	return "", ""
}

// labelPod sets a label on a pod.
func labelPod(t *testing.T, c *testcluster.Cluster, ns, name, key, value string) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, key, value)
	if _, err := c.Clientset().CoreV1().Pods(ns).Patch(context.Background(), name, "application/merge-patch+json", []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}
