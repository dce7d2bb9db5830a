package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// The web bench (--web): kfsui web, the real binary, against a cluster
// with a namespace of 10,000 pods, and headless Chromium (Debian's):
//
//   - the 10,000-pod directory from the request to its rows drawn, cold
//     (the first request lists the pods) and warm;
//   - the server's live heap with 1 and with 20 browsers on it (target:
//     the listing is shared, ≤ +5 MB a browser);
//   - one page following a container that writes as fast as it can
//     (target ≥ 100,000 lines/s into the page's buffer), with the longest
//     gap between the page's frames meanwhile;
//   - 20 clients × 4 log sockets for --web-minutes minutes (default 5):
//     the live heap flat (end ≤ 1.1× minute 1), no line lost for clients
//     that keep up.

const (
	webNamespace   = "web-bench"
	webBrowsers    = 20
	webFloodLines  = 500000
	webFloodLen    = 100
	webSoakClients = 20
	webSoakStreams = 4
	webSoakRate    = 50 // lines a second each container writes in the soak
)

// webServer is a kfsui web process.
type webServer struct {
	cmd   *exec.Cmd
	base  string // http://127.0.0.1:PORT
	start string // the start URL, with the token
	token string
	tr    *trace
}

// startWeb starts kfsui web on a free loopback port, tracing its live
// heap every second.
func startWeb(dir, bin, kubeconfig string) (*webServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	tr := &trace{path: filepath.Join(dir, "web-trace.jsonl")}
	cmd := exec.Command(bin, "--kubeconfig", kubeconfig, "web", "--listen", addr)
	cmd.Env = append(os.Environ(), "KFSUI_TRACE="+tr.path, "KFSUI_TRACE_STATS=1s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`https?://\S+\?token=[0-9a-f]+`)
		for sc.Scan() {
			if u := re.FindString(sc.Text()); u != "" {
				found <- u
			}
		}
	}()
	select {
	case u := <-found:
		token := u[strings.Index(u, "token=")+len("token="):]
		return &webServer{cmd: cmd, base: "http://" + addr, start: u, token: token, tr: tr}, nil
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("kfsui web printed no start URL within a minute")
	}
}

func (w *webServer) stop() {
	_ = w.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = w.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
	}
}

// connections counts the server's established connections.
func (w *webServer) connections() (int, error) {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(w.base, "http://"))
	out, err := exec.Command("ss", "-Htn", "state", "established", "sport", "=", ":"+port).Output()
	if err != nil {
		return 0, fmt.Errorf("ss: %w", err)
	}
	return strings.Count(string(out), "\n"), nil
}

