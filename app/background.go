package app

import (
	"context"
	"time"
)

// backgroundTimeout bounds a read the UI waits for: a GET for a yank, the
// containers of a pod or a workload for a log pane.
const backgroundTimeout = 30 * time.Second

// background runs read off the UI goroutine, bounded by
// backgroundTimeout and by the app's end, then show on the UI goroutine
// with what it read; a failure is said in the footer instead. UI
// goroutine only.
func background[T any](a *App, read func(context.Context) (T, error), show func(T)) {
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, backgroundTimeout)
		defer cancel()
		v, err := read(ctx)
		a.ui.Do(func() {
			if err != nil {
				a.flash(err.Error(), true)
				return
			}
			show(v)
		})
	}()
}
