package testcluster_test

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// logPod creates a namespace of the test's own and, in it, pod "p" with
// the given containers through CreatePod.
func logPod(t *testing.T, c *testcluster.Cluster, containers ...string) (ns, pod string) {
	t.Helper()
	ctx := testContext(t)
	ns = "kl-" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	ns = strings.TrimSuffix(ns[:min(len(ns), 60)], "-")
	_, err := c.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePod(ctx, ns, "p", containers, nil); err != nil {
		t.Fatal(err)
	}
	return ns, "p"
}

// openLogs opens a log stream through the apiserver, as kfsui does.
func openLogs(ctx context.Context, c *testcluster.Cluster, ns, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error) {
	return c.Clientset().CoreV1().Pods(ns).GetLogs(pod, opts).Stream(ctx)
}

// readLogs returns a whole (non-follow) log read through the apiserver.
func readLogs(t *testing.T, c *testcluster.Cluster, ns, pod string, opts *corev1.PodLogOptions) (string, error) {
	t.Helper()
	rc, err := openLogs(testContext(t), c, ns, pod, opts)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

func mustReadLogs(t *testing.T, c *testcluster.Cluster, ns, pod string, opts *corev1.PodLogOptions) string {
	t.Helper()
	got, err := readLogs(t, c, ns, pod, opts)
	if err != nil {
		t.Fatalf("reading logs with %+v: %v", opts, err)
	}
	return got
}

func TestNodePointsAtFakeKubelet(t *testing.T) {
	c := testcluster.Shared(t)
	node, err := c.Clientset().CoreV1().Nodes().Get(testContext(t), c.NodeName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if port := node.Status.DaemonEndpoints.KubeletEndpoint.Port; int(port) != c.Kubelet().Port() {
		t.Errorf("node advertises kubelet port %d, fake kubelet listens on %d", port, c.Kubelet().Port())
	}
	if !slices.Contains(node.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}) {
		t.Errorf("node addresses %v lack InternalIP 127.0.0.1", node.Status.Addresses)
	}
	ready := slices.ContainsFunc(node.Status.Conditions, func(c corev1.NodeCondition) bool {
		return c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue
	})
	if !ready || len(node.Spec.Taints) > 0 {
		t.Errorf("node ready=%v taints=%v, want Ready and untainted", ready, node.Spec.Taints)
	}
}

func TestCreatePodPostsRunningStatus(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	ns, _ := logPod(t, c, "x")
	pod, err := c.CreatePod(ctx, ns, "with-init", []string{"app", "side"}, []string{"init"})
	if err != nil {
		t.Fatal(err)
	}
	if pod.Spec.NodeName != c.NodeName() || pod.Status.Phase != corev1.PodRunning {
		t.Fatalf("pod on node %q in phase %q, want %q and Running", pod.Spec.NodeName, pod.Status.Phase, c.NodeName())
	}
	var running []string
	for _, s := range pod.Status.ContainerStatuses {
		if s.State.Running != nil && s.Ready && s.RestartCount == 0 {
			running = append(running, s.Name)
		}
	}
	if !slices.Equal(running, []string{"app", "side"}) {
		t.Errorf("running, ready containers = %q, want app and side", running)
	}
	if s := pod.Status.InitContainerStatuses; len(s) != 1 || s[0].State.Terminated == nil || s[0].State.Terminated.ExitCode != 0 {
		t.Errorf("init container statuses = %+v, want init terminated with exit code 0", s)
	}
	if _, err := c.CreatePod(ctx, ns, "with-init", []string{"app"}, nil); !apierrors.IsAlreadyExists(err) {
		t.Errorf("creating the pod again: err = %v, want AlreadyExists", err)
	}
}

func TestLogsPlainTailTimestampsAndLimit(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns, pod := logPod(t, c, "app")
	began := time.Now()
	k.Write(ns, pod, "app", "one", "two", "three", "four")

	tests := []struct {
		name string
		opts corev1.PodLogOptions
		want string
	}{
		{"plain", corev1.PodLogOptions{Container: "app"}, "one\ntwo\nthree\nfour\n"},
		{"tailLines", corev1.PodLogOptions{Container: "app", TailLines: new(int64(2))}, "three\nfour\n"},
		{"tailLines 0", corev1.PodLogOptions{Container: "app", TailLines: new(int64(0))}, ""},
		{"limitBytes cuts mid-line", corev1.PodLogOptions{Container: "app", LimitBytes: new(int64(10))}, "one\ntwo\nth"},
		// The only container needs no name, as on a real cluster.
		{"no container named", corev1.PodLogOptions{TailLines: new(int64(1))}, "four\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustReadLogs(t, c, ns, pod, &tt.opts); got != tt.want {
				t.Errorf("logs = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("timestamps", func(t *testing.T) {
		got := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{Container: "app", Timestamps: true})
		var prev time.Time
		lines := strings.SplitAfter(got, "\n")
		lines = lines[:len(lines)-1]
		for i, line := range lines {
			stamp, text, _ := strings.Cut(line, " ")
			at, err := time.Parse(time.RFC3339Nano, stamp)
			if err != nil || text != []string{"one\n", "two\n", "three\n", "four\n"}[i] {
				t.Fatalf("line %d = %q, want an RFC3339Nano timestamp, a space and the line", i, line)
			}
			if !at.After(prev) || at.Before(began.Add(-time.Second)) || at.After(time.Now()) {
				t.Errorf("line %d stamped %v: want after %v and within the test's run", i, at, prev)
			}
			prev = at
		}
		if len(lines) != 4 {
			t.Errorf("got %d timestamped lines, want 4:\n%s", len(lines), got)
		}
	})
}

func TestLogsSince(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns, pod := logPod(t, c, "app")
	// The apiserver forwards sinceTime with whole seconds only, so the
	// test's times are whole seconds too.
	now := time.Now().Truncate(time.Second)
	k.WriteAt(ns, pod, "app", now.Add(-time.Hour), "an hour ago")
	k.WriteAt(ns, pod, "app", now.Add(-10*time.Minute), "ten minutes ago")
	k.WriteAt(ns, pod, "app", now.Add(-time.Minute), "a minute ago")
	k.Write(ns, pod, "app", "now")

	since := metav1.NewTime(now.Add(-10 * time.Minute))
	got := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{SinceTime: &since})
	if want := "ten minutes ago\na minute ago\nnow\n"; got != want {
		t.Errorf("sinceTime %v: logs = %q, want %q (a line at exactly sinceTime included)", since, got, want)
	}
	got = mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{SinceSeconds: new(int64(300))})
	if want := "a minute ago\nnow\n"; got != want {
		t.Errorf("sinceSeconds 300: logs = %q, want %q", got, want)
	}
	// tailLines picks lines first, sinceTime then filters them, as in the
	// kubelet.
	got = mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{SinceTime: &since, TailLines: new(int64(3))})
	if want := "ten minutes ago\na minute ago\nnow\n"; got != want {
		t.Errorf("sinceTime and tailLines 3: logs = %q, want %q", got, want)
	}

	reqs := k.Requests()
	var forwarded *testcluster.LogRequest
	for i := range reqs {
		if reqs[i].Namespace == ns && reqs[i].SinceTime != nil {
			forwarded = &reqs[i]
		}
	}
	if forwarded == nil || !forwarded.SinceTime.Equal(since.Time) || forwarded.Container != "app" || forwarded.Pod != pod {
		t.Errorf("kubelet saw %+v, want a request for %s/%s/app with sinceTime %v", forwarded, ns, pod, since)
	}
}

