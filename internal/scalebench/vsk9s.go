package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
)

// The metrics bench (--vs-k9s K9S): on the scale scenario with the
// pinned metrics-server running and its scrape of every pod done, the
// real kfsui and the real k9s side by side, each in tmux as a person runs
// them, alternately, several times:
//
//   - every pod of every namespace with CPU and memory: kfsui --path
//     /all/pods against k9s --all-namespaces -c pods, from process start
//     to every row listed and the metrics columns filled, and then the
//     memory (PSS) of all the tool's processes;
//   - the 10,000-pod namespace with the metrics columns against the same
//     without them (--metrics-interval 0);
//   - what one metrics refresh of an open listing costs in requests, and
//     how old the figures shown get.
//
// Both are timed the same way: tmux's screen polled until it shows what
// is asked for.

// screenPoll is how often a session's screen is read.
const screenPoll = 20 * time.Millisecond

// screenTool is one run of a terminal program in its own tmux server.
type screenTool struct {
	x         tmux
	startFile string
}

// startScreen runs cmdline (a shell command that execs the program) in a
// new tmux server of w×h and returns once it runs; the shell notes the
// time just before it becomes the program.
func startScreen(dir, name string, w, h int, env []string, cmdline string) (*screenTool, error) {
	s := &screenTool{x: tmux{socket: fmt.Sprintf("kfsui-vs-%d-%s", os.Getpid(), name)}, startFile: filepath.Join(dir, "start-"+name)}
	full := fmt.Sprintf("date +%%s%%N > %s; exec env %s %s", s.startFile, strings.Join(env, " "), cmdline)
	if err := s.x.run("new-session", "-d", "-s", "main", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sh", "-c", full); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *screenTool) screen() string {
	out, _ := exec.Command("tmux", "-L", s.x.socket, "capture-pane", "-p", "-t", "main").Output()
	return string(out)
}

// waitScreen polls the screen until done says so, and returns how long
// after the process start that was.
func (s *screenTool) waitScreen(what string, timeout time.Duration, done func(string) bool) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		last = s.screen()
		if done(last) {
			at := time.Now().UnixNano()
			start, err := readStart(s.startFile)
			if err != nil {
				return 0, err
			}
			return time.Duration(at - start), nil
		}
		time.Sleep(screenPoll)
	}
	return 0, fmt.Errorf("timed out after %s waiting for %s; the screen:\n%s", timeout, what, last)
}

// pss sums the proportional set size of the program and every process
// it started.
func (s *screenTool) pss() (int64, error) {
	out, err := exec.Command("tmux", "-L", s.x.socket, "display-message", "-p", "-t", "main", "#{pane_pid}").Output()
	if err != nil {
		return 0, fmt.Errorf("pane pid: %v", err)
	}
	root, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, err
	}
	var total int64
	for _, pid := range processTree(root) {
		n, err := pss(pid)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// processTree is pid and its descendants.
func processTree(pid int) []int {
	out := []int{pid}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if child, err := strconv.Atoi(f); err == nil {
				out = append(out, processTree(child)...)
			}
		}
	}
	return out
}

func (s *screenTool) close() { _ = exec.Command("tmux", "-L", s.x.socket, "kill-server").Run() }

// k9sTitle is the title of k9s's pod view once listed: "pods(all)[30,000]".
var k9sTitle = regexp.MustCompile(`(?i)pods\(all\)\[([\d,]+)\]`)

// k9sReady reports whether k9s shows total pods with CPU figures in the
// first row: k9s writes n/a in CPU until it has metrics.
func k9sReady(total int) func(string) bool {
	return func(screen string) bool {
		m := k9sTitle.FindStringSubmatch(screen)
		if m == nil || strings.ReplaceAll(m[1], ",", "") != strconv.Itoa(total) {
			return false
		}
		return number(firstCell(screen, "CPU")) && number(firstCell(screen, "%CPU/R"))
	}
}

// number reports whether a cell is a figure: "12", "12m".
func number(cell string) bool {
	return cell != "" && cell[0] >= '0' && cell[0] <= '9'
}

// What kfsui's screen must show: every row; and CPU and MEM; and the
// shares of requests and limits too.
const (
	rowsShown = iota
	usageShown
	sharesShown
)

