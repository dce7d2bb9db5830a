package e2e

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// syncBuffer is a bytes.Buffer safe for the writer and a reader polling it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitOutput(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	eventually(t, fmt.Sprintf("output %q", want), 10*time.Second,
		func() bool { return strings.Contains(b.String(), want) }, b.String)
}

func TestE2ETailPrintsAndFollowsUntilThePodGoes(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "tail")
	runningPod(t, ns, "p", "app")
	k.Write(ns, "p", "app", "one", "two", "three")
	k.WriteRaw(ns, "p", "app", "four, unfinished")
	path := "/namespaces/" + ns + "/pods/p/logs/app.log"

	out, errOut, code := kfsui(t, "tail", path)
	if code != 0 || out != "one\ntwo\nthree\nfour, unfinished" {
		t.Errorf("tail = %q, exit %d, stderr %q", out, code, errOut)
	}
	out, _, _ = kfsui(t, "tail", "--tail", "2", "--timestamps", path)
	lines := strings.Split(out, "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], " three") || !strings.HasPrefix(lines[0], fmt.Sprint(time.Now().Year())) {
		t.Errorf("tail --tail 2 --timestamps = %q", out)
	}
	k.SetPrevious(ns, "p", "app", "earlier life")
	if out, _, _ = kfsui(t, "tail", "--previous", path); out != "earlier life\n" {
		t.Errorf("tail --previous = %q", out)
	}
	if _, errOut, code := kfsui(t, "tail", "/namespaces/"+ns+"/pods/p/logs/nope.log"); code != 1 || !strings.Contains(errOut, `no container "nope"`) {
		t.Errorf("tail of a missing container: exit %d, %q", code, errOut)
	}

	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- mainWith(&stdout, &stderr, "--kubeconfig", c.KubeconfigPath, "tail", "-f", path)
	}()
	waitOutput(t, &stdout, "three\n")
	k.WriteRaw(ns, "p", "app", "\n")
	k.Write(ns, "p", "app", "five, live")
	waitOutput(t, &stdout, "four, unfinished\nfive, live\n")

	deletePodNow(t, ns, "p")
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stderr.String(), "pod deleted") {
			t.Errorf("tail -f after the pod went: exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("tail -f did not end when the pod was deleted")
	}
	if n := strings.Count(stdout.String(), "two\n"); n != 1 {
		t.Errorf("a line was printed %d times:\n%s", n, stdout.String())
	}
}

// TestE2ETailSpeaksKubectl checks kubectl logs' history flags against a
// real apiserver and kubelet: --tail 0 and -1, --since, --since-time,
// and -f --tail 0 printing only lines written after it started.
func TestE2ETailSpeaksKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "tailflags")
	runningPod(t, ns, "p", "app")
	now := time.Now()
	k.WriteAt(ns, "p", "app", now.Add(-2*time.Hour), "two hours ago")
	k.WriteAt(ns, "p", "app", now.Add(-30*time.Minute), "half an hour ago")
	k.WriteAt(ns, "p", "app", now.Add(-time.Minute), "a minute ago")
	path := "/namespaces/" + ns + "/pods/p/logs/app.log"

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tail", "0"}, ""},
		{[]string{"--tail", "-1"}, "two hours ago\nhalf an hour ago\na minute ago\n"},
		{[]string{"--tail", "1"}, "a minute ago\n"},
		{[]string{"--since", "1h"}, "half an hour ago\na minute ago\n"},
		{[]string{"--since", "5m", "--tail", "-1"}, "a minute ago\n"},
		{[]string{"--since-time", now.Add(-45 * time.Minute).UTC().Format(time.RFC3339)}, "half an hour ago\na minute ago\n"},
	} {
		out, errOut, code := kfsui(t, append(append([]string{"tail"}, tc.args...), path)...)
		if code != 0 || out != tc.want {
			t.Errorf("tail %q = %q, exit %d, stderr %q; want %q", tc.args, out, code, errOut, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tail", "-2"}, "--tail must be -1"},
		{[]string{"--since", "1h", "--since-time", "2026-01-01T00:00:00Z"}, "only one of --since and --since-time"},
		{[]string{"--since-time", "yesterday"}, "not an RFC 3339 time"},
		{[]string{"--since", "-5m"}, "--since must be greater than 0"},
	} {
		_, errOut, code := kfsui(t, append(append([]string{"tail"}, tc.args...), path)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("tail %q: exit %d, stderr %q; want usage error %q", tc.args, code, errOut, tc.want)
		}
	}

	// -f --tail 0: nothing of the history, every line written after.
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- mainWith(&stdout, &stderr, "--kubeconfig", c.KubeconfigPath, "tail", "-f", "--tail", "0", path)
	}()
	eventually(t, "the follow stream open", 10*time.Second, func() bool { return k.OpenStreams(ns, "p", "app") == 1 },
		func() string { return stderr.String() })
	k.Write(ns, "p", "app", "new one", "new two")
	waitOutput(t, &stdout, "new one\nnew two\n")
	deletePodNow(t, ns, "p")
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("tail -f did not end when the pod was deleted")
	}
	if got := stdout.String(); got != "new one\nnew two\n" {
		t.Errorf("tail -f --tail 0 printed %q, want only the lines written after it started", got)
	}
}
