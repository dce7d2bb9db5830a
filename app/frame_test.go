package app

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/gdamore/tcell/v2/terminfo"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/views"
)

// discardTTY is a terminal of w×h cells that throws away what is written
// to it and never has input: the terminal screen's drawing, encoding
// included, measured without a terminal emulator.
type discardTTY struct {
	w, h    int
	written atomic.Int64
	closed  chan struct{}
	once    sync.Once
}

func newDiscardTTY(w, h int) *discardTTY {
	return &discardTTY{w: w, h: h, closed: make(chan struct{})}
}

func (t *discardTTY) Start() error        { return nil }
func (t *discardTTY) Stop() error         { return nil }
func (t *discardTTY) Drain() error        { return t.Close() }
func (t *discardTTY) NotifyResize(func()) {}
func (t *discardTTY) Write(p []byte) (int, error) {
	t.written.Add(int64(len(p)))
	return len(p), nil
}

func (t *discardTTY) Close() error             { t.once.Do(func() { close(t.closed) }); return nil }
func (t *discardTTY) Read([]byte) (int, error) { <-t.closed; return 0, io.EOF }
func (t *discardTTY) WindowSize() (tcell.WindowSize, error) {
	return tcell.WindowSize{Width: t.w, Height: t.h}, nil
}

// appOnTerminal builds kfsui's UI on a w×h terminal screen, as the binary
// makes it, that discards its output; dir is expanded holding n pods, the
// first one selected, and the first frame drawn.
func appOnTerminal(tb testing.TB, w, h int, dir string, n int) (*App, *discardTTY, tcell.Screen) {
	tb.Helper()
	ti, err := terminfo.LookupTerminfo("tmux-256color")
	if err != nil {
		ti, err = terminfo.LookupTerminfo("xterm-256color")
	}
	if err != nil {
		tb.Fatal(err)
	}
	tty := newDiscardTTY(w, h)
	term, err := tcell.NewTerminfoScreenFromTtyTerminfo(tty, ti)
	if err != nil {
		tb.Fatal(err)
	}
	screen := newCellScreen(term)
	a := New(Options{Conn: &k8s.Conn{}, Screen: screen})
	tb.Cleanup(func() {
		a.cancel()
		term.Fini()
	})
	parent := "/"
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		p := strings.TrimSuffix(parent, "/") + "/" + seg
		a.tree.SetChildren(parent, []views.TreeEntry{{Path: p, Name: seg, Dir: true}}, views.DirState{})
		a.tree.SetExpanded(parent, true)
		parent = p
	}
	pods := make([]views.TreeEntry, n)
	for i := range pods {
		name := fmt.Sprintf("web-7d9f8b6c5d-%05d", i)
		// A pod's row as the tree shows it: its columns, a running
		// pod's color, an age three days old.
		pods[i] = views.TreeEntry{Path: dir + "/" + name, Name: name, Dir: true, Color: a.theme.Fine, Cells: []views.TreeCell{
			{Text: "1/1"}, {Text: "Running"}, {Text: fmt.Sprint(i % 7)}, {Text: "3d", Since: time.Now().Add(-72 * time.Hour).Unix()},
		}}
	}
	a.tree.SetChildren(dir, pods, views.DirState{NameTitle: "NAME ↑", Columns: []string{"READY", "STATUS", "RESTARTS", "AGE"}})
	a.tree.SetExpanded(dir, true)
	a.tree.Select(pods[0].Path)
	a.tv.ForceDraw()
	return a, tty, screen
}

// BenchmarkScrollFrame is one scrolling key in the scale bench's setting:
// a 200×50 terminal, the selection moving down a directory of 10,000 pods
// past the bottom of the pane, so every frame scrolls the tree; the whole
// frame is drawn, as tview draws it, and encoded for the terminal.
func BenchmarkScrollFrame(b *testing.B) {
	const dir = "/namespaces/big/pods"
	a, tty, _ := appOnTerminal(b, 200, 50, dir, 10000)
	a.tree.Page(1)
	a.tv.ForceDraw()
	tty.written.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%9000 == 0 {
			a.tree.Select(dir + "/web-7d9f8b6c5d-00100")
		}
		a.tree.Move(1)
		a.tv.ForceDraw()
	}
	b.ReportMetric(float64(tty.written.Load())/float64(b.N), "bytes/frame")
}
