// Command scalebench measures kfsui against a big cluster: it starts a test
// cluster, seeds the scale scenario (testcluster.DefaultScale: 30,000 pods,
// 200 CRDs, 5,000 ConfigMaps), runs the real kfsui binary in tmux as a
// person would, and prints every figure next to its target. The timings
// come from the binary's own trace (KFSUI_TRACE): first frame, listings as
// drawn, each key's latency to the redraw after it, requests sent.
//
//	scripts/bench.sh        (installs what is needed, then runs this)
//	scripts/bench.sh --soak 10   (ten minutes of churn and log flood instead)
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"

	"github.com/kfsui/kfsui/internal/testcluster"
)

func main() {
	small := flag.Bool("small", false, "a tenth of the scenario, to try the bench quickly")
	soak := flag.Int("soak", 0, "instead, soak kfsui this many minutes under pod churn and a log flood (see soak.go)")
	flag.IntVar(&sessions, "sessions", sessions, "how many times to start kfsui and expand the big directory (and to time each mount and grep figure)")
	flag.BoolVar(&mountOnly, "mount-only", false, "only the mount's and kfsui grep's figures")
	vsK9s := flag.String("vs-k9s", "", "instead, the metrics bench: kfsui against this k9s binary (see vsk9s.go)")
	web := flag.Bool("web", false, "instead, kfsui web's bench: a 10,000-pod directory and log sockets in headless Chromium (see web.go)")
	webMinutes := flag.Int("web-minutes", 5, "how long --web follows 20 clients × 4 log sockets")
	helmK9s := flag.String("helm", "", "instead, the Helm bench: 500 releases, kfsui against this k9s binary's :helm (see helm.go)")
	flag.Parse()
	if sessions < 1 {
		fmt.Fprintln(os.Stderr, "scalebench: --sessions must be at least 1")
		os.Exit(2)
	}
	if *vsK9s != "" {
		if err := runVsK9s(*vsK9s, *small, min(sessions, 5)); err != nil {
			fmt.Fprintf(os.Stderr, "scalebench: vs k9s: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *helmK9s != "" {
		if err := runHelm(*helmK9s, *small, min(sessions, 5)); err != nil {
			fmt.Fprintf(os.Stderr, "scalebench: helm: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *web {
		if err := runWeb(*small, max(*webMinutes, 1)); err != nil {
			fmt.Fprintf(os.Stderr, "scalebench: web: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *soak > 0 {
		if err := runSoak(*soak); err != nil {
			fmt.Fprintf(os.Stderr, "scalebench: soak: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*small); err != nil {
		fmt.Fprintf(os.Stderr, "scalebench: %v\n", err)
		os.Exit(1)
	}
}

type event struct {
	Ev        string         `json:"ev"`
	T         int64          `json:"t"`
	Pid       int            `json:"pid"`
	Key       string         `json:"key"`
	When      int64          `json:"when"`
	LatencyNs int64          `json:"latency_ns"`
	QueueNs   int64          `json:"queue_ns"`
	ShowNs    int64          `json:"show_ns"`
	Path      string         `json:"path"`
	Entries   int            `json:"entries"`
	Bytes     int            `json:"bytes"`
	Error     string         `json:"error"`
	Loading   bool           `json:"loading"`
	Pending   int            `json:"pending"`
	Total     int            `json:"total"`
	Lists     int            `json:"lists"`
	Watches   int            `json:"watches"`
	Gets      int            `json:"gets"`
	Watched   map[string]int `json:"watched"`
	Open      map[string]int `json:"open_watches"`
	GCs       int            `json:"gcs"`
	GCPauseNs int64          `json:"gc_pause_ns"`
	HeapAlloc int64          `json:"heap_alloc"`
	HeapSys   int64          `json:"heap_sys"`
	// Stats, every KFSUI_TRACE_STATS: the live heap, the goroutines.
	HeapLive   int64 `json:"heap_live"`
	Goroutines int   `json:"goroutines"`
}

// trace reads the events the binary appends, incrementally: the bench
// shares two cores with kfsui and the API server, so polling must cost
// next to nothing.
type trace struct {
	path   string
	offset int64
	rest   []byte
	seen   []event
	bad    int // lines that were not JSON events
}

func (t *trace) events() []event {
	f, err := os.Open(t.path)
	if err != nil {
		return t.seen
	}
	defer f.Close()
	if _, err := f.Seek(t.offset, 0); err != nil {
		return t.seen
	}
	buf, err := io.ReadAll(f)
	if err != nil {
		return t.seen
	}
	t.offset += int64(len(buf))
	data := append(t.rest, buf...)
	for {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			break
		}
		var e event
		if json.Unmarshal(data[:nl], &e) == nil {
			t.seen = append(t.seen, e)
		} else {
			t.bad++
		}
		data = data[nl+1:]
	}
	t.rest = append([]byte(nil), data...)
	return t.seen
}

// wait polls the trace until cond finds an event, or fails after timeout.
func (t *trace) wait(what string, timeout time.Duration, cond func(event) bool) (event, error) {
	deadline := time.Now().Add(timeout)
	checked := 0
	for time.Now().Before(deadline) {
		events := t.events()
		for _, e := range events[checked:] {
			if cond(e) {
				return e, nil
			}
		}
		checked = len(events)
		time.Sleep(5 * time.Millisecond)
	}
	return event{}, fmt.Errorf("timed out after %s waiting for %s (%d unreadable trace lines)", timeout, what, t.bad)
}

type tmux struct{ socket string }

func (x tmux) run(args ...string) error {
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("tmux %v: %v: %s", args, err, out)
	}
	return nil
}

// cpuTimes are the CPU times used so far by kfsui's UI process and by the
// tmux server that shows it.
type cpuTimes struct{ ui, tmux time.Duration }

func (x tmux) cpu(uiPid int) (cpuTimes, error) {
	out, err := exec.Command("tmux", "-L", x.socket, "display-message", "-p", "#{pid}").Output()
	if err != nil {
		return cpuTimes{}, fmt.Errorf("tmux server pid: %v", err)
	}
	server, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return cpuTimes{}, err
	}
	var c cpuTimes
	if c.ui, err = cpuTime(uiPid); err != nil {
		return c, err
	}
	c.tmux, err = cpuTime(server)
	return c, err
}

// cpuTime is the user and system time process pid has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th of them.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

func (x tmux) send(keys ...string) error {
	return x.run(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// scenario is the scale scenario, or a tenth of it.
func scenario(small bool) testcluster.Scale {
	scale := testcluster.DefaultScale
	if small {
		scale.BigPods, scale.Namespaces, scale.CRDs, scale.ConfigMaps = 1000, 10, 20, 500
	}
	return scale
}

// setUp makes a working directory, builds kfsui into it and starts a test
// cluster; tearDown stops and removes them. The build comes first: it
// burns both cores, and nothing timed may follow it.
func setUp(ctx context.Context, prefix string) (dir, bin string, c *testcluster.Cluster, tearDown func(), err error) {
	if dir, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", nil, nil, err
	}
	bin = filepath.Join(dir, "kfsui")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/kfsui/kfsui").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", "", nil, nil, fmt.Errorf("go build: %v: %s", err, out)
	}
	fmt.Println("starting the test cluster…")
	if c, err = testcluster.Start(ctx, testcluster.Options{}); err != nil {
		os.RemoveAll(dir)
		return "", "", nil, nil, err
	}
	return dir, bin, c, func() { c.Stop(); os.RemoveAll(dir) }, nil
}

func run(small bool) error {
	ctx := context.Background()
	scale := scenario(small)
	dir, bin, c, tearDown, err := setUp(ctx, "kfsui-scalebench-")
	if err != nil {
		return err
	}
	defer tearDown()
	fmt.Printf("seeding: %d pods in %q, %d×%d pods in %d namespaces, %d CRDs × %d objects, %d ConfigMaps…\n",
		scale.BigPods, testcluster.BigNamespace, scale.Namespaces, scale.PodsEach, scale.Namespaces, scale.CRDs, scale.ObjectsEach, scale.ConfigMaps)
	start := time.Now()
	if err := testcluster.SeedScale(ctx, c, scale); err != nil {
		return err
	}
	seedTime := time.Since(start)
	fmt.Printf("seeded in %s\n", seedTime.Round(100*time.Millisecond))
	// Let the API server and etcd finish digesting the writes (compaction,
	// caches) before anything is timed.
	time.Sleep(15 * time.Second)
	if mountOnly {
		mnt, err := measureMount(ctx, c, bin, scale, sessions)
		if err != nil {
			return fmt.Errorf("mount and grep: %w", err)
		}
		fmt.Println()
		printMount(func(what, got, target string, ok bool) {
			mark := "ok"
			if !ok {
				mark = "MISSED"
			}
			fmt.Printf("  %-58s %-22s %-18s %s\n", what, got, target, mark)
		}, func(d []time.Duration) string {
			return fmt.Sprintf("%s (%.0f–%.0f)", ms(pct(d, 50)), float64(d[0])/float64(time.Millisecond), float64(d[len(d)-1])/float64(time.Millisecond))
		}, mnt)
		return nil
	}

	md, err := metadata.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	pods := md.Resource(podsGVR).Namespace(testcluster.BigNamespace)
	tables, err := newTableLister(c.RESTConfig())
	if err != nil {
		return err
	}
	// One list untimed, so neither the floor nor kfsui's first session
	// pays for cold caches in etcd.
	if _, err := bareList(ctx, pods); err != nil {
		return err
	}
	// On two shared cores one request's time varies by half: the floor
	// and kfsui's expansion are each taken several times, alternately,
	// and compared by their medians. Each session is a fresh process, so
	// each expansion lists from the server; the last one goes on to the
	// rest of the figures.
	var floors, tableFloors []time.Duration
	var tableBytes int
	var runs []*session
	for i := range sessions {
		floor, err := bareList(ctx, pods)
		if err != nil {
			return err
		}
		floors = append(floors, floor)
		tableFloor, n, err := tables.list(ctx)
		if err != nil {
			return err
		}
		tableFloors, tableBytes = append(tableFloors, tableFloor), n
		// The bench's own collection of the list it decoded, and the
		// server's tail of work, must not land on kfsui's start.
		runtime.GC()
		time.Sleep(time.Second)
		s, err := startSession(dir, bin, c.KubeconfigPath, i, scale)
		if s != nil {
			defer s.close()
		}
		if err != nil {
			return err
		}
		runs = append(runs, s)
		if i < sessions-1 {
			if err := s.quit(); err != nil {
				return err
			}
		}
	}
	last := runs[len(runs)-1]
	x, tr, first := last.x, last.tr, last.first
	time.Sleep(500 * time.Millisecond)

	// Scroll: a key every 20 ms, as key repeat sends them.
	mark := len(tr.events())
	steal0, t0 := stolen(), time.Now()
	cpu0, err := x.cpu(first.Pid)
	if err != nil {
		return err
	}
	for range 300 {
		if err := x.send("j"); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every key counts: wait until all 300 were drawn.
	if err := waitKeys(tr, mark, 300, func(k string) bool { return k == "Rune[j]" }); err != nil {
		return err
	}
	scroll := keyLatencies(tr.events()[mark:], func(k string) bool { return k == "Rune[j]" })
	cpu1, err := x.cpu(first.Pid)
	if err != nil {
		return err
	}
	slowScroll := slowest(tr.events()[mark:], func(k string) bool { return k == "Rune[j]" }, 4)
	steal1, t1 := stolen(), time.Now()

	// Filter: type into the tree filter, which narrows 10,000 names at
	// every keystroke; then clear it. More than 100 keys, so that the p99
	// is not simply the slowest key.
	mark = len(tr.events())
	words := []string{"web-01", "web-0999", "web-12", "web-3", "web-45", "web-678", "web-9", "web-20", "web-0",
		"web-11", "web-555", "web-7", "web-88", "web-1234", "web-6", "web-4321", "web-2"}
	for _, word := range words {
		if err := x.send("/"); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
		for _, ch := range word {
			if err := x.send("-l", string(ch)); err != nil {
				return err
			}
			time.Sleep(60 * time.Millisecond)
		}
		if err := x.send("Enter"); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
		if err := x.send("Escape"); err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The keys typed into the filter, each narrowing 10,000 names; not
	// the / that opens it or the Enter and Esc around it.
	typed := func(k string) bool { return strings.HasPrefix(k, "Rune[") && k != "Rune[/]" }
	if err := waitKeys(tr, mark, len(strings.Join(words, "")), typed); err != nil {
		return err
	}
	filter := keyLatencies(tr.events()[mark:], typed)
	slowFilter := slowest(tr.events()[mark:], typed, 2)
	steal2, t2 := stolen(), time.Now()

	// Sort the 10,000 rows by each column, and a status change.
	sorts, err := measureSort(x, tr, scale.BigPods)
	if err != nil {
		return err
	}
	slices.Sort(sorts)
	statusShown, err := measureStatus(ctx, c.Clientset(), x, tr)
	if err != nil {
		return err
	}

	// Cache the pods of every other namespace too: 30,000 pods' metadata.
	for i := range scale.Namespaces {
		p := "/namespaces/" + testcluster.ScaleNamespace(i) + "/pods"
		if err := x.send(":"); err != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
		if err := x.send("-l", p); err != nil {
			return err
		}
		if err := x.send("Enter"); err != nil {
			return err
		}
		if _, err := tr.wait(p+" listed", time.Minute, func(e event) bool {
			return e.Ev == "dir" && e.Path == p && !e.Loading && e.Entries == scale.PodsEach
		}); err != nil {
			return err
		}
	}
	time.Sleep(2 * time.Second)
	// The UI process and the supervisor that started it: both are kfsui.
	rss, hwm, ppid, err := memory(first.Pid)
	if err != nil {
		return err
	}
	// The supervisor's own pages: the binary's code it shares with the UI
	// process is already in the UI's RSS.
	superPrivate, err := privateMemory(ppid)
	if err != nil {
		return err
	}
	uiRSS := rss
	rss, hwm = rss+superPrivate, hwm+superPrivate
	uiPSS, err := pss(first.Pid)
	if err != nil {
		return err
	}
	superPSS, err := pss(ppid)
	if err != nil {
		return err
	}
	// Describing the node lists every pod on it: all of them here.
	describeTime, describeKeys, err := measureDescribe(x, tr, c.NodeName())
	if err != nil {
		return err
	}
	_, describeHWM, _, err := memory(first.Pid)
	if err != nil {
		return err
	}
	// Idle: with everything listed and watched, nothing should be asked
	// again. The help key, pressed before and after, marks the period.
	idle := 10 * time.Second
	presses := 0
	helpKey := func() (event, error) {
		presses++
		if err := x.send("?"); err != nil {
			return event{}, err
		}
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			seen := 0
			for _, e := range tr.events() {
				if e.Ev == "key" && e.Key == "Rune[?]" {
					if seen++; seen == presses {
						return e, nil
					}
				}
			}
		}
		return event{}, errors.New("timed out waiting for the ? key")
	}
	before, err := helpKey()
	if err != nil {
		return err
	}
	time.Sleep(idle)
	after, err := helpKey()
	if err != nil {
		return err
	}
	if err := x.send("q"); err != nil {
		return err
	}
	reqs, err := tr.wait("the request counts", time.Minute, func(e event) bool { return e.Ev == "requests" })
	if err != nil {
		return err
	}

	rt, err := tr.wait("the runtime figures", 10*time.Second, func(e event) bool { return e.Ev == "runtime" })
	if err != nil {
		return err
	}
	// Contexts: a session of its own, after every other figure is taken.
	sw, err := measureSwitch(dir, bin, c, scale)
	if err != nil {
		return err
	}
	// The mount and kfsui grep: processes of their own, the UI's gone.
	// Before tree.txt, so the big directory holds exactly its pods.
	mnt, err := measureMount(ctx, c, bin, scale, sessions)
	if err != nil {
		return fmt.Errorf("mount and grep: %w", err)
	}
	// Last, as it adds a Deployment's pods to the big namespace.
	tree, err := measureTree(ctx, c, sessions)
	if err != nil {
		return err
	}

	opened := 1 + 1 + scale.Namespaces // /namespaces, big's pods, each namespace's pods
	watchOnce := true
	for _, n := range reqs.Watched {
		if n != 1 {
			watchOnce = false
		}
	}
	fmt.Println()
	fmt.Printf("kfsui scale benchmark: %d pods (%d in one namespace), %d CRDs × %d objects, %d ConfigMaps; seeding took %s\n\n",
		scale.BigPods+scale.Namespaces*scale.PodsEach, scale.BigPods, scale.CRDs, scale.ObjectsEach, scale.ConfigMaps, seedTime.Round(time.Second))
	row := func(what, got, target string, ok bool) {
		mark := "ok"
		if !ok {
			mark = "MISSED"
		}
		fmt.Printf("  %-58s %-22s %-18s %s\n", what, got, target, mark)
	}
	fmt.Printf("  Timings up to the expansion are the median of %d sessions, a fresh process each, (min–max) in ms;\n", sessions)
	fmt.Printf("  the floor is the median of %d bare lists taken between them. The rest come from the last session.\n\n", sessions)
	fmt.Printf("  %-58s %-22s %-18s %s\n", "figure", "measured", "target", "")
	figure := func(f func(s *session) time.Duration) []time.Duration {
		var out []time.Duration
		for _, s := range runs {
			out = append(out, f(s))
		}
		slices.Sort(out)
		return out
	}
	spread := func(d []time.Duration) string {
		return fmt.Sprintf("%s (%.0f–%.0f)", ms(pct(d, 50)), float64(d[0])/float64(time.Millisecond), float64(d[len(d)-1])/float64(time.Millisecond))
	}
	ff := figure(func(s *session) time.Duration { return time.Duration(s.first.T - s.procStart) })
	row("process start → first frame", spread(ff), "≤ 100 ms", pct(ff, 50) <= 100*time.Millisecond)
	row("process start → /namespaces listed", spread(figure(func(s *session) time.Duration { return time.Duration(s.listed.T - s.procStart) })), "", true)
	expand := figure(func(s *session) time.Duration { return time.Duration(s.full.T - s.enter.When) })
	var floorsInOrder []string
	for _, f := range floors {
		floorsInOrder = append(floorsInOrder, fmt.Sprintf("%.0f", float64(f)/float64(time.Millisecond)))
	}
	slices.Sort(floors)
	floor := pct(floors, 50)
	row(fmt.Sprintf("Enter → %d pods with their columns in the tree", scale.BigPods), spread(expand), fmt.Sprintf("≤ 1.3 × %s", ms(floor)), float64(pct(expand, 50)) <= 1.3*float64(floor))
	row("  ratio to the floor (medians)", fmt.Sprintf("%.2f×", float64(pct(expand, 50))/float64(floor)), "≤ 1.3×", float64(pct(expand, 50)) <= 1.3*float64(floor))
	row("Enter → the listing complete (informer synced, watch open)", spread(figure(func(s *session) time.Duration { return time.Duration(s.synced.T - s.enter.When) })), "", true)
	row("Enter → the first page of names on screen", spread(figure(func(s *session) time.Duration { return time.Duration(s.page.T - s.enter.When) })), "", true)
	row(fmt.Sprintf("bare PartialObjectMetadataList of the %d pods, protobuf (floor)", scale.BigPods), spread(floors), "", true)
	slices.Sort(tableFloors)
	row(fmt.Sprintf("bare Table LIST of the same pods, includeObject=None (%.1f MB)", float64(tableBytes)/(1<<20)), spread(tableFloors), "", true)
	row(fmt.Sprintf("scrolling, key → redraw p50 / p99 (%d keys)", len(scroll)), ms(pct(scroll, 50))+" / "+ms(pct(scroll, 99)), "p99 ≤ 16 ms", pct(scroll, 99) <= 16*time.Millisecond)
	row(fmt.Sprintf("filtering, key → redraw p50 / p99 (%d keys)", len(filter)), ms(pct(filter, 50))+" / "+ms(pct(filter, 99)), "p99 ≤ 16 ms", pct(filter, 99) <= 16*time.Millisecond)
	row(fmt.Sprintf("sorting %d rows, key → sorted on screen, median / max (%d keys)", scale.BigPods, len(sorts)), ms(pct(sorts, 50))+" / "+ms(sorts[len(sorts)-1]), "≤ 50 ms", sorts[len(sorts)-1] <= 50*time.Millisecond)
	row("a pod's status changed (status subresource) → its cells on screen", ms(statusShown), "≤ 1 s", statusShown <= time.Second)
	row(fmt.Sprintf("memory with %d pods' columns cached: UI RSS + supervisor's private (UI's peak RSS + the supervisor's at the end)", scale.BigPods+scale.Namespaces*scale.PodsEach), fmt.Sprintf("%d MB (%d MB); UI alone %d MB", rss>>20, hwm>>20, uiRSS>>20), "≤ 150 MB", rss <= 150<<20 && hwm <= 150<<20)
	row("the same, PSS summed over kfsui's two processes (UI + supervisor)", fmt.Sprintf("%d MB (%d + %d)", (uiPSS+superPSS)>>20, uiPSS>>20, superPSS>>20), "", true)
	slices.Sort(describeKeys)
	row("describe.txt of the node (every pod on it, in pages of 500): Enter → on screen", ms(describeTime), "", true)
	row("  keys sent meanwhile, key → redraw max; UI peak RSS after it", fmt.Sprintf("%s; %d MB", ms(describeKeys[len(describeKeys)-1]), describeHWM>>20), "never blocked", describeKeys[len(describeKeys)-1] <= 100*time.Millisecond)
	row(fmt.Sprintf("tree.txt of a Deployment of %d pods among the %d: read, median (min–max)", treeReplicas, scale.BigPods), spread(tree.times), "≤ 1 s", pct(tree.times, 50) <= time.Second)
	row("  its API requests (owner GETs, metadata lists of each type, row GETs)", strconv.FormatInt(tree.requests, 10), "", true)
	row("Go heap at exit: in use / held; collections (total pause)", fmt.Sprintf("%d / %d MB; %d (%s)", rt.HeapAlloc>>20, rt.HeapSys>>20, rt.GCs, ms(time.Duration(rt.GCPauseNs))), "", true)
	row(fmt.Sprintf("requests while idle for %s (polling)", idle), strconv.Itoa(after.Total-before.Total), "0", after.Total == before.Total)
	row("API requests in all (lists / watches / gets)", fmt.Sprintf("%d (%d / %d / %d)", reqs.Total, reqs.Lists, reqs.Watches, reqs.Gets), "", true)
	row("listings opened / distinct watches", fmt.Sprintf("%d / %d", opened, len(reqs.Watched)), "one watch each", watchOnce && len(reqs.Watched) >= opened)
	slowest := sw.switches[len(sw.switches)-1]
	row(fmt.Sprintf("switching to a context connected already (:ctx -, %d switches): Enter → its %d pods on screen, median / max", len(sw.switches), scale.BigPods),
		fmt.Sprintf("%s / %s", ms(sw.switches[len(sw.switches)/2]), ms(slowest)), "≤ 100 ms", slowest <= 100*time.Millisecond)
	row(fmt.Sprintf("watches open on a context hidden past the idle timeout (%s); on the one shown", sw.idle),
		fmt.Sprintf("%d; %d", sw.hiddenWatches, sw.shownWatches), "0", sw.hiddenWatches == 0 && sw.shownWatches > 0)
	row("UI RSS with one context; with a second one connected, hidden past the idle timeout",
		fmt.Sprintf("%d MB; %d MB", sw.rssOne>>20, sw.rssTwo>>20), "", true)
	printMount(row, spread, mnt)
	fmt.Printf("\n  (watches beyond the listings opened: CustomResourceDefinitions and APIServices, which the catalog follows)\n")
	fmt.Printf("\n  per session, in order (ms): first frame %s; all names %s; floor before it %s\n",
		inOrder(runs, func(s *session) int64 { return s.first.T - s.procStart }),
		inOrder(runs, func(s *session) int64 { return s.full.T - s.enter.When }),
		strings.Join(floorsInOrder, " "))
	fmt.Printf("  slowest keys, ms = waiting for the UI goroutine + handling and drawing + writing to the terminal:\n")
	fmt.Printf("    scrolling %s; filtering %s\n", slowScroll, slowFilter)
	perKey := func(a, b time.Duration) string { return ms((b - a) / time.Duration(len(scroll))) }
	fmt.Printf("  CPU per scrolling key: kfsui's UI process %s, tmux server %s (drawing, and taking the bench's send-keys)\n", perKey(cpu0.ui, cpu1.ui), perKey(cpu0.tmux, cpu1.tmux))
	if steal0 >= 0 && steal1 >= 0 && steal2 >= 0 {
		fmt.Printf("  CPU time the hypervisor took from this machine (steal, all cores): %s in the %.1f s of scrolling, %s in the %.1f s of filtering\n",
			ms(steal1-steal0), t1.Sub(t0).Seconds(), ms(steal2-steal1), t2.Sub(t1).Seconds())
	}
	return nil
}

// stolen is the CPU time the hypervisor has taken from this machine's
// cores since boot (the steal column of /proc/stat); -1 if unknown. A slow
// key on a virtual machine may be one whose core was not running at all.
func stolen() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return -1
	}
	ticks, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil {
		return -1
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's and /proc/stat's
// times: 100 on every Linux architecture Go supports.
const clockTicks = 100

// slowest describes the n slowest of the keys which selects, each split
// into its parts, so that a missed p99 says where the time went.
func slowest(events []event, which func(string) bool, n int) string {
	var keys []event
	for _, e := range events {
		if e.Ev == "key" && which(e.Key) {
			keys = append(keys, e)
		}
	}
	slices.SortFunc(keys, func(a, b event) int { return cmp.Compare(b.LatencyNs, a.LatencyNs) })
	var out []string
	for _, k := range keys[:min(n, len(keys))] {
		f := func(ns int64) float64 { return float64(ns) / float64(time.Millisecond) }
		out = append(out, fmt.Sprintf("%.1f = %.1f + %.1f + %.1f", f(k.LatencyNs), f(k.QueueNs), f(k.LatencyNs-k.QueueNs-k.ShowNs), f(k.ShowNs)))
	}
	return strings.Join(out, "; ")
}

// bareList times the floor once: one PartialObjectMetadataList of the big
// namespace's pods, the least any client must do to know their names.
func bareList(ctx context.Context, pods metadata.ResourceInterface) (time.Duration, error) {
	start := time.Now()
	list, err := pods.List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	if len(list.Items) == 0 {
		return 0, errors.New("the bare list found no pods")
	}
	return time.Since(start), nil
}

// sessions is how many times the bench starts kfsui and expands the big
// directory.
var sessions = 9

// bigPods is the big directory.
const bigPods = "/namespaces/" + testcluster.BigNamespace + "/pods"

// session is one run of the binary in its own tmux server, from process
// start to the big directory listed.
type session struct {
	x                                        tmux
	tr                                       *trace
	procStart                                int64
	first, listed, enter, full, synced, page event
}

// startSession starts the binary, waits for /namespaces, expands the big
// directory with the jump bar and waits until it is listed.
func startSession(dir, bin, kubeconfig string, i int, scale testcluster.Scale, flags ...string) (*session, error) {
	s := &session{
		x:  tmux{socket: fmt.Sprintf("kfsui-bench-%d-%d", os.Getpid(), i)},
		tr: &trace{path: filepath.Join(dir, fmt.Sprintf("trace-%d.jsonl", i))},
	}
	x, tr := s.x, s.tr
	startFile := filepath.Join(dir, fmt.Sprintf("start-%d", i))
	// The shell notes the time just before it becomes kfsui: process start.
	cmdline := fmt.Sprintf("date +%%s%%N > %s; KFSUI_TRACE=%s exec %s --kubeconfig %s --path /namespaces %s", startFile, tr.path, bin, kubeconfig, strings.Join(flags, " "))
	if err := x.run("new-session", "-d", "-s", "main", "-x", "200", "-y", "50", "sh", "-c", cmdline); err != nil {
		return nil, err
	}
	var err error
	if s.first, err = tr.wait("the first frame", time.Minute, func(e event) bool { return e.Ev == "first-frame" }); err != nil {
		return s, err
	}
	if s.procStart, err = readStart(startFile); err != nil {
		return s, err
	}
	nsCount := 3 + scale.Namespaces + 4 // + default, kube-system, kube-public, kube-node-lease
	if s.listed, err = tr.wait("/namespaces listed", time.Minute, func(e event) bool {
		return e.Ev == "dir" && e.Path == "/namespaces" && !e.Loading && e.Entries >= nsCount
	}); err != nil {
		return s, err
	}
	// Expand the big directory with the jump bar.
	if err := x.send(":"); err != nil {
		return s, err
	}
	time.Sleep(200 * time.Millisecond)
	if err := x.send("-l", bigPods); err != nil {
		return s, err
	}
	time.Sleep(200 * time.Millisecond)
	if err := x.send("Enter"); err != nil {
		return s, err
	}
	if s.enter, err = tr.wait("the Enter key", time.Minute, func(e event) bool { return e.Ev == "key" && e.Key == "Enter" }); err != nil {
		return s, err
	}
	if s.full, err = tr.wait("all pods in the tree", 2*time.Minute, func(e event) bool {
		return e.Ev == "dir" && e.Path == bigPods && e.Entries == scale.BigPods
	}); err != nil {
		return s, err
	}
	if s.synced, err = tr.wait("the listing synced", 2*time.Minute, func(e event) bool {
		return e.Ev == "dir" && e.Path == bigPods && !e.Loading && e.Entries == scale.BigPods
	}); err != nil {
		return s, err
	}
	s.page, err = tr.wait("the first page", time.Second, func(e event) bool { return e.Ev == "dir" && e.Path == bigPods && e.Entries > 0 })
	return s, err
}

// quit quits kfsui and waits until it has said what it sent.
func (s *session) quit() error {
	if err := s.x.send("q"); err != nil {
		return err
	}
	if _, err := s.tr.wait("kfsui to quit", time.Minute, func(e event) bool { return e.Ev == "runtime" }); err != nil {
		return err
	}
	// Then until it has exited, its connections closed, and its
	// supervisor with it: the tmux session ends with them. The next floor
	// must not share the cores with a process shutting down.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s.x.run("has-session", "-t", "main") != nil {
			return nil
		}
	}
	return errors.New("kfsui did not exit within a minute of q")
}

func (s *session) close() { _ = exec.Command("tmux", "-L", s.x.socket, "kill-server").Run() }

// inOrder formats one figure of each session, in milliseconds.
func inOrder(runs []*session, f func(s *session) int64) string {
	var out []string
	for _, s := range runs {
		out = append(out, fmt.Sprintf("%.0f", float64(f(s))/1e6))
	}
	return strings.Join(out, " ")
}

// waitKeys waits until n keys chosen by which have been drawn since event
// mark.
func waitKeys(tr *trace, mark, n int, which func(string) bool) error {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if len(keyLatencies(tr.events()[mark:], which)) >= n {
			return nil
		}
	}
	return fmt.Errorf("timed out waiting for %d keys to be drawn", n)
}

func keyLatencies(events []event, which func(string) bool) []time.Duration {
	var out []time.Duration
	for _, e := range events {
		if e.Ev == "key" && which(e.Key) {
			out = append(out, time.Duration(e.LatencyNs))
		}
	}
	slices.Sort(out)
	return out
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func readStart(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// memory returns the resident and peak resident size of process pid, and
// its parent's pid.
func memory(pid int) (rss, hwm int64, ppid int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, perr := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss, err = n<<10, perr
		case "VmHWM:":
			hwm, err = n<<10, perr
		case "PPid:":
			ppid, err = int(n), perr
		}
		if err != nil {
			return 0, 0, 0, fmt.Errorf("/proc/%d/status: %s: %w", pid, f[0], err)
		}
	}
	return rss, hwm, ppid, nil
}

// privateMemory returns the memory only process pid holds: its private
// pages, not the binary's code it shares with another process.
func privateMemory(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, err
	}
	var total int64
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "Private_Clean:" || f[0] == "Private_Dirty:") {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/smaps_rollup: %w", pid, err)
			}
			total += kb << 10
		}
	}
	return total, nil
}

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
