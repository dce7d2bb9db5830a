package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
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

// testMetricsInterval is how often the app reads metrics in these tests:
// shorter than metrics-server's resolution, so a scrape shows within
// seconds of happening.
const testMetricsInterval = 2 * time.Second

// startAppMetrics runs the app against c from kubeconfig with metrics
// columns read every testMetricsInterval, and returns the requests it
// sends.
func startAppMetrics(t *testing.T, kubeconfig, namespace, start string) (*driver, *countingTransport) {
	t.Helper()
	conn, counter := connectWith(t, kubeconfig, namespace, k8s.Options{MetricsInterval: testMetricsInterval})
	// A wide tree pane: the metrics columns come before AGE.
	return runApp(t, conn, fsFor(conn, namespace, model.Options{}), app.Options{StartPath: start, TreeWidth: 85}), counter
}

// resourcedPod creates a running pod with one container "app" with these
// requests and limits (CPU in millicores, memory in MiB; 0 leaves it
// unset), using cpu millicores and mem MiB.
func resourcedPod(t *testing.T, c *testcluster.Cluster, ns, name string, reqCPU, reqMem, limCPU, limMem, cpu, mem int64) {
	t.Helper()
	res := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	set := func(l corev1.ResourceList, key corev1.ResourceName, v int64, unit string) {
		if v > 0 {
			l[key] = resource.MustParse(fmt.Sprintf("%d%s", v, unit))
		}
	}
	set(res.Requests, corev1.ResourceCPU, reqCPU, "m")
	set(res.Requests, corev1.ResourceMemory, reqMem, "Mi")
	set(res.Limits, corev1.ResourceCPU, limCPU, "m")
	set(res.Limits, corev1.ResourceMemory, limMem, "Mi")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PodSpec{NodeName: c.NodeName(), Containers: []corev1.Container{
			{Name: "app", Image: "registry.example/app:1", Resources: res},
		}},
	}
	created, err := c.Clientset().CoreV1().Pods(ns).Create(ctx(t), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitRunning(ctx(t), created); err != nil {
		t.Fatal(err)
	}
	c.Kubelet().SetUsage(ns, name, "app", testcluster.Usage{MilliCPU: cpu, Memory: mem << 20})
}

// rowOf returns the screen line that holds name, "" if none does.
func rowOf(screen, name string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, name) {
			return line
		}
	}
	return ""
}

// cellsOf returns the tree row of name as fields, from the name to the
// pane's border: the name, then its cells.
func cellsOf(screen, name string) []string {
	line := rowOf(screen, name)
	i := strings.Index(line, name)
	if i < 0 {
		return nil
	}
	line, _, _ = strings.Cut(line[i:], "║")
	return strings.Fields(line)
}

// TestE2EMetricsColumns checks the metrics columns of pods and nodes in
// the tree: they come with metrics-server's figures, measured against
// the pods' requests and limits and the node's allocatable, follow a
// change of usage, mark a pod near its memory limit as failing, say how
// old they are, and cost one PodMetrics list per reading.
func TestE2EMetricsColumns(t *testing.T) {
	t.Parallel()
	c := testcluster.WithMetrics(t)
	ns := metricsNamespace(t, c, "mcols")
	// hog: 300Mi of a 320Mi limit (93%); calm: no limits at all.
	resourcedPod(t, c, ns, "hog", 200, 200, 800, 320, 400, 300)
	resourcedPod(t, c, ns, "calm", 100, 0, 0, 0, 10, 20)

	d, counter := startAppMetrics(t, c.KubeconfigPath, "", "/namespaces/"+ns+"/pods")
	screen := d.waitFor("the pods' metrics columns", metricsWait, func(s string) bool {
		hog, calm := cellsOf(s, "hog/"), cellsOf(s, "calm/")
		return strings.Contains(s, "%MEM/L") && len(hog) > 10 && len(calm) > 10 &&
			hog[5] == "300Mi" && calm[5] == "20Mi"
	})
	header := cellsOf(screen, "NAME")
	if want := []string{"NAME", "↑", "READY", "STATUS", "RESTARTS", "CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "AGE"}; len(header) < len(want) || !slices.Equal(header[len(header)-len(want):], want) {
		t.Errorf("header %q, want it to end with %q", header, want)
	}
	hog := cellsOf(screen, "hog/")
	// NAME READY STATUS RESTARTS CPU MEM %CPU/R %CPU/L %MEM/R %MEM/L AGE
	if !near(hog[4], 400) || !near(hog[6]+"m", 200) || !near(hog[7]+"m", 50) || hog[8] != "150" || hog[9] != "93" {
		t.Errorf("hog's row: %q", hog)
	}
	calm := cellsOf(screen, "calm/")
	if pct, err := strconv.Atoi(calm[6]); err != nil || pct < 8 || pct > 12 || calm[7] != "n/a" || calm[8] != "n/a" || calm[9] != "n/a" {
		t.Errorf("calm's row (no memory request, no limits): %q", calm)
	}
	if got := d.colorOf("hog/"); got != themes.Dark().Failing {
		t.Errorf("a pod at 93%% of its memory limit is colored %v, want failing %v", got, themes.Dark().Failing)
	}
	if got := d.colorOf("calm/"); got == themes.Dark().Failing {
		t.Errorf("a calm pod is colored as failing")
	}
	if !strings.Contains(screen, "metrics ") || !strings.Contains(screen, " old") {
		t.Errorf("the breadcrumb does not say how old the metrics are:\n%s", screen)
	}

	// The figures follow the usage, one list per reading.
	before := len(counter.matching("/apis/metrics.k8s.io/v1beta1/namespaces/" + ns + "/pods"))
	began := time.Now()
	c.Kubelet().SetUsage(ns, "hog", "app", testcluster.Usage{MilliCPU: 100, Memory: 100 << 20})
	d.waitFor("hog's new usage", metricsWait, func(s string) bool {
		f := cellsOf(s, "hog/")
		return len(f) > 10 && f[5] == "100Mi"
	})
	if got := d.colorOf("hog/"); got == themes.Dark().Failing {
		t.Errorf("hog at 31%% of its limit is still colored as failing")
	}
	lists := len(counter.matching("/apis/metrics.k8s.io/v1beta1/namespaces/"+ns+"/pods")) - before
	if most := int(time.Since(began)/testMetricsInterval) + 2; lists > most {
		t.Errorf("%d PodMetrics lists in %s, want at most one per %s", lists, time.Since(began), testMetricsInterval)
	}
	if per := counter.matching("/apis/metrics.k8s.io/v1beta1/namespaces/" + ns + "/pods/"); len(per) > 0 {
		t.Errorf("per-pod metrics requests: %q", per)
	}

	// Nodes: usage against allocatable.
	d.jump("/cluster/nodes")
	screen = d.waitFor("the nodes' metrics columns", metricsWait, func(s string) bool {
		f := cellsOf(s, c.NodeName()+"/")
		// NAME STATUS ROLES CPU %CPU MEM %MEM AGE VERSION
		return strings.Contains(s, "%MEM") && len(f) >= 8 && strings.HasSuffix(f[3], "m") && strings.HasSuffix(f[5], "Mi")
	})
	if header := rowOf(screen, "%MEM"); !strings.Contains(header, "CPU") || !strings.Contains(header, "%CPU") || !strings.Contains(header, "MEM") {
		t.Errorf("nodes' header: %q", header)
	}
}

