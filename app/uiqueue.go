package app

import (
	"context"
	"sync"

	"github.com/rivo/tview"
)

// uiQueue carries work from background goroutines to the UI goroutine.
// Callers never touch tview's queue directly: a single pump goroutine does,
// and it stops calling once ctx ends. That matters because tview's
// QueueUpdateDraw blocks until the event loop runs the function, and after
// Run has returned it never will; the pump's exit is what shutdown waits for
// before stopping the application.
//
// Everything queued while the pump is busy is run together in one update
// with one draw, so bursts (a flood of informer events, log lines) cost one
// redraw.
type uiQueue struct {
	tv   *tview.Application
	ctx  context.Context
	kick chan struct{}
	done chan struct{}

	mu      sync.Mutex
	pending []func()
}

func newUIQueue(ctx context.Context, tv *tview.Application) *uiQueue {
	q := &uiQueue{tv: tv, ctx: ctx, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go q.pump()
	return q
}

// Do schedules f to run on the UI goroutine, followed by a draw. After the
// queue's context ends, f is dropped.
//
// Safe from any goroutine, except the UI goroutine when it must wait: Do
// itself never blocks.
func (q *uiQueue) Do(f func()) {
	if q.ctx.Err() != nil {
		return
	}
	q.mu.Lock()
	q.pending = append(q.pending, f)
	q.mu.Unlock()
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

func (q *uiQueue) pump() {
	defer close(q.done)
	for {
		select {
		case <-q.ctx.Done():
			return
		case <-q.kick:
		}
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		q.mu.Unlock()
		if len(batch) == 0 || q.ctx.Err() != nil {
			continue
		}
		q.tv.QueueUpdateDraw(func() {
			for _, f := range batch {
				f()
			}
		})
	}
}

// Done is closed once the pump has stopped and will never call into tview
// again.
func (q *uiQueue) Done() <-chan struct{} { return q.done }
