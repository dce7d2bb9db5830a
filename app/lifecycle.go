package app

import (
	"sync"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/internal/trace"
)

// lifecycle runs a tview application and stops it from any goroutine at any
// time. tview's Stop does nothing before Run has made its screen, and Run
// would then go on for ever: a SIGTERM or a failed connection right at
// start would hang kfsui. So stop waits until the first frame is drawn or
// Run has ended.
type lifecycle struct {
	tv        *tview.Application
	drawnOnce sync.Once
	drawn     chan struct{} // closed after the first draw
	ended     chan struct{} // closed when Run has returned
}

// newLifecycle makes the application, to run on screen (tests give a
// SimulationScreen) or else on the terminal.
func newLifecycle(screen tcell.Screen, tr *trace.Tracer) *lifecycle {
	if screen == nil {
		screen = newScreen(tr)
	}
	l := &lifecycle{tv: tview.NewApplication(), drawn: make(chan struct{}), ended: make(chan struct{})}
	// Now, not in run: SetScreen initialises the screen, and a simulation
	// screen's Init resets the size a test gave it. (Run follows at once
	// wherever kfsui makes a lifecycle. Init puts the terminal in raw
	// mode: whatever makes a lifecycle must run it; Run restores the
	// terminal when it ends.)
	l.tv.SetScreen(screen)
	l.tv.SetAfterDrawFunc(func(tcell.Screen) { l.markDrawn() })
	return l
}

// markDrawn is called after every draw.
func (l *lifecycle) markDrawn() { l.drawnOnce.Do(func() { close(l.drawn) }) }

// run runs the application until it is stopped. Once only.
func (l *lifecycle) run() error {
	defer close(l.ended)
	return l.tv.Run()
}

// stop stops the application, now or as soon as it has drawn; it returns
// once it has asked. Safe from any goroutine but the UI goroutine.
func (l *lifecycle) stop() {
	select {
	case <-l.drawn:
		l.tv.Stop()
	case <-l.ended:
	}
}
