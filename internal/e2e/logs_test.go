package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// runningPod creates a pod on the fake node with the given containers.
func runningPod(t testing.TB, ns, name string, containers ...string) {
	t.Helper()
	if _, err := testcluster.Shared(t).CreatePod(ctx(t), ns, name, containers, nil); err != nil {
		t.Fatal(err)
	}
}

// openLogPane selects a .log leaf in the tree and presses Enter.
func (d *driver) openLogPane(path string) {
	d.t.Helper()
	d.waitFor("the log leaf", 10*time.Second, func(string) bool {
		ok := false
		d.app.QueueUpdateDraw(func() { ok = d.app.Tree().Select(path) })
		return ok
	})
	d.key(tcell.KeyEnter)
	d.waitFor("the pane to open", 10*time.Second, func(string) bool { return d.pane(path) != nil })
}

// pane returns the open log pane labelled label, nil if there is none.
func (d *driver) pane(label string) *app.LogPaneInfo {
	var found *app.LogPaneInfo
	d.app.QueueUpdateDraw(func() {
		for _, p := range d.app.LogPanes() {
			if p.Label == label {
				p := p
				found = &p
			}
		}
	})
	return found
}

func TestE2ELogPanesFollowLiveAndSeveralAtOnce(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "logs")
	runningPod(t, ns, "chat", "app", "side")
	k.Write(ns, "chat", "app", "hello 1", "hello 2", "hello 3")
	k.Write(ns, "chat", "side", "side 1")

	logs := "/namespaces/" + ns + "/pods/chat/logs"
	d := startApp(t, logs)
	d.openLogPane(logs + "/app.log")
	d.waitText(10*time.Second, "hello 1", "hello 3", "following")

	start := time.Now()
	k.Write(ns, "chat", "app", "live 4")
	d.waitText(2*time.Second, "live 4")
	t.Logf("a written line showed after %v", time.Since(start))

	d.key(tcell.KeyEscape)
	d.openLogPane(logs + "/side.log")
	d.waitText(10*time.Second, "side 1")
	k.Write(ns, "chat", "side", "side 2")
	k.Write(ns, "chat", "app", "live 5")
	d.waitText(5*time.Second, "side 2", "live 5", logs+"/app.log", logs+"/side.log")
	if n := k.OpenStreams(ns, "chat", "app") + k.OpenStreams(ns, "chat", "side"); n != 2 {
		t.Errorf("%d open streams at the kubelet, want 2", n)
	}

	// Quitting ends every stream.
	d.quit()
	eventually(t, "the kubelet's streams to close after quitting", 10*time.Second, func() bool {
		return k.OpenStreams(ns, "chat", "app")+k.OpenStreams(ns, "chat", "side") == 0
	}, noDetail)
}

func TestE2ELogForbiddenShowsTheError(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "logrbac")
	runningPod(t, ns, "p", "app")
	c.Kubelet().Write(ns, "p", "app", "secret line")
	// May see pods, may not read their logs (pods/log).
	user := "nolog-" + ns
	grantRole(t, ns, "pod-reader", user, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}})
	kubeconfig, err := c.WriteUserKubeconfig(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := "/namespaces/" + ns + "/pods/p/logs"
	conn, counter := connectAs(t, kubeconfig, ns)
	d := runApp(t, conn, fsFor(conn, ns, model.Options{}), app.Options{StartPath: logs})
	d.openLogPane(logs + "/app.log")
	screen := d.waitText(10*time.Second, `error: pods "p" is forbidden`, `cannot get resource "pods/log"`)
	if strings.Contains(screen, "secret line") {
		t.Errorf("a forbidden log showed:\n%s", screen)
	}
	// Not retried: one request, however long the pane stays open. The
	// apiserver refuses it before the kubelet, which sees nothing.
	time.Sleep(1500 * time.Millisecond)
	if got := counter.matching("/namespaces/" + ns + "/pods/p/log?"); len(got) != 1 {
		t.Errorf("%d requests for a forbidden log, want 1: %v", len(got), got)
	}
	n := 0
	for _, r := range c.Kubelet().Requests() {
		if r.Namespace == ns {
			n++
		}
	}
	if n != 0 {
		t.Errorf("the kubelet saw %d requests for a forbidden log", n)
	}
}

