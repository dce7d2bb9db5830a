package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/cli"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// driver runs the real app against the shared cluster on a simulation
// screen: keys in, screen text out.
type driver struct {
	t       testing.TB
	app     *app.App
	screen  tcell.SimulationScreen
	conn    *k8s.Conn
	done    chan error
	stopped bool
}

const screenW, screenH = 200, 120

// startApp runs the app against the shared cluster as its admin, with start
// as the directory to open ("" for the default).
func startApp(t testing.TB, start string) *driver {
	t.Helper()
	return startAppAs(t, testcluster.Shared(t).KubeconfigPath, "", start)
}

// startAppAs runs the app the way the command line does, from a kubeconfig
// and an optional --namespace.
func startAppAs(t testing.TB, kubeconfig, namespace, start string) *driver {
	t.Helper()
	return startAppWith(t, kubeconfig, namespace, app.Options{StartPath: start})
}

// startAppWith is startAppAs with more of the app's options; Conn, FS and
// Screen are filled in.
func startAppWith(t testing.TB, kubeconfig, namespace string, o app.Options) *driver {
	t.Helper()
	conn, _ := connectAs(t, kubeconfig, namespace)
	return runApp(t, conn, fsFor(conn, namespace, model.Options{}), o)
}

// connectAs connects as the command line does, from a kubeconfig and an
// optional --namespace, with every request that reaches the server
// recorded. The connection closes when the test ends.
func connectAs(t testing.TB, kubeconfig, namespace string) (*k8s.Conn, *countingTransport) {
	t.Helper()
	return connectWith(t, kubeconfig, namespace, k8s.Options{})
}

// connectWith is connectAs with more of the connection's options.
func connectWith(t testing.TB, kubeconfig, namespace string, opts k8s.Options) (*k8s.Conn, *countingTransport) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	if namespace != "" {
		flags.Namespace = &namespace
	}
	counter := &countingTransport{}
	opts.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	conn, err := k8s.Connect(ctx, flags, opts)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(conn.Close)
	return conn, counter
}

// fsFor builds the path model as model.NewFSFor does: a --namespace given is
// the one shown when namespaces cannot be listed.
func fsFor(conn *k8s.Conn, namespace string, o model.Options) *model.FS {
	o.Namespace = namespace
	return model.NewFS(conn, o)
}

// runApp runs the app on conn and fs, drawing on a simulation screen.
func runApp(t testing.TB, conn *k8s.Conn, fs *model.FS, o app.Options) *driver {
	t.Helper()
	sim := tcell.NewSimulationScreen("UTF-8")
	o.Conn, o.FS, o.Screen = conn, fs, sim
	a := app.New(o)
	// New initialised the screen, which resets its size.
	sim.SetSize(screenW, screenH)
	d := &driver{t: t, app: a, screen: sim, conn: conn, done: make(chan error, 1)}
	go func() { d.done <- a.Run() }()
	t.Cleanup(d.quit)
	return d
}

func (d *driver) quit() {
	if d.stopped {
		return
	}
	d.app.Quit()
	d.waitStopped()
}