// kfsuiReady reports whether kfsui's breadcrumb says dir holds total
// entries and, from usageShown, that metrics are joined, with CPU figures
// in the first row, and from sharesShown its %CPU/R too.
func kfsuiReady(dir string, total, level int) func(string) bool {
	want := fmt.Sprintf("%s: %d entries", dir, total)
	return func(screen string) bool {
		if !strings.Contains(screen, want) {
			return false
		}
		if level >= usageShown && (!strings.Contains(screen, "· metrics ") || !number(firstCell(screen, "CPU"))) {
			return false
		}
		return level < sharesShown || number(firstCell(screen, "%CPU/R"))
	}
}

// firstCell is the text under column header col in the row below the
// header line, "" if there is none.
func firstCell(screen, col string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		at := strings.Index(l, " "+col+" ")
		if at < 0 || !strings.Contains(l, "NAME") || i+1 >= len(lines) {
			continue
		}
		row := []rune(lines[i+1])
		head := []rune(l[:at+1])
		if len(row) <= len(head) {
			return ""
		}
		f := strings.Fields(string(row[len(head):]))
		if len(f) == 0 {
			return ""
		}
		return f[0]
	}
	return ""
}

// vsFigures are the metrics bench's results.
type vsFigures struct {
	k9sAll, kfsuiAll       []time.Duration
	kfsuiAllUsage          []time.Duration // CPU and MEM, before the shares
	k9sPSS, kfsuiPSS       []int64
	bigWith, bigWithout    []time.Duration
	bigWithShares          []time.Duration
	bigPSSWith, bigPSSWout []int64
	refreshRequests        float64
	maxAge                 time.Duration
}

// runVsK9s runs the metrics bench against k9s, the binary at k9s.
func runVsK9s(k9s string, small bool, runs int) error {
	if _, err := os.Stat(k9s); err != nil {
		return fmt.Errorf("k9s: %w (build it with: GOBIN=DIR go install github.com/derailed/k9s@v0.50.16)", err)
	}
	ctx := context.Background()
	scale := scenario(small)
	total := scale.BigPods + scale.Namespaces*scale.PodsEach
	dir, bin, c, tearDown, err := setUp(ctx, "kfsui-vsk9s-")
	if err != nil {
		return err
	}
	defer tearDown()
	fmt.Printf("seeding %d pods…\n", total)
	if err := testcluster.SeedScale(ctx, c, scale); err != nil {
		return err
	}
	fmt.Println("starting metrics-server and waiting for its scrape of every pod…")
	began := time.Now()
	if err := c.StartMetricsServer(ctx); err != nil {
		return err
	}
	if err := waitPodMetrics(ctx, c, total); err != nil {
		return err
	}
	fmt.Printf("metrics for %d pods after %s\n", total, time.Since(began).Round(time.Second))
	time.Sleep(15 * time.Second)

	var f vsFigures
	k9sEnv := []string{"K9S_CONFIG_DIR=" + filepath.Join(dir, "k9s"), "XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "xdg"), "XDG_STATE_HOME=" + filepath.Join(dir, "xdg"), "XDG_CACHE_HOME=" + filepath.Join(dir, "xdg")}
	kfsuiEnv := []string{"XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg-kfsui"), "XDG_STATE_HOME=" + filepath.Join(dir, "xdg-kfsui")}
	for i := range runs {
		// k9s: every pod of every namespace, its metrics filled in.
		d, mem, err := timeScreen(dir, fmt.Sprintf("k9s-%d", i), k9sEnv,
			fmt.Sprintf("%s --kubeconfig %s --context dev --all-namespaces -c pods --readonly --logoless", k9s, c.KubeconfigPath),
			"k9s's pods of every namespace with metrics", k9sReady(total))
		if err != nil {
			return err
		}
		f.k9sAll, f.k9sPSS = append(f.k9sAll, d[0]), append(f.k9sPSS, mem)
		d, mem, err = timeScreen(dir, fmt.Sprintf("kfsui-%d", i), kfsuiEnv,
			fmt.Sprintf("%s --kubeconfig %s --path /all/pods", bin, c.KubeconfigPath),
			"kfsui's /all/pods with metrics", kfsuiReady("/all/pods", total, usageShown), kfsuiReady("/all/pods", total, sharesShown))
		if err != nil {
			return err
		}
		f.kfsuiAllUsage, f.kfsuiAll, f.kfsuiPSS = append(f.kfsuiAllUsage, d[0]), append(f.kfsuiAll, d[1]), append(f.kfsuiPSS, mem)
		fmt.Printf("  run %d: k9s %s %s, kfsui %s %s\n", i+1, ms(f.k9sAll[i]), mb(f.k9sPSS[i]), ms(f.kfsuiAll[i]), mb(f.kfsuiPSS[i]))
	}
	big := "/namespaces/" + testcluster.BigNamespace + "/pods"
	for i := range runs {
		d, mem, err := timeScreen(dir, fmt.Sprintf("big-with-%d", i), kfsuiEnv,
			fmt.Sprintf("%s --kubeconfig %s --path %s", bin, c.KubeconfigPath, big),
			"the big namespace with metrics", kfsuiReady(big, scale.BigPods, usageShown), kfsuiReady(big, scale.BigPods, sharesShown))
		if err != nil {
			return err
		}
		f.bigWith, f.bigWithShares, f.bigPSSWith = append(f.bigWith, d[0]), append(f.bigWithShares, d[1]), append(f.bigPSSWith, mem)
		d, mem, err = timeScreen(dir, fmt.Sprintf("big-without-%d", i), kfsuiEnv,
			fmt.Sprintf("%s --kubeconfig %s --path %s --metrics-interval 0", bin, c.KubeconfigPath, big),
			"the big namespace without metrics", kfsuiReady(big, scale.BigPods, rowsShown))
		if err != nil {
			return err
		}
		f.bigWithout, f.bigPSSWout = append(f.bigWithout, d[0]), append(f.bigPSSWout, mem)
		fmt.Printf("  run %d: big namespace with metrics %s %s, without %s %s\n", i+1, ms(f.bigWith[i]), mb(f.bigPSSWith[i]), ms(f.bigWithout[i]), mb(f.bigPSSWout[i]))
	}
	if f.refreshRequests, err = refreshCost(ctx, c, big); err != nil {
		return err
	}
	if f.maxAge, err = metricsAge(dir, bin, c.KubeconfigPath, kfsuiEnv); err != nil {
		return err
	}
	printVs(f)
	return nil
}

