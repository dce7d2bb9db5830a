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