// waitStopped waits for Run to return, as it does after a quit key.
func (d *driver) waitStopped() {
	d.t.Helper()
	select {
	case err := <-d.done:
		if err != nil {
			d.t.Errorf("app.Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		d.t.Fatal("the app did not stop within 10s")
	}
	d.stopped = true
	d.conn.Close()
}

// key sends one key press the way a terminal would.
func (d *driver) key(k tcell.Key) {
	d.screen.InjectKey(k, 0, tcell.ModNone)
	d.settle()
}

// keys types runes.
func (d *driver) keys(s string) {
	for _, r := range s {
		d.screen.InjectKey(tcell.KeyRune, r, tcell.ModNone)
		d.settle()
	}
}

// jump types text into the jump bar and presses Enter.
func (d *driver) jump(text string) {
	d.t.Helper()
	d.keys(":" + text)
	d.key(tcell.KeyEnter)
}

// settle waits for a round trip through the app's event loop. The
// simulation screen drops injected events when its small queue is full, as
// a slow (-race) run lets it fill; typing at the loop's pace loses none.
func (d *driver) settle() {
	if !d.stopped {
		d.app.QueueUpdateDraw(func() {})
	}
}

// contents copies the screen after a fresh draw. The copy is taken on the
// UI goroutine, where tview draws: the simulation screen hands out its
// live cells.
func (d *driver) contents() (cells []tcell.SimCell, w, h int) {
	d.app.QueueUpdateDraw(func() {})
	d.app.QueueUpdateDraw(func() {
		live, lw, lh := d.screen.GetContents()
		cells, w, h = make([]tcell.SimCell, len(live)), lw, lh
		for i, c := range live {
			cells[i] = tcell.SimCell{Style: c.Style, Runes: append([]rune(nil), c.Runes...)}
		}
	})
	return cells, w, h
}

// text returns the screen as lines of text, after a fresh draw.
func (d *driver) text() string {
	cells, w, h := d.contents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var line bytes.Buffer
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				line.WriteByte(' ')
			} else {
				line.WriteString(string(c.Runes))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// waitFor waits until cond holds for the screen text, and fails with the
// screen when it does not within timeout.
func (d *driver) waitFor(what string, timeout time.Duration, cond func(screen string) bool) string {
	d.t.Helper()
	var s string
	eventually(d.t, what, timeout, func() bool { s = d.text(); return cond(s) }, func() string { return "screen:\n" + s })
	return s
}

// waitText waits until the screen shows every one of texts.
func (d *driver) waitText(timeout time.Duration, texts ...string) string {
	d.t.Helper()
	return d.waitFor(strings.Join(texts, ", "), timeout, func(s string) bool {
		for _, t := range texts {
			if !strings.Contains(s, t) {
				return false
			}
		}
		return true
	})
}

// colorOf returns the foreground color of the first cell of the first
// occurrence of text on the screen, ColorDefault when it is not there.
func (d *driver) colorOf(text string) tcell.Color {
	cells, w, h := d.contents()
	want := []rune(text)
	for y := 0; y < h; y++ {
		for x := 0; x+len(want) <= w; x++ {
			match := true
			for i, r := range want {
				c := cells[y*w+x+i]
				if len(c.Runes) == 0 || c.Runes[0] != r {
					match = false
					break
				}
			}
			if match {
				fg, _, _ := cells[y*w+x].Style.Decompose()
				return fg
			}
		}
	}
	return tcell.ColorDefault
}

// selected returns the tree's selected path.
func (d *driver) selected() string {
	var p string
	d.app.QueueUpdateDraw(func() { p, _ = d.app.Tree().Selected() })
	return p
}

// waitSelected waits until the tree's selection is path.
func (d *driver) waitSelected(path string, timeout time.Duration) {
	d.t.Helper()
	eventually(d.t, "the selection "+path, timeout, func() bool { return d.selected() == path },
		func() string { return fmt.Sprintf("selection is %q; screen:\n%s", d.selected(), d.text()) })
}

// viewer returns the viewer's path and plain text.
func (d *driver) viewer() (path, text string) {
	d.app.QueueUpdateDraw(func() {
		path, text = d.app.Viewer().Path(), d.app.Viewer().Text()
	})
	return path, text
}

// kfsui runs the command line in-process against the shared cluster as its
// admin and returns stdout, stderr and the exit code.
func kfsui(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return kfsuiWith(t, testcluster.Shared(t).KubeconfigPath, args...)
}

// kfsuiWith is kfsui with another kubeconfig.
func kfsuiWith(t *testing.T, kubeconfig string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := mainWith(&out, &errb, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	return out.String(), errb.String(), code
}

func mainWith(stdout, stderr io.Writer, args ...string) int {
	return cli.Main("kfsui", args, cli.Env{Stdout: stdout, Stderr: stderr})
}