// heap is the median of the next three live-heap samples of the trace
// (each taken after a collection).
func (w *webServer) heap() (int64, error) {
	mark := len(w.tr.events())
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got []int64
		for _, e := range w.tr.events()[mark:] {
			if e.Ev == "stats" {
				got = append(got, e.HeapLive)
			}
		}
		if len(got) >= 3 {
			got = got[:3]
			slices.Sort(got)
			return got[1], nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("kfsui web's trace has no heap samples (KFSUI_TRACE_STATS)")
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// newBrowser starts headless Chromium.
func newBrowser() (context.Context, func(), error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return nil, nil, fmt.Errorf("chromium is not installed (scripts/ensure-deps.sh installs it): %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 800), chromedp.Flag("headless", true),
		// Tabs in the background keep drawing, as a person's screens do.
		chromedp.Flag("disable-background-timer-throttling", true), chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`"started"`)); err != nil {
		cancel()
		cancelAlloc()
		return nil, nil, err
	}
	return ctx, func() { cancel(); cancelAlloc() }, nil
}

func runWeb(small bool, minutes int) error {
	ctx := context.Background()
	dir, bin, c, tearDown, err := setUp(ctx, "kfsui-webbench-")
	if err != nil {
		return err
	}
	defer tearDown()
	scale := testcluster.Scale{BigPods: 10000, Workers: 48}
	if small {
		scale.BigPods = 1000
	}
	fmt.Printf("seeding %d pods in %q…\n", scale.BigPods, testcluster.BigNamespace)
	if err := testcluster.SeedScale(ctx, c, scale); err != nil {
		return err
	}
	cs := c.Clientset()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: webNamespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	var containers []string
	for i := range webSoakStreams {
		containers = append(containers, fmt.Sprintf("c%d", i))
	}
	for name, cts := range map[string][]string{"flood": {"app"}, "soak": containers} {
		pod, err := c.CreatePod(ctx, webNamespace, name, cts, nil)
		if err != nil {
			return err
		}
		if _, err := c.WaitRunning(ctx, pod); err != nil {
			return err
		}
	}
	srv, err := startWeb(dir, bin, c.KubeconfigPath)
	if err != nil {
		return err
	}
	defer srv.stop()
	browserCtx, closeBrowser, err := newBrowser()
	if err != nil {
		return err
	}
	defer closeBrowser()
	if _, err := chromedp.Run(browserCtx, chromedp.Navigate(srv.start)); err != nil {
		return err
	}
	fmt.Println()
	ok := true
	row := func(what, got, target string, met bool) {
		mark := "ok"
		if !met {
			mark, ok = "MISSED", false
		}
		if target == "" {
			mark = ""
		}
		fmt.Printf("  %-58s %-22s %-14s %s\n", what, got, target, mark)
	}

	// The big directory, from the request to its rows.
	bigDir := srv.base + "/namespaces/" + testcluster.BigNamespace + "/pods"
	var times []time.Duration
	for range 6 {
		tab, cancel := chromedp.NewContext(browserCtx)
		d, err := pageRows(tab, bigDir, scale.BigPods)
		cancel()
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	scroll, err := scrollFrames(browserCtx, bigDir, scale.BigPods)
	if err != nil {
		return err
	}
	warm := slices.Clone(times[1:])
	slices.Sort(warm)
	row(fmt.Sprintf("%d-pod directory: request → rows drawn, first", scale.BigPods), ms(times[0]), "", true)
	row("… again (the listing cached), median of 5", ms(warm[2])+" ("+ms(warm[0])+"–"+ms(warm[4])+")", "", true)
	row("… scrolled through, a screen a frame: longest frame", ms(scroll), "", true)

	// 1 and 20 browsers on it.
	var tabs []context.CancelFunc
	defer func() {
		for _, cancel := range tabs {
			cancel()
		}
	}()
	open := func() error {
		tab, cancel := chromedp.NewContext(browserCtx)
		tabs = append(tabs, cancel)
		// The first Run on a context opens its tab, which lives as long
		// as that context: here the tab's own, not pageRows's.
		if err := chromedp.Do(tab); err != nil {
			return err
		}
		_, err := pageRows(tab, bigDir, scale.BigPods)
		return err
	}
	if err := open(); err != nil {
		return err
	}
	one, err := srv.heap()
	if err != nil {
		return err
	}
	rssOne, _, _, err := memory(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	for len(tabs) < webBrowsers {
		if err := open(); err != nil {
			return err
		}
	}
	twenty, err := srv.heap()
	if err != nil {
		return err
	}
	conns, err := srv.connections()
	if err != nil {
		return err
	}
	if conns < webBrowsers {
		return fmt.Errorf("%d browsers open, but the server holds %d connections", webBrowsers, conns)
	}
	rssTwenty, _, _, err := memory(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	each := (twenty - one) / (webBrowsers - 1)
	row("server live heap (RSS), 1 browser on the directory", mb(one)+" ("+mb(rssOne)+")", "", true)
	row(fmt.Sprintf("… %d browsers (%d connections): live heap (RSS), per extra browser", webBrowsers, conns),
		mb(twenty)+" ("+mb(rssTwenty)+"), +"+mb(each)+" (+"+mb((rssTwenty-rssOne)/(webBrowsers-1))+")", "≤ +5 MB", each <= 5<<20)
	for _, cancel := range tabs {
		cancel()
	}
	tabs = nil

	// One page following a flood.
	rate, dropped, gap, err := followFlood(browserCtx, srv, c.Kubelet())
	if err != nil {
		return err
	}
	row(fmt.Sprintf("one page following a flood of %d lines: lines/s", webFloodLines), fmt.Sprintf("%.0f", rate), "≥ 100,000", rate >= 100000)
	row("… lines the server let go for the page", strconv.Itoa(dropped), "", true)
	row("… the page's longest frame meanwhile", ms(gap), "", true)

	// 20 clients × 4 streams.
	if err := soakSockets(srv, c.Kubelet(), containers, minutes, row); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("a target was missed")
	}
	return nil
}

// pageRows opens the directory's page in tab and returns the time from
// the request to its live rows drawn, as the page measured it.
func pageRows(tab context.Context, url string, entries int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(url)); err != nil {
		return 0, fmt.Errorf("opening %s: %w", url, err)
	}
	want := strconv.Itoa(entries) + " entries"
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`performance.getEntriesByName("kfsui-rows").length > 0 &&
		document.querySelector("p.state").textContent.startsWith("`+want+`") && document.querySelector("tbody tr[data-index]") !== null`)); err != nil {
		return 0, fmt.Errorf("%s: rows never drawn: %w", url, err)
	}
	at, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByName("kfsui-rows")[0].startTime`))
	if err != nil {
		return 0, fmt.Errorf("%s: the rows' time: %w", url, err)
	}
	return time.Duration(at * float64(time.Millisecond)), nil
}

// scrollFrames opens the directory's page and scrolls through all its
// rows, a screen a frame, and returns the page's longest frame.
func scrollFrames(browserCtx context.Context, url string, entries int) (time.Duration, error) {
	tab, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	if err := chromedp.Do(tab); err != nil { // opens the tab: see open
		return 0, err
	}
	ctx, cancelT := context.WithTimeout(tab, time.Minute)
	defer cancelT()
	if _, err := pageRows(ctx, url, entries); err != nil {
		return 0, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.kfsuiScroll = 0; (function () {
		const view = document.scrollingElement;
		let last = performance.now(), gap = 0;
		function frame(t) {
			gap = Math.max(gap, t - last); last = t;
			if (view.scrollTop + window.innerHeight >= view.scrollHeight) { window.kfsuiScroll = gap || 1; return; }
			view.scrollTop += window.innerHeight;
			requestAnimationFrame(frame);
		}
		requestAnimationFrame(t => { last = t; requestAnimationFrame(frame); });
		return "scrolling"; })()`)); err != nil {
		return 0, fmt.Errorf("scrolling %s: %w", url, err)
	}
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`window.kfsuiScroll > 0`)); err != nil {
		state, _ := chromedp.Run(tab, chromedp.Evaluate[string](`[document.visibilityState, document.scrollingElement.scrollTop, window.innerHeight, document.scrollingElement.scrollHeight].join(" ")`))
		return 0, fmt.Errorf("scrolling %s: %w (visibility, scroll top, height, scroll height: %s)", url, err, state)
	}
	gap, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.kfsuiScroll`))
	return time.Duration(gap * float64(time.Millisecond)), err
}

// followFlood opens a container's log pane, floods the container, and
// returns the lines a second the page took in, the lines the server let
// go, and the page's longest time between two frames meanwhile.
func followFlood(browserCtx context.Context, srv *webServer, k *testcluster.Kubelet) (rate float64, dropped int, gap time.Duration, err error) {
	tab, cancel := chromedp.NewContext(browserCtx)
	defer cancel()
	if err := chromedp.Do(tab); err != nil { // opens the tab: see open
		return 0, 0, 0, err
	}
	ctx, cancelT := context.WithTimeout(tab, 5*time.Minute)
	defer cancelT()
	url := srv.base + "/namespaces/" + webNamespace + "/pods/flood/logs/app.log"
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(`.pane[data-live="1"]`)); err != nil {
		return 0, 0, 0, err
	}
	for k.OpenStreams(webNamespace, "flood", "app") == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	// chromedp turns on the Network domain, which reports every
	// WebSocket frame to it: a cost no person's browser pays.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.Disable, cdp.Empty{})
		return err
	})); err != nil {
		return 0, 0, 0, err
	}
	// The page's frames, timed by the page.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.kfsuiGap = 0; (function () {
		let last = performance.now();
		function frame(t) { window.kfsuiGap = Math.max(window.kfsuiGap, t - last); last = t; requestAnimationFrame(frame); }
		requestAnimationFrame(frame); return "probing"; })()`)); err != nil {
		return 0, 0, 0, err
	}
	began := time.Now()
	k.Flood(webNamespace, "flood", "app", webFloodLines, webFloodLen)
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
		`(p => p && +p.dataset.received + +p.dataset.dropped >= `+strconv.Itoa(webFloodLines)+`)(document.querySelector(".pane"))`,
		chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		return 0, 0, 0, fmt.Errorf("the flood never all reached the page: %w", err)
	}
	took := time.Since(began)
	type result struct {
		Received, Dropped int
		Gap               float64
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[result](`(p => ({received: +p.dataset.received, dropped: +p.dataset.dropped, gap: window.kfsuiGap}))(document.querySelector(".pane"))`))
	if err != nil {
		return 0, 0, 0, err
	}
	return float64(r.Received) / took.Seconds(), r.Dropped, time.Duration(r.Gap * float64(time.Millisecond)), nil
}