func TestE2ELogContentIsFaithful(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "faithful")
	runningPod(t, ns, "p", "app")
	long := strings.Repeat("0123456789", 400) + "END-OF-LONG"
	k.Write(ns, "p", "app",
		"\x1b[31mRED\x1b[0m plain",
		"tag [red]x[-] and [::b]b",
		"osc \x1b]52;c;aGk=\x07 gone",
		long)
	k.WriteRaw(ns, "p", "app", "bad \xff\xfe utf8\nno newline at the end")

	logs := "/namespaces/" + ns + "/pods/p/logs"
	d := startApp(t, logs)
	d.openLogPane(logs + "/app.log")
	screen := d.waitText(10*time.Second, "RED plain", "tag [red]x[-] and [::b]b", "osc  gone", "bad �� utf8", "no newline at the end", "END-OF-LONG")
	if fg := d.colorOf("RED plain"); fg != tcell.ColorMaroon {
		t.Errorf("ANSI red shows as %v", fg)
	}
	if strings.Contains(screen, "52;c") {
		t.Errorf("an OSC sequence reached the screen:\n%s", screen)
	}
	// The unfinished line is completed in place when its newline arrives.
	k.WriteRaw(ns, "p", "app", ", finished\n")
	d.waitText(5*time.Second, "no newline at the end, finished")

	year := fmt.Sprint(time.Now().UTC().Year())
	d.keys("t")
	d.waitText(5*time.Second, year+"-", "Z RED plain")
	d.keys("t")
	d.waitFor("timestamps off", 5*time.Second, func(s string) bool { return !strings.Contains(s, "Z RED plain") })
	d.keys("w")
	d.waitFor("long lines cut", 5*time.Second, func(s string) bool { return !strings.Contains(s, "END-OF-LONG") })
	d.keys("w")
	d.waitText(5*time.Second, "END-OF-LONG")
	d.keys("z")
	d.waitFor("the pane maximised", 5*time.Second, func(s string) bool { return !strings.Contains(s, "├──cluster/") })
	d.keys("z")
	d.waitText(5*time.Second, "├──cluster/", "RED plain")
}

func TestE2ELogPreviousAndWindows(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "prev")
	runningPod(t, ns, "p", "app")
	k.SetPrevious(ns, "p", "app", "old run 1", "old run 2: panic")
	k.Write(ns, "p", "app", "new run 1")
	logs := "/namespaces/" + ns + "/pods/p/logs"
	d := startApp(t, logs)
	d.openLogPane(logs + "/app.log")
	d.waitText(10*time.Second, "new run 1")
	d.keys("p")
	d.waitFor("the previous instance", 10*time.Second, func(s string) bool {
		return strings.Contains(s, "old run 2: panic") && strings.Contains(s, "previous") && !strings.Contains(s, "new run 1")
	})
	d.keys("p")
	d.waitFor("the current instance", 10*time.Second, func(s string) bool {
		return strings.Contains(s, "new run 1") && !strings.Contains(s, "old run 2")
	})
	// More lines than the default: + doubles the tail.
	d.keys("0+")
	d.waitText(5*time.Second, "last 2000")

	// A container restart ends the stream; the pane picks up the new run.
	if err := c.RestartContainer(ctx(t), ns, "p", "app"); err != nil {
		t.Fatal(err)
	}
	k.Write(ns, "p", "app", "third run 1")
	screen := d.waitText(15*time.Second, "third run 1", "following")
	if n := strings.Count(screen, "new run 1"); n != 1 {
		t.Errorf("the earlier run's line shows %d times after the restart:\n%s", n, screen)
	}

	// A window of one minute leaves out an hour-old line.
	k.WriteAt(ns, "p", "app", time.Now().Add(-time.Hour), "an hour ago")
	d.keys("5")
	d.waitText(10*time.Second, "an hour ago", "all")
	d.keys("1")
	d.waitFor("the 1m window", 10*time.Second, func(s string) bool {
		return !strings.Contains(s, "an hour ago") && strings.Contains(s, "1m")
	})
}