// TestE2EMetricsForbiddenLeavesTheTreeAlone checks a user who may list
// pods but not read metrics: no metrics columns, a note saying why, the
// pods listed as ever.
func TestE2EMetricsForbiddenLeavesTheTreeAlone(t *testing.T) {
	t.Parallel()
	c := testcluster.WithMetrics(t)
	ns := metricsNamespace(t, c, "mdeny")
	resourcedPod(t, c, ns, "web", 100, 100, 0, 0, 50, 50)
	user := "pods-only-" + ns
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pods", Namespace: ns}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods", "namespaces"}, Verbs: []string{"get", "list", "watch"}},
	}}
	if _, err := c.Clientset().RbacV1().Roles(ns).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "pods", Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "pods"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := c.Clientset().RbacV1().RoleBindings(ns).Create(ctx(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := c.WriteUserKubeconfig(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, counter := startAppMetrics(t, kubeconfig, ns, "/namespaces/"+ns+"/pods")
	screen := d.waitText(metricsWait, "metrics: forbidden")
	if strings.Contains(screen, "%MEM") {
		t.Errorf("metrics columns shown to a user who may not read metrics:\n%s", screen)
	}
	if f := cellsOf(screen, "web/"); len(f) < 4 || f[2] != "Running" {
		t.Errorf("the pods are not listed as ever: %q\n%s", f, screen)
	}
	// No error loop: one reading an interval.
	before := len(counter.matching("/apis/metrics.k8s.io"))
	time.Sleep(3 * testMetricsInterval) // a duration is what is measured here
	if n := len(counter.matching("/apis/metrics.k8s.io")) - before; n > 4 {
		t.Errorf("%d metrics requests in %s after a forbidden answer, want at most one per %s", n, 3*testMetricsInterval, testMetricsInterval)
	}
}

// TestE2EMetricsAbsentThenBack takes metrics.k8s.io away and brings it
// back: the columns go, with one note saying why and no error loop, and
// come back by themselves. Not parallel: the other tests of the cluster
// with metrics-server need the API.
func TestE2EMetricsAbsentThenBack(t *testing.T) {
	c := testcluster.WithMetrics(t)
	ns := metricsNamespace(t, c, "mgone")
	resourcedPod(t, c, ns, "web", 100, 100, 0, 0, 50, 50)
	d, counter := startAppMetrics(t, c.KubeconfigPath, "", "/namespaces/"+ns+"/pods")
	d.waitText(metricsWait, "%MEM/L", "50Mi")

	if err := c.UnregisterMetricsAPI(ctx(t)); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.RegisterMetricsAPI(context.Background()); err != nil {
			t.Fatal(err)
		}
	}()
	screen := d.waitFor("the metrics columns to go", metricsWait, func(s string) bool {
		return !strings.Contains(s, "%MEM/L") && strings.Contains(s, "metrics: ")
	})
	if f := cellsOf(screen, "web/"); len(f) < 4 || f[2] != "Running" {
		t.Errorf("the pods are not listed as ever: %q\n%s", f, screen)
	}
	counter.mu.Lock()
	before := len(counter.uris)
	counter.mu.Unlock()
	time.Sleep(3 * testMetricsInterval) // a duration is what is measured here
	counter.mu.Lock()
	later := slices.Clone(counter.uris[before:])
	counter.mu.Unlock()
	if len(later) > 8 {
		t.Errorf("%d requests in %s without metrics, want about two per %s: %q", len(later), 3*testMetricsInterval, testMetricsInterval, later)
	}

	if err := c.RegisterMetricsAPI(ctx(t)); err != nil {
		t.Fatal(err)
	}
	d.waitText(metricsWait, "%MEM/L", "50Mi")
}