// timeScreen runs one session: the times from process start to each of
// the screens dones asks for, in turn, then, ten seconds on, the memory of
// all its processes.
func timeScreen(dir, name string, env []string, cmdline, what string, dones ...func(string) bool) ([]time.Duration, int64, error) {
	s, err := startScreen(dir, name, 400, 60, env, cmdline)
	if err != nil {
		return nil, 0, err
	}
	defer s.close()
	var times []time.Duration
	for _, done := range dones {
		d, err := s.waitScreen(what, 5*time.Minute, done)
		if err != nil {
			return nil, 0, err
		}
		times = append(times, d)
	}
	time.Sleep(10 * time.Second)
	mem, err := s.pss()
	if err != nil {
		return nil, 0, err
	}
	_ = s.x.send("q")
	time.Sleep(time.Second)
	return times, mem, nil
}

// waitPodMetrics waits until metrics-server serves the metrics of n pods.
func waitPodMetrics(ctx context.Context, c *testcluster.Cluster, n int) error {
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Minute)
	got := 0
	for time.Now().Before(deadline) {
		raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/apis/metrics.k8s.io/v1beta1/pods").DoRaw(ctx)
		if err == nil {
			got = strings.Count(string(raw), `"containers":`)
			if got >= n {
				return nil
			}
		}
		time.Sleep(2 * time.Second)
	}
	return fmt.Errorf("metrics-server serves the metrics of %d pods of %d after 5 minutes", got, n)
}