func TestE2ELogMergedPane(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "merged")
	runningPod(t, ns, "m", "app", "side")
	base := time.Now().Add(-time.Minute)
	k.WriteAt(ns, "m", "app", base, "A first")
	k.WriteAt(ns, "m", "app", base.Add(2*time.Second), "A third")
	k.WriteAt(ns, "m", "side", base.Add(time.Second), "S second")
	k.WriteAt(ns, "m", "side", base.Add(3*time.Second), "S fourth")

	obj := "/namespaces/" + ns + "/pods/m"
	d := startApp(t, obj)
	d.waitSelected(obj, 10*time.Second)
	d.keys("L")
	screen := d.waitText(10*time.Second, "app A first", "side S second", "app A third", "side S fourth")
	order := []string{"app A first", "side S second", "app A third", "side S fourth"}
	for i := 1; i < len(order); i++ {
		if strings.Index(screen, order[i-1]) > strings.Index(screen, order[i]) {
			t.Errorf("%q shows after %q:\n%s", order[i-1], order[i], screen)
		}
	}
	if d.pane(obj+"/logs/*") == nil {
		t.Error("no merged pane labelled with the pod's logs")
	}
	if containerColor := d.colorOf("app A first"); containerColor == d.colorOf("side S second") {
		t.Error("both containers' names have the same color")
	}
}

func TestE2ELogReconnectsWithoutDuplicatesAndEndsWithThePod(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "reconnect")
	runningPod(t, ns, "p", "app")
	k.Write(ns, "p", "app", "before 1", "before 2", "before 3")
	logs := "/namespaces/" + ns + "/pods/p/logs"
	d := startApp(t, logs)
	d.openLogPane(logs + "/app.log")
	d.waitText(10*time.Second, "before 3")

	if n := k.DropStreams(ns, "p", "app"); n != 1 {
		t.Fatalf("dropped %d streams", n)
	}
	k.Write(ns, "p", "app", "after 1")
	screen := d.waitText(15*time.Second, "after 1", "following")
	for _, l := range []string{"before 1", "before 2", "before 3", "after 1"} {
		if n := strings.Count(screen, l); n != 1 {
			t.Errorf("%q shows %d times after the reconnect:\n%s", l, n, screen)
		}
	}
	reqs := k.Requests()
	last := reqs[len(reqs)-1]
	if last.SinceTime == nil || last.TailLines != nil {
		t.Errorf("the reconnect asked %q; want a resume with sinceTime", last.RawQuery)
	}

	deletePodNow(t, ns, "p")
	d.waitText(10*time.Second, "ended: pod deleted")
	d.waitFor("the stream to close", 10*time.Second, func(string) bool { return k.OpenStreams(ns, "p", "app") == 0 })
}

