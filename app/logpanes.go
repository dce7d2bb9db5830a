package app

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/k8s"
)

// logFlushEvery is how often log lines move from the streams to the
// screen: all panes together, in one update and one draw, so a log writing
// as fast as it can costs at most 20 redraws a second.
const logFlushEvery = 50 * time.Millisecond

// maxLogPanes bounds how many log panes can be open at once.
const maxLogPanes = 8

// logPanes holds the open log panes and the ticker that feeds them.
//
// Concurrency: kick is safe from any goroutine; everything else is for
// the UI goroutine.
type logPanes struct {
	app       *App
	panes     []*logPane
	maximised *logPane

	pending atomic.Bool  // some pane has lines or states to show
	running atomic.Bool  // the ticker goroutine runs
	count   atomic.Int32 // panes open, as the ticker sees them
	redraws atomic.Int64 // flushes that reached the screen, for the bench
}

func newLogPanes(a *App) *logPanes { return &logPanes{app: a} }

// kick tells the ticker that a pane has something to show, and starts the
// ticker if it is not running. Safe from any goroutine.
func (l *logPanes) kick() {
	l.pending.Store(true)
	if l.running.CompareAndSwap(false, true) {
		go l.loop()
	}
}

// loop flushes every logFlushEvery, but only when something arrived: an
// idle log pane costs no redraw. With no pane open it ends, so closing the
// last pane leaves no goroutine behind.
func (l *logPanes) loop() {
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-l.app.ctx.Done():
			l.running.Store(false)
			return
		case <-t.C:
		}
		if l.pending.Swap(false) {
			l.app.ui.Do(l.flush)
			continue
		}
		if l.count.Load() == 0 {
			l.running.Store(false)
			// A kick between the check and the store would find the
			// ticker running and not start it: take over its work.
			if !l.pending.Load() || !l.running.CompareAndSwap(false, true) {
				return
			}
		}
	}
}

// flush moves every pane's pending lines into its buffer. UI goroutine.
func (l *logPanes) flush() {
	changed := false
	for _, p := range l.panes {
		batch, overflow, states := p.take()
		if len(batch) > 0 || overflow > 0 || states {
			p.apply(batch, overflow)
			changed = true
		}
	}
	if changed {
		l.redraws.Add(1)
	}
}

// Redraws is how many flushes changed a log pane: the log panes' share of
// screen updates. Safe from any goroutine.
func (a *App) Redraws() int64 { return a.logs.redraws.Load() }

// open adds a pane following targets through conn, labelled with path.
// UI goroutine.
func (l *logPanes) open(path string, conn *k8s.Conn, targets []k8s.LogTarget) {
	l.openPane(path, conn, targets, nil)
}

// openPane is open for a pane configured by setup before it starts, if
// setup is not nil: a workload's pane, which follows its pods. A pane
// with the label open already gets the keyboard instead. UI goroutine.
func (l *logPanes) openPane(path string, conn *k8s.Conn, targets []k8s.LogTarget, setup func(p *logPane)) {
	for _, p := range l.panes {
		if p.label == l.app.qualify(path) {
			l.app.focus(p.view)
			return
		}
	}
	if len(l.panes) >= maxLogPanes {
		l.app.flash(fmt.Sprintf("at most %d log panes: close one with x first", maxLogPanes), true)
		return
	}
	p := newLogPane(l.app, path, conn, targets)
	if setup != nil {
		setup(p)
	}
	l.panes = append(l.panes, p)
	l.count.Store(int32(len(l.panes)))
	l.maximised = nil
	l.app.layout()
	p.start()
	l.app.focus(p.view)
}

// close ends pane p's streams and removes it. UI goroutine.
func (l *logPanes) close(p *logPane) {
	p.stop()
	if p.unwatch != nil {
		p.unwatch()
	}
	for i, q := range l.panes {
		if q == p {
			l.panes = append(l.panes[:i], l.panes[i+1:]...)
			break
		}
	}
	l.count.Store(int32(len(l.panes)))
	if l.maximised == p {
		l.maximised = nil
	}
	l.app.layout()
	l.app.focus(l.app.tree)
}

// focused returns the pane with the keyboard, if any.
func (l *logPanes) focused() *logPane {
	for _, p := range l.panes {
		if p.view.HasFocus() {
			return p
		}
	}
	return nil
}

// layout arranges the body: the tree and a right column with the viewer
// and the log panes, or one maximised pane alone. UI goroutine.
func (a *App) layout() {
	a.body.Clear()
	if m := a.logs.maximised; m != nil {
		a.body.AddItem(m.view, 0, 1, true)
		return
	}
	right := tview.NewFlex().SetDirection(tview.FlexRow).AddItem(a.viewer, 0, 1, false)
	for _, p := range a.logs.panes {
		right.AddItem(p.view, 0, 1, false)
	}
	a.body.AddItem(a.tree, 0, a.treeWidth, true).AddItem(right, 0, 100-a.treeWidth, false)
}

// focusables lists the panes Tab cycles through, in screen order.
func (a *App) focusables() []tview.Primitive {
	if m := a.logs.maximised; m != nil {
		return []tview.Primitive{m.view}
	}
	out := []tview.Primitive{a.tree, a.viewer}
	for _, p := range a.logs.panes {
		out = append(out, p.view)
	}
	return out
}

// LogPaneInfo describes an open log pane, for tests and benchmarks.
type LogPaneInfo struct {
	Label     string
	Lines     int   // lines in the buffer
	Evicted   int64 // lines the bound dropped
	Status    string
	Following bool
	Focused   bool
}

// LogPanes describes the open log panes in screen order. UI goroutine only.
func (a *App) LogPanes() []LogPaneInfo {
	var out []LogPaneInfo
	for _, p := range a.logs.panes {
		out = append(out, LogPaneInfo{
			Label: p.label, Lines: p.buf.Len(), Evicted: p.buf.Evicted(),
			Status: p.status(), Following: p.view.Following(), Focused: p.view.HasFocus(),
		})
	}
	return out
}
