package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// The soak's load: pods churning in the directory kfsui shows, and four
// containers logging hard into four open log panes.
const (
	soakNamespace = "soak"
	soakPods      = 100                    // pods kept in the churning directory
	churnEvery    = 200 * time.Millisecond // one pod created and the oldest deleted
	floodPanes    = 4
	floodBatch    = 500                    // lines per container per floodEvery
	floodEvery    = 100 * time.Millisecond // so 5,000 lines/s a pane, 20,000 in all
	floodLineLen  = 120
)

// soakSample is what kfsui's UI process said about itself at a minute.
type soakSample struct {
	minute     int
	heapLive   int64 // Go heap in use after a collection
	rss        int64
	goroutines int
}

// runSoak runs kfsui in tmux for minutes under churn and a log flood and
// prints its live heap, RSS and goroutines at each minute. Memory and
// goroutines must be flat once warm: at the end no more than 1.1 times
// what they were at minute 2.
func runSoak(minutes int) error {
	ctx := context.Background()
	dir, bin, c, tearDown, err := setUp(ctx, "kfsui-soak-")
	if err != nil {
		return err
	}
	defer tearDown()
	cs := c.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: soakNamespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	for i := range floodPanes {
		if _, err := c.CreatePod(ctx, soakNamespace, fmt.Sprintf("flood-%d", i), []string{"app"}, nil); err != nil {
			return err
		}
	}

	x := tmux{socket: fmt.Sprintf("kfsui-soak-%d", os.Getpid())}
	defer func() { _ = exec.Command("tmux", "-L", x.socket, "kill-server").Run() }()
	tr := &trace{path: filepath.Join(dir, "trace.jsonl")}
	cmdline := fmt.Sprintf("KFSUI_TRACE=%s KFSUI_TRACE_STATS=15s exec %s --kubeconfig %s --path /namespaces", tr.path, bin, c.KubeconfigPath)
	if err := x.run("new-session", "-d", "-s", "main", "-x", "200", "-y", "50", "sh", "-c", cmdline); err != nil {
		return err
	}
	first, err := tr.wait("the first frame", time.Minute, func(e event) bool { return e.Ev == "first-frame" })
	if err != nil {
		return err
	}
	// The churning directory open in the tree, then a pane per flooding
	// container (a jump to a .log opens its pane).
	podsDir := "/namespaces/" + soakNamespace + "/pods"
	if err := jump(x, tr, podsDir); err != nil {
		return err
	}
	if _, err := tr.wait("the soak directory listed", time.Minute, func(e event) bool { return e.Ev == "dir" && e.Path == podsDir && !e.Loading }); err != nil {
		return err
	}
	for i := range floodPanes {
		if err := jump(x, tr, fmt.Sprintf("%s/flood-%d/logs/app.log", podsDir, i)); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}

	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var churned, flooded int64
	var loadMu sync.Mutex
	var loadErr error
	wg.Go(func() {
		n, err := churn(loadCtx, cs)
		loadMu.Lock()
		churned, loadErr = n, err
		loadMu.Unlock()
	})
	for i := range floodPanes {
		wg.Go(func() {
			n := flood(loadCtx, c.Kubelet(), fmt.Sprintf("flood-%d", i))
			loadMu.Lock()
			flooded += n
			loadMu.Unlock()
		})
	}

	fmt.Printf("soaking for %d minutes: %d pods churning in %s (one replaced every %s), %d log panes taking %d lines/s each\n\n",
		minutes, soakPods, podsDir, churnEvery, floodPanes, int(floodBatch*time.Second/floodEvery))
	fmt.Printf("  %-8s %-16s %-12s %s\n", "minute", "live heap", "RSS", "goroutines")
	var samples []soakSample
	start := time.Now()
	for m := 1; m <= minutes; m++ {
		time.Sleep(time.Until(start.Add(time.Duration(m) * time.Minute)))
		s, err := sample(tr, first.Pid, m)
		if err != nil {
			stopLoad()
			wg.Wait()
			return err
		}
		samples = append(samples, s)
		fmt.Printf("  %-8d %-16s %-12s %d\n", s.minute, mb(s.heapLive), mb(s.rss), s.goroutines)
	}
	stopLoad()
	wg.Wait()
	if loadErr != nil {
		return fmt.Errorf("churn: %w", loadErr)
	}
	if err := x.send("q"); err != nil {
		return err
	}

	fmt.Printf("\n  %d pods created and deleted, %d lines logged\n", churned, flooded)
	if len(samples) < 3 {
		fmt.Println("  (under 3 minutes: no flatness verdict)")
		return nil
	}
	warm, end := samples[1], samples[len(samples)-1]
	verdict := func(what string, at2, atEnd int64, show func(int64) string) bool {
		ok := float64(atEnd) <= 1.1*float64(at2)
		mark := "ok"
		if !ok {
			mark = "MISSED"
		}
		fmt.Printf("  %-12s minute 2: %-10s end: %-10s ratio %.2f (≤ 1.10)  %s\n", what, show(at2), show(atEnd), float64(atEnd)/float64(at2), mark)
		return ok
	}
	okHeap := verdict("live heap", warm.heapLive, end.heapLive, mb)
	okRSS := verdict("RSS", warm.rss, end.rss, mb)
	okG := verdict("goroutines", int64(warm.goroutines), int64(end.goroutines), func(n int64) string { return fmt.Sprint(n) })
	if !okHeap || !okRSS || !okG {
		return fmt.Errorf("kfsui grew during the soak")
	}
	return nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// sample takes the newest stats event of the trace and the UI's RSS.
func sample(tr *trace, pid, minute int) (soakSample, error) {
	s := soakSample{minute: minute}
	events := tr.events()
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Ev == "stats" {
			s.heapLive, s.goroutines = e.HeapLive, e.Goroutines
			break
		}
	}
	if s.goroutines == 0 {
		return s, fmt.Errorf("minute %d: the trace has no stats yet", minute)
	}
	rss, _, _, err := memory(pid)
	s.rss = rss
	return s, err
}

// churn keeps soakPods pods in the soak namespace, creating one and
// deleting the oldest every churnEvery, until ctx ends; it returns how
// many it replaced.
func churn(ctx context.Context, cs kubernetes.Interface) (int64, error) {
	pods := cs.CoreV1().Pods(soakNamespace)
	var names []string
	var n int64
	tick := time.NewTicker(churnEvery)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return n, nil
		case <-tick.C:
		}
		name := fmt.Sprintf("churn-%06d", i)
		_, err := pods.Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "churn"}},
			Spec:       corev1.PodSpec{NodeName: "kfsui-node", Containers: []corev1.Container{{Name: "app", Image: "busybox:1.36"}}},
		}, metav1.CreateOptions{})
		if ctx.Err() != nil {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		names = append(names, name)
		if len(names) > soakPods {
			err := pods.Delete(ctx, names[0], metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
				return n, err
			}
			names = names[1:]
			n++
		}
	}
}

// flood writes floodBatch lines into pod's container every floodEvery
// until ctx ends, and returns how many it wrote.
func flood(ctx context.Context, k *testcluster.Kubelet, pod string) int64 {
	filler := strings.Repeat("x", floodLineLen-20)
	lines := make([]string, floodBatch)
	var n int64
	tick := time.NewTicker(floodEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return n
		case <-tick.C:
		}
		for i := range lines {
			lines[i] = fmt.Sprintf("%012d %s", n+int64(i), filler)
		}
		k.Write(soakNamespace, pod, "app", lines...)
		n += floodBatch
	}
}