func TestE2ELogFilterSearchAndBound(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "filter")
	runningPod(t, ns, "p", "app")
	for i := 0; i < 300; i++ {
		level := "INFO"
		if i%50 == 7 {
			level = "ERROR"
		}
		k.Write(ns, "p", "app", fmt.Sprintf("%s line %03d", level, i))
	}
	logs := "/namespaces/" + ns + "/pods/p/logs"
	saveDir := t.TempDir()
	d := startAppWith(t, testcluster.Shared(t).KubeconfigPath, "", app.Options{StartPath: logs, LogBuffer: 200, SaveDir: saveDir})
	d.openLogPane(logs + "/app.log")
	d.waitText(10*time.Second, "INFO line 299", "100 evicted (max 200)")

	d.keys("f")
	d.keys("error")
	d.key(tcell.KeyEnter)
	// Lines 0-99 were evicted: ERROR lines 107, 157, 207 and 257 are left.
	screen := d.waitText(5*time.Second, "ERROR line 107", "ERROR line 257", "filter error: 4")
	if strings.Contains(screen, "INFO line") {
		t.Errorf("the filter let other lines through:\n%s", screen)
	}
	d.keys("f")
	d.key(tcell.KeyEnter) // an empty filter shows all again
	d.waitText(5*time.Second, "INFO line 299")

	d.keys("/")
	d.keys("line 1[0-9]5")
	d.key(tcell.KeyEnter)
	d.waitText(5*time.Second, "INFO line 105", "PAUSED")
	d.keys("n")
	d.waitText(5*time.Second, "INFO line 115")

	d.keys("f")
	d.keys("(")
	d.key(tcell.KeyEnter)
	d.waitText(5*time.Second, "invalid pattern")

	d.screen.InjectKey(tcell.KeyCtrlS, 0, tcell.ModCtrl)
	screen = d.waitText(5*time.Second, "saved 200 lines to "+saveDir)
	files, _ := filepath.Glob(filepath.Join(saveDir, "*.log"))
	if len(files) != 1 {
		t.Fatalf("saved files: %v\n%s", files, screen)
	}
	data, _ := os.ReadFile(files[0])
	if lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"); len(lines) != 200 || lines[199] != "INFO line 299" {
		t.Errorf("the saved file has %d lines, ending %q", len(lines), lines[len(lines)-1])
	}
	d.keys("c")
	d.waitText(5*time.Second, "┃ 0 lines, 100 evicted")
}

func TestE2EClosingLogPanesLeavesNothingRunning(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "close")
	runningPod(t, ns, "p", "a", "b")
	k.Write(ns, "p", "a", "a 1")
	k.Write(ns, "p", "b", "b 1")
	logs := "/namespaces/" + ns + "/pods/p/logs"
	d := startApp(t, logs)
	d.waitText(10*time.Second, "──a.log")
	time.Sleep(500 * time.Millisecond) // let start-up goroutines settle
	before := runtime.NumGoroutine()

	d.openLogPane(logs + "/a.log")
	d.key(tcell.KeyEscape)
	d.openLogPane(logs + "/b.log")
	d.waitText(10*time.Second, "a 1", "b 1")
	if k.OpenStreams(ns, "p", "a")+k.OpenStreams(ns, "p", "b") != 2 {
		t.Fatal("the streams did not open")
	}
	d.keys("x")
	d.keys("\t") // tree → viewer → the remaining pane
	d.waitFor("one pane left", 5*time.Second, func(string) bool { return len(paneLabels(d)) == 1 })
	d.app.QueueUpdateDraw(func() {})
	d.keys("\t")
	d.waitFor("focus on the pane", 5*time.Second, func(string) bool { return focusedPane(d) != "" })
	d.keys("x")
	d.waitFor("no panes", 5*time.Second, func(string) bool { return len(paneLabels(d)) == 0 })
	d.waitFor("the kubelet's streams to close", 10*time.Second, func(string) bool {
		return k.OpenStreams(ns, "p", "a")+k.OpenStreams(ns, "p", "b") == 0
	})
	eventually(t, "the goroutines to go back to where they were", 10*time.Second,
		func() bool { return runtime.NumGoroutine() <= before },
		func() string {
			buf := make([]byte, 1<<20)
			return fmt.Sprintf("%d goroutines before opening the panes, %d after closing them:\n%s",
				before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		})
}

func paneLabels(d *driver) []string {
	var out []string
	d.app.QueueUpdateDraw(func() {
		for _, p := range d.app.LogPanes() {
			out = append(out, p.Label)
		}
	})
	return out
}

func focusedPane(d *driver) string {
	label := ""
	d.app.QueueUpdateDraw(func() {
		for _, p := range d.app.LogPanes() {
			if p.Focused {
				label = p.Label
			}
		}
	})
	return label
}
