package app

import (
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// Run shows the UI and blocks until the user quits or Quit is called. The
// terminal is restored when it returns.
func (a *App) Run() error {
	finish := a.begin()
	err := a.life.run()
	finish()
	return err
}

// begin starts the listings, the health display and the first reveal;
// finish, called once the application has stopped, ends them and every log
// pane. UI goroutine only (before Run counts).
func (a *App) begin() (finish func()) {
	name := ""
	if a.opts.Contexts != nil {
		name = a.opts.Contexts.Start()
	}
	first := &session{name: name, conn: a.conn, fs: a.fs}
	a.sessions = map[string]*session{name: first}
	a.roots = []*session{first}
	a.feed(first)
	a.cur = first
	a.header.SetInfo(headerInfo(first.conn.Info))
	a.showModes()
	start := a.opts.StartPath
	if start == "" {
		start = a.startPathOf(first)
	}
	if p, err := model.Parse(start); err == nil {
		a.remember(p.String())
	}
	a.reveal(start)
	if len(a.opts.Beside) > 0 && a.opts.Contexts != nil {
		a.connectBeside(a.opts.Beside)
	}
	go a.tickAges()
	return func() {
		a.cancel()
		// Streams end with the context; waiting for them means no
		// connection outlives the UI. Their callbacks never need the UI,
		// so this cannot block on it.
		for _, p := range a.logs.panes {
			p.stop()
		}
		a.opts.Trace.Close()
		for _, s := range a.roots {
			s.end()
		}
		// The split set just before quitting is remembered too.
		a.config.wait()
	}
}

// startPathOf is where the tree of context s opens: the namespace from
// --namespace or the context, else /namespaces.
func (a *App) startPathOf(s *session) string {
	if info := s.conn.Info; info.NamespaceExplicit && model.CheckSegment(info.Namespace) == nil {
		return "/namespaces/" + info.Namespace
	}
	return "/namespaces"
}

// Quit ends the UI: it cancels every background task, waits for the last
// queued UI update to run, then stops the application, so that no goroutine
// is left blocked on a UI that no longer runs.
//
// Safe from any goroutine, including the UI goroutine.
func (a *App) Quit() {
	a.cancel()
	go func() {
		<-a.ui.Done()
		a.life.stop()
	}()
}

// QueueUpdateDraw runs f on the UI goroutine, redraws, and returns once both
// are done. Tests use it to read the UI's state and the screen consistently.
//
// Safe from any goroutine except the UI goroutine; never after Run returned.
func (a *App) QueueUpdateDraw(f func()) { a.tv.QueueUpdateDraw(f) }

// Tree returns the tree view. UI goroutine only.
func (a *App) Tree() *views.Tree { return a.tree }

// Viewer returns the viewer. UI goroutine only.
func (a *App) Viewer() *views.Viewer { return a.viewer }