func TestLogsPrevious(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns, pod := logPod(t, c, "app")
	k.Write(ns, pod, "app", "current")

	_, err := readLogs(t, c, ns, pod, &corev1.PodLogOptions{Container: "app", Previous: true})
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), `previous terminated container "app" in pod "p" not found`) {
		t.Errorf("previous logs with no previous run: err = %v, want BadRequest quoting the kubelet", err)
	}

	k.SetPrevious(ns, pod, "app", "crashed once", "panic: boom")
	got := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{Container: "app", Previous: true, Timestamps: true})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[1], " panic: boom") {
		t.Fatalf("previous logs = %q, want the two lines SetPrevious wrote", got)
	}
	current := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{Container: "app", Timestamps: true})
	prevAt, _ := time.Parse(time.RFC3339Nano, strings.Fields(lines[1])[0])
	curAt, _ := time.Parse(time.RFC3339Nano, strings.Fields(current)[0])
	if !prevAt.Before(curAt) {
		t.Errorf("previous run's last line at %v, not before the current run's first at %v", prevAt, curAt)
	}
}

func TestLogsUnknownToKubelet(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	ns, _ := logPod(t, c, "app")
	// A pod bound to the node but not run by it, so never registered
	// with the kubelet: the apiserver forwards the request and the
	// kubelet answers 404, whose message the apiserver replaces with its
	// generic NotFound text (the kubelet's own words are checked in
	// TestKubeletErrors).
	bare := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "bare", Namespace: ns, Annotations: map[string]string{testcluster.NotRunAnnotation: "true"}},
		Spec: corev1.PodSpec{NodeName: c.NodeName(), Containers: []corev1.Container{
			{Name: "known", Image: "busybox"}, {Name: "ghost", Image: "busybox"},
		}},
	}
	if _, err := c.Clientset().CoreV1().Pods(ns).Create(ctx, bare, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Kubelet().Write(ns, "bare", "known", "hello")
	_, err := readLogs(t, c, ns, "bare", &corev1.PodLogOptions{Container: "ghost"})
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "the server could not find the requested resource") {
		t.Errorf("logs of a container unknown to the kubelet: err = %v, want the apiserver's generic NotFound", err)
	}
	if got := mustReadLogs(t, c, ns, "bare", &corev1.PodLogOptions{Container: "known"}); got != "hello\n" {
		t.Errorf("logs of a container only written to = %q, want hello", got)
	}
	last := c.Kubelet().Requests()
	if r := last[len(last)-2]; r.Namespace != ns || r.Pod != "bare" || r.Container != "ghost" {
		t.Errorf("kubelet saw %+v, want the request for ghost", r)
	}
}