// refreshCost counts the requests an open pods listing with metrics sends
// over several intervals once its figures show, per interval.
func refreshCost(ctx context.Context, c *testcluster.Cluster, dir string) (float64, error) {
	var metricsRequests atomic.Int64
	const interval = 3 * time.Second
	conn, err := k8s.ConnectConfig(ctx, c.RESTConfig(), k8s.Info{Context: "bench"}, k8s.Options{
		MetricsInterval: interval,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if !strings.Contains(r.URL.RawQuery, "watch=true") {
					metricsRequests.Add(1)
				}
				return rt.RoundTrip(r)
			})
		},
	})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	t, ok := conn.Catalog().Lookup("pods")
	if !ok {
		return 0, errors.New("no pods type")
	}
	release := conn.Lists().Hold(t, testcluster.BigNamespace)
	defer release()
	deadline := time.Now().Add(2 * time.Minute)
	for conn.Names(t, testcluster.BigNamespace).Metrics.At.IsZero() {
		if time.Now().After(deadline) {
			return 0, errors.New("no metrics joined to the big namespace's pods after 2 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Settled: the first list, the objects' reflector, discovery.
	time.Sleep(interval)
	before := metricsRequests.Load()
	const intervals = 5
	time.Sleep(intervals * interval)
	return float64(metricsRequests.Load()-before) / intervals, nil
}

// metricsAge watches kfsui's breadcrumb over a minute and returns the
// oldest metrics age it showed.
func metricsAge(dir, bin, kubeconfig string, env []string) (time.Duration, error) {
	s, err := startScreen(dir, "age", 400, 60, env, fmt.Sprintf("%s --kubeconfig %s --path /all/pods", bin, kubeconfig))
	if err != nil {
		return 0, err
	}
	defer s.close()
	age := regexp.MustCompile(`metrics (\d+)s old`)
	var oldest time.Duration
	seen := false
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		if m := age.FindStringSubmatch(s.screen()); m != nil {
			n, _ := strconv.Atoi(m[1])
			oldest, seen = max(oldest, time.Duration(n)*time.Second), true
		}
	}
	if !seen {
		return 0, errors.New("kfsui never said how old its metrics are")
	}
	return oldest, nil
}

func medianOf(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianBytes(n []int64) int64 {
	s := slices.Clone(n)
	slices.Sort(s)
	return s[len(s)/2]
}

func printVs(f vsFigures) {
	row := func(what, got, target string, ok bool) {
		mark := "ok"
		if !ok {
			mark = "MISSED"
		}
		fmt.Printf("  %-62s %-26s %-22s %s\n", what, got, target, mark)
	}
	k9sT, kfsuiT := medianOf(f.k9sAll), medianOf(f.kfsuiAll)
	k9sM, kfsuiM := medianBytes(f.k9sPSS), medianBytes(f.kfsuiPSS)
	fmt.Println()
	fmt.Printf("  %-62s %-26s\n", "k9s --all-namespaces -c pods: start → all rows with metrics", fmt.Sprintf("%s (%s)", ms(k9sT), spreadOf(f.k9sAll)))
	fmt.Printf("  %-62s %-26s\n", "k9s: memory (PSS, all processes)", mb(k9sM))
	row("kfsui /all/pods: start → all rows with CPU and MEM", fmt.Sprintf("%s (%s)", ms(medianOf(f.kfsuiAllUsage)), spreadOf(f.kfsuiAllUsage)), "", true)
	row("kfsui /all/pods: start → all rows with metrics", fmt.Sprintf("%s (%s)", ms(kfsuiT), spreadOf(f.kfsuiAll)), "≥ 5× faster than k9s", k9sT >= 5*kfsuiT)
	row("  speed-up against k9s", fmt.Sprintf("%.1f×", float64(k9sT)/float64(kfsuiT)), "≥ 5×", k9sT >= 5*kfsuiT)
	row("kfsui /all/pods: memory (PSS, all processes)", mb(kfsuiM), "≤ ¼ of k9s's", 4*kfsuiM <= k9sM)
	withT, withoutT := medianOf(f.bigWith), medianOf(f.bigWithout)
	withM, withoutM := medianBytes(f.bigPSSWith), medianBytes(f.bigPSSWout)
	row("10,000 pods with metrics: start → all rows with CPU and MEM", fmt.Sprintf("%s (%s)", ms(withT), spreadOf(f.bigWith)), "", true)
	row("10,000 pods with metrics: … and the shares of requests/limits", fmt.Sprintf("%s (%s)", ms(medianOf(f.bigWithShares)), spreadOf(f.bigWithShares)), "", true)
	row("10,000 pods without metrics: start → all rows", fmt.Sprintf("%s (%s)", ms(withoutT), spreadOf(f.bigWithout)), "", true)
	row("  with against without", fmt.Sprintf("%.2f×", float64(withT)/float64(withoutT)), "≤ 1.2×", float64(withT) <= 1.2*float64(withoutT))
	row("  memory with metrics against without", fmt.Sprintf("%s vs %s", mb(withM), mb(withoutM)), "≤ +20 MB", withM-withoutM <= 20<<20)
	row("requests per metrics refresh of an open listing", fmt.Sprintf("%.1f", f.refreshRequests), "1 (one PodMetrics LIST)", f.refreshRequests <= 1.2)
	limit := k8s.DefaultMetricsInterval + testcluster.MetricsResolution
	row("oldest metrics shown over a minute", f.maxAge.String(), "≤ "+limit.String()+" (interval + scrape)", f.maxAge <= limit)
}

func spreadOf(d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	return fmt.Sprintf("%.0f–%.0f ms", float64(s[0])/1e6, float64(s[len(s)-1])/1e6)
}
