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

// ConnectStart is the ConnectFunc of o's starting context: its connection
// from o.Contexts and its model as o.NewFS makes it.
func ConnectStart(o Options) ConnectFunc {
	return func(ctx context.Context) (*k8s.Conn, *model.FS, error) {
		conn, err := o.Contexts.Conn(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		return conn, o.fsFor(conn), nil
	}
}

// ConnectThenRun connects first and runs the UI after, until the user
// quits or ctx ends: for when there is no terminal to draw the connecting
// pane on (the failure to connect, not the missing terminal, is then the
// error), or when a login plugin that may prompt needs the terminal while
// connecting. beforeRun is called just before the UI takes the terminal.
func ConnectThenRun(ctx context.Context, o Options, beforeRun func()) error {
	conn, fs, err := ConnectStart(o)(ctx)
	if err != nil {
		o.Trace.Close() // as the UI would at its end
		return err
	}
	o.Conn, o.FS = conn, fs
	a := New(o)
	defer context.AfterFunc(ctx, a.Quit)()
	beforeRun()
	return a.Run()
}

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
	c := newConnecting(ctx, target, o)
	defer c.cancel()
	// Connecting begins once the first frame is on the terminal: its TLS
	// handshake, version check and discovery would otherwise take the CPU
	// from drawing it, on a busy machine most of all. The queue runs this
	// after Run's first draw (tview's after-draw hook comes before the
	// frame is written).
	c.queue.Do(func() { go c.connect(connect) })
	// The caller's context ends it too (SIGTERM, SIGHUP).
	defer context.AfterFunc(ctx, c.quit)()
	err := c.life.run()
	return c.end(err)
}

// connecting is the window of RunConnecting: the connecting pane, then
// the UI.
type connecting struct {
	o      Options
	life   *lifecycle
	ctx    context.Context // ends when given up
	cancel context.CancelFunc
	queue  *uiQueue

	mu      sync.Mutex
	app     *App // the UI, once connected
	finish  func()
	pending *k8s.Conn // connected, not yet taken by the UI
	connErr error     // why connecting failed
	quitted bool
}

// newConnecting draws the connecting pane.
func newConnecting(ctx context.Context, target k8s.Target, o Options) *connecting {
	theme := o.Theme
	if theme.Name == "" {
		theme = themes.Dark()
	}
	life := newLifecycle(o.Screen, o.Trace)
	header := views.NewHeader(theme)
	header.SetInfo(headerInfo(target.Info))
	life.tv.SetRoot(tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(header, 1, 0, false).
		AddItem(views.NewConnecting(theme, target.Info.Server, target.Info.Context), 0, 1, true), true)
	cctx, cancel := context.WithCancel(ctx)
	c := &connecting{o: o, life: life, ctx: cctx, cancel: cancel, queue: newUIQueue(cctx, life.tv)}
	life.tv.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == tcell.KeyCtrlC || ev.Key() == tcell.KeyEscape || (ev.Key() == tcell.KeyRune && ev.Rune() == 'q') {
			c.quit()
		}
		return nil
	})
	return c
}

// quit ends whichever is showing. Safe from any goroutine.
func (c *connecting) quit() {
	c.mu.Lock()
	a := c.app
	first := !c.quitted
	c.quitted = true
	c.mu.Unlock()
	switch {
	case a != nil:
		a.Quit()
	case first:
		c.cancel()
		go func() {
			<-c.queue.Done()
			c.life.stop()
		}()
	}
}

// connect connects and builds the UI in the window, or ends it with
// connect's error. On its own goroutine.
func (c *connecting) connect(connect ConnectFunc) {
	conn, fs, err := connect(c.ctx)
	c.mu.Lock()
	switch {
	case c.quitted || c.ctx.Err() != nil:
		// Given up, or the caller's context ended: no error to show.
		c.mu.Unlock()
		if conn != nil {
			conn.Close()
		}
		c.quit()
		return
	case err != nil:
		c.connErr = err
		c.mu.Unlock()
		c.quit()
		return
	}
	c.pending = conn
	c.mu.Unlock()
	c.queue.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.quitted {
			return
		}
		c.pending = nil
		o := c.o
		o.Conn, o.FS, o.life = conn, fs, c.life
		c.app = New(o)
		c.finish = c.app.begin()
	})
}

// end cleans up once the window closed with err: the UI's end, or the
// connection that came too late, closed.
func (c *connecting) end(err error) error {
	c.mu.Lock()
	a := c.app
	c.quitted = true // a connection made from now on is closed at once
	if c.pending != nil {
		c.pending.Close()
	}
	c.mu.Unlock()
	if a == nil {
		c.o.Trace.Close()
		if err == nil {
			err = c.connErr
		}
		return err
	}
	c.finish()
	if c.o.Contexts != nil {
		c.o.Contexts.Close() // every context's connection, the first's included
	} else {
		a.conn.Close()
	}
	return err
}