// soakSockets has webSoakClients clients each follow the soak pod's
// containers over their own sockets for minutes while each container
// writes webSoakRate numbered lines a second; it reports the server's
// live heap each minute and any line a client missed.
func soakSockets(srv *webServer, k *testcluster.Kubelet, containers []string, minutes int, row func(what, got, target string, met bool)) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var lost, got, dropped atomic.Int64
	var wg sync.WaitGroup
	failures := make(chan error, webSoakClients*len(containers))
	for range webSoakClients {
		for _, ct := range containers {
			u := "ws" + strings.TrimPrefix(srv.base, "http") + "/namespaces/" + webNamespace + "/pods/soak/logs/" + ct + ".log?follow&tailLines=0"
			conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + srv.token}}})
			if err != nil {
				return err
			}
			wg.Go(func() {
				defer conn.CloseNow()
				last := -1
				for {
					_, b, err := conn.Read(ctx)
					if err != nil {
						if ctx.Err() == nil {
							failures <- err
						}
						return
					}
					var f struct {
						Line    string
						Dropped int
					}
					if json.Unmarshal(b, &f) != nil {
						continue
					}
					dropped.Add(int64(f.Dropped))
					n, err := strconv.Atoi(strings.TrimSpace(f.Line))
					if err != nil {
						continue // a state frame
					}
					if last >= 0 && n != last+1 {
						lost.Add(int64(n - last - 1))
					}
					last = n
					got.Add(1)
				}
			})
		}
	}
	for _, ct := range containers {
		for k.OpenStreams(webNamespace, "soak", ct) < webSoakClients {
			time.Sleep(50 * time.Millisecond)
		}
	}
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var lines []string
			for range webSoakRate / 10 {
				lines = append(lines, strconv.Itoa(n))
				n++
			}
			for _, ct := range containers {
				k.Write(webNamespace, "soak", ct, lines...)
			}
		}
	})
	fmt.Printf("\n  %d clients × %d log sockets for %d minutes, each container writing %d lines/s:\n", webSoakClients, len(containers), minutes, webSoakRate)
	var heaps []int64
	start := time.Now()
	for m := 1; m <= minutes; m++ {
		time.Sleep(time.Until(start.Add(time.Duration(m) * time.Minute)))
		h, err := srv.heap()
		if err != nil {
			return err
		}
		heaps = append(heaps, h)
		fmt.Printf("    minute %d: live heap %s, %d lines received\n", m, mb(h), got.Load())
		select {
		case err := <-failures:
			return fmt.Errorf("a log socket failed: %w", err)
		default:
		}
	}
	stop()
	wg.Wait()
	ratio := float64(heaps[len(heaps)-1]) / float64(heaps[0])
	row("log sockets: live heap at the end / minute 1", fmt.Sprintf("%s / %s = %.2f", mb(heaps[len(heaps)-1]), mb(heaps[0]), ratio), "≤ 1.10", ratio <= 1.1)
	row("… lines received / lost / let go", fmt.Sprintf("%d / %d / %d", got.Load(), lost.Load(), dropped.Load()), "0 lost", lost.Load() == 0 && dropped.Load() == 0)
	return nil
}
