package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// The figures of the tree's columns (issue 12): the Table LIST floor
// beside the metadata one, sorting, a status change reaching the screen,
// describing the node, and PSS.

// tableLister times a bare Table LIST of the big namespace's pods, as
// kfsui asks for it (includeObject=None): what the columns cost the
// server and the wire.
type tableLister struct {
	hc  *http.Client
	url string
}

func newTableLister(cfg *rest.Config) (*tableLister, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &tableLister{hc: hc, url: cfg.Host + "/api/v1/namespaces/" + testcluster.BigNamespace + "/pods?includeObject=None"}, nil
}

func (l *tableLister) list(ctx context.Context) (time.Duration, int, error) {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := l.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("table list: %s", resp.Status)
	}
	return time.Since(start), int(n), nil
}

// measureSort presses the sort keys over the big directory: o four times
// (READY, STATUS, RESTARTS, AGE), O, then o round twice to the name. Each
// is timed from the key to the frame that shows the directory sorted.
func measureSort(x tmux, tr *trace, pods int) ([]time.Duration, error) {
	var out []time.Duration
	for _, k := range []string{"o", "o", "o", "o", "O", "o", "o", "o", "o", "o", "o"} {
		mark := len(tr.events())
		if err := x.send("-l", k); err != nil {
			return nil, err
		}
		key, err := waitAfter(tr, mark, "the sort key", func(e event) bool { return e.Ev == "key" && e.Key == "Rune["+k+"]" })
		if err != nil {
			return nil, err
		}
		shown, err := waitAfter(tr, mark, "the sorted listing", func(e event) bool {
			return e.Ev == "dir" && e.Path == bigPods && e.Entries == pods && e.T > key.When
		})
		if err != nil {
			return nil, err
		}
		out = append(out, time.Duration(shown.T-key.When))
		time.Sleep(300 * time.Millisecond)
	}
	return out, nil
}

// waitAfter waits for an event after index mark that cond accepts.
func waitAfter(tr *trace, mark int, what string, cond func(event) bool) (event, error) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		events := tr.events()
		for _, e := range events[min(mark, len(events)):] {
			if cond(e) {
				return e, nil
			}
		}
	}
	return event{}, fmt.Errorf("timed out waiting for %s", what)
}

// measureStatus selects a pod of the big directory, then makes it
// crash-loop through the status subresource, as a kubelet reports it, and
// times the change until the terminal shows the pod's new STATUS.
func measureStatus(ctx context.Context, cs kubernetes.Interface, x tmux, tr *trace) (time.Duration, error) {
	const name = "web-00042"
	if err := jump(x, tr, bigPods+"/"+name); err != nil {
		return 0, err
	}
	time.Sleep(time.Second)
	pods := cs.CoreV1().Pods(testcluster.BigNamespace)
	pod, err := pods.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return 0, err
	}
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{
		Name: "app", Image: "registry.example/web:1.27", RestartCount: 9,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
	}}}
	start := time.Now()
	if _, err := pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		return 0, err
	}
	for time.Since(start) < 30*time.Second {
		out, err := exec.Command("tmux", "-L", x.socket, "capture-pane", "-p", "-t", "main").Output()
		if err != nil {
			return 0, err
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, name+"/") && strings.Contains(line, "CrashLoopBackOff") {
				return time.Since(start), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, errors.New("the crash-looping pod did not show within 30s")
}

// jump types path into the jump bar and waits for the key that ends it.
func jump(x tmux, tr *trace, path string) error {
	mark := len(tr.events())
	if err := x.send(":"); err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond)
	if err := x.send("-l", path); err != nil {
		return err
	}
	if err := x.send("Enter"); err != nil {
		return err
	}
	_, err := waitAfter(tr, mark, "the jump's Enter", func(e event) bool { return e.Ev == "key" && e.Key == "Enter" })
	return err
}

// measureDescribe opens the node's describe.txt, which lists every pod on
// the node (all of them here) in pages, and meanwhile sends scrolling
// keys: the time until the text is on screen, and those keys' latencies.
func measureDescribe(x tmux, tr *trace, node string) (time.Duration, []time.Duration, error) {
	leaf := "/cluster/nodes/" + node + "/describe.txt"
	mark := len(tr.events())
	if err := jump(x, tr, leaf); err != nil {
		return 0, nil, err
	}
	enter, err := waitAfter(tr, mark, "the Enter", func(e event) bool { return e.Ev == "key" && e.Key == "Enter" })
	if err != nil {
		return 0, nil, err
	}
	// A key would end the jump while it still waits for a listing on the
	// way (the user steering takes over): the keys go once the leaf is
	// loading.
	if _, err := waitAfter(tr, mark, "the node's describe.txt loading", func(e event) bool {
		return e.Ev == "leaf" && e.Path == leaf && e.Loading
	}); err != nil {
		return 0, nil, err
	}
	keysMark := len(tr.events())
	for range 10 {
		if err := x.send("k"); err != nil {
			return 0, nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	shown, err := waitAfter(tr, mark, "the node's describe.txt", func(e event) bool { return e.Ev == "leaf" && e.Path == leaf && !e.Loading })
	if err != nil {
		return 0, nil, err
	}
	if shown.Error != "" {
		return 0, nil, fmt.Errorf("the node's describe.txt: the viewer shows an error: %s", shown.Error)
	}
	if err := waitKeys(tr, keysMark, 10, func(k string) bool { return k == "Rune[k]" }); err != nil {
		return 0, nil, err
	}
	return time.Duration(shown.T - enter.When), keyLatencies(tr.events()[keysMark:], func(k string) bool { return k == "Rune[k]" }), nil
}

// pss is the proportional set size of process pid: its private pages and
// its share of those it shares, so that the PSS of several processes adds
// up to what they cost together.
func pss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "Pss:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/smaps_rollup: no Pss", pid)
}
