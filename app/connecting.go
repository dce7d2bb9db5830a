package app

import (
	"context"
	"sync"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
	"github.com/kfsui/kfsui/views"
)

// ConnectFunc makes the connection RunConnecting waits for. It should end
// soon after ctx does.
type ConnectFunc func(ctx context.Context) (*k8s.Conn, *model.FS, error)

// RunConnecting draws kfsui at once, before it has a connection: the header
// with what the kubeconfig says (context, cluster, user, server) and a pane
// saying where it is connecting. Connecting takes a TLS handshake, a version
// check and discovery, which is long on a distant or busy server and up to
// the request timeout on one that does not answer; the terminal answers
// meanwhile, and q, Esc or Ctrl-C give up.
//
// Once connect returns, the UI is built in the same window (see New; o's
// Conn and FS are connect's) and runs until the user quits or ctx ends. If
// connect fails, RunConnecting returns its error after the terminal is
// restored. Giving up returns nil.
func RunConnecting(ctx context.Context, target k8s.Target, o Options, connect ConnectFunc) error {
	theme := o.Theme
	if theme.Name == "" {
		theme = themes.Dark()
	}
	life := newLifecycle(o.Screen, o.trace)
	tv := life.tv
	header := views.NewHeader(theme)
	header.SetInfo(headerInfo(target.Info))
	tv.SetRoot(tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(header, 1, 0, false).
		AddItem(views.NewConnecting(theme, target.Info.Server, target.Info.Context), 0, 1, true), true)

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := newUIQueue(cctx, tv)
	var (
		mu      sync.Mutex
		app     *App // the UI, once connected
		finish  func()
		pending *k8s.Conn // connected, not yet taken by the UI
		connErr error     // why connecting failed
		quitted bool
	)
	// quit ends whichever is showing. Safe from any goroutine.
	quit := func() {
		mu.Lock()
		a := app
		first := !quitted
		quitted = true
		mu.Unlock()
		switch {
		case a != nil:
			a.Quit()
		case first:
			cancel()
			go func() {
				<-queue.Done()
				life.stop()
			}()
		}
	}
	tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyCtrlC || ev.Key() == tcell.KeyEscape || (ev.Key() == tcell.KeyRune && ev.Rune() == 'q') {
			quit()
		}
		return nil
	})

	go func() {
		conn, fs, err := connect(cctx)
		mu.Lock()
		switch {
		case quitted || cctx.Err() != nil:
			// Given up, or the caller's context ended: no error to show.
			mu.Unlock()
			if conn != nil {
				conn.Close()
			}
			quit()
			return
		case err != nil:
			connErr = err
			mu.Unlock()
			quit()
			return
		}
		pending = conn
		mu.Unlock()
		queue.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if quitted {
				return
			}
			pending = nil
			o.Conn, o.FS, o.life = conn, fs, life
			app = New(o)
			finish = app.begin()
		})
	}()
	// The caller's context ends it too (SIGTERM, SIGHUP).
	defer context.AfterFunc(ctx, quit)()

	err := life.run()
	mu.Lock()
	a := app
	quitted = true // a connection made from now on is closed at once
	if pending != nil {
		pending.Close()
	}
	mu.Unlock()
	if a == nil {
		o.trace.close()
		if err == nil {
			err = connErr
		}
		return err
	}
	finish()
	if o.Contexts != nil {
		o.Contexts.Close() // every context's connection, the first's included
	} else {
		a.conn.Close()
	}
	return err
}