func TestLogsOfUnboundPodAreEmpty(t *testing.T) {
	c := testcluster.Shared(t)
	ns, _ := logPod(t, c, "app")
	// No node matches the selector, so the scheduler leaves it unbound.
	pending := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "pending", Namespace: ns},
		Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"kfsui.example/no-such-node": "true"},
			Containers:   []corev1.Container{{Name: "app", Image: "busybox"}},
		},
	}
	if _, err := c.Clientset().CoreV1().Pods(ns).Create(testContext(t), pending, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// With no node to ask, the apiserver answers 204 No Content: even a
	// follow stream ends at once, with no error.
	got, err := readLogs(t, c, ns, "pending", &corev1.PodLogOptions{Follow: true})
	if got != "" || err != nil {
		t.Errorf("following a pod with no node = %q, %v; want an empty log", got, err)
	}
}

func TestLogsPartialLastLine(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns, pod := logPod(t, c, "app")
	k.WriteRaw(ns, pod, "app", "whole\nhalf a li")
	if got, want := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{}), "whole\nhalf a li"; got != want {
		t.Errorf("logs = %q, want %q", got, want)
	}
	// Like the kubelet, which counts records of the runtime's log file,
	// tailLines counts each piece of a line written in pieces.
	k.WriteRaw(ns, pod, "app", "ne\n")
	if got, want := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{TailLines: new(int64(1))}), "ne\n"; got != want {
		t.Errorf("tailLines 1 = %q, want %q", got, want)
	}
	// The rest of the line continued it, with no timestamp in between.
	k.WriteRaw(ns, pod, "app", "\xff\xfe not UTF-8")
	got := mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{Timestamps: true})
	want := []string{"whole\n", "half a line\n", "\xff\xfe not UTF-8"}
	lines := strings.SplitAfter(got, "\n")
	for i, line := range lines {
		stamp, text, _ := strings.Cut(line, " ")
		if _, err := time.Parse(time.RFC3339Nano, stamp); err != nil || i >= len(want) || text != want[i] {
			t.Errorf("timestamped logs = %q, want %q each stamped once, raw bytes intact", got, want)
			break
		}
	}
}
