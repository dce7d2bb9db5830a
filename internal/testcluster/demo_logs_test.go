package testcluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// countLines returns how many lines a container's log has, read through
// the apiserver.
func countLines(t *testing.T, c *testcluster.Cluster, ns, pod, container string) int {
	t.Helper()
	return strings.Count(mustReadLogs(t, c, ns, pod, &corev1.PodLogOptions{Container: container}), "\n")
}

func TestSeedDemoLogs(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	for i := range 2 {
		if err := testcluster.SeedDemo(ctx, c); err != nil {
			t.Fatalf("SeedDemo run %d: %v", i+1, err)
		}
	}

	all := ""
	for _, tt := range []struct {
		ns, pod, container string
		lines              int
	}{
		{"team-a", "chatty-0", "init", 4},
		{"team-a", "chatty-0", "app", 300},
		{"team-a", "chatty-0", "sidecar", 300},
		{"team-b", "api-0", "api", 250},
	} {
		got := mustReadLogs(t, c, tt.ns, tt.pod, &corev1.PodLogOptions{Container: tt.container})
		// Seeding twice must not double the history.
		if n := strings.Count(got, "\n"); n != tt.lines {
			t.Errorf("%s/%s %s has %d lines, want %d", tt.ns, tt.pod, tt.container, n, tt.lines)
		}
		all += got
	}
	for what, marker := range map[string]string{
		"an access log line":    `"GET /`,
		"a JSON line":           `{"ts":"`,
		"an ANSI-coloured line": "\x1b[31mERROR\x1b[0m",
		"a very long line":      "x-demo-header-059", // only in lines of 60+ headers
	} {
		if !strings.Contains(all, marker) {
			t.Errorf("demo logs have no %s (%q)", what, marker)
		}
	}

	// The seeded history reaches back about an hour.
	recent := mustReadLogs(t, c, "team-b", "api-0", &corev1.PodLogOptions{SinceSeconds: new(int64(600))})
	if n := strings.Count(recent, "\n"); n == 0 || n > 100 {
		t.Errorf("api-0 logged %d lines in the last 10 minutes, want a fraction of its 250", n)
	}

	prev := mustReadLogs(t, c, "team-a", "chatty-0", &corev1.PodLogOptions{Container: "app", Previous: true})
	if !strings.Contains(prev, "panic: runtime error") {
		t.Errorf("app's previous log does not end in a panic:\n%s", prev)
	}
	pod, err := c.Clientset().CoreV1().Pods("team-a").Get(ctx, "chatty-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pod.Status.ContainerStatuses {
		if want := map[string]int32{"app": 1, "sidecar": 0}[s.Name]; s.RestartCount != want {
			t.Errorf("container %s restarted %d times, want %d", s.Name, s.RestartCount, want)
		}
	}
}

func TestRunDemoChatter(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	if err := testcluster.SeedDemo(ctx, c); err != nil {
		t.Fatal(err)
	}
	type container struct{ ns, pod, name string }
	containers := []container{{"team-a", "chatty-0", "app"}, {"team-a", "chatty-0", "sidecar"}, {"team-b", "api-0", "api"}}
	before := map[container]int{}
	for _, ct := range containers {
		before[ct] = countLines(t, c, ct.ns, ct.pod, ct.name)
	}

	chatterCtx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() {
		testcluster.RunDemoChatter(chatterCtx, c)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunDemoChatter did not return after its context ended")
	}
	for _, ct := range containers {
		// 1.5s at one write per 300-700ms: at least two writes each.
		if added := countLines(t, c, ct.ns, ct.pod, ct.name) - before[ct]; added < 2 {
			t.Errorf("%s/%s %s got %d lines in 1.5s of chatter, want at least 2", ct.ns, ct.pod, ct.name, added)
		}
	}
}
