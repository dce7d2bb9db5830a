package app

import (
	"fmt"
	"os"
	"strings"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// switchContext shows context name in the tree ("-": the one shown
// before) in place of the one it shows. With several roots, it selects
// name's root, adding it if it is not one. UI goroutine only.
func (a *App) switchContext(name string) {
	cs := a.opts.Contexts
	switch {
	case cs == nil:
		a.flash("one context only: this session was given its connection", true)
		return
	case name == "-":
		if a.prevContext == "" {
			a.flash("no context before this one", true)
			return
		}
		name = a.prevContext
	case name == "":
		a.flash("which context? "+strings.Join(cs.Names(), ", "), true)
		return
	}
	if a.multi() {
		a.addRoot(name)
		return
	}
	if name == a.contextName() {
		if to := a.afterSwitch; to != (model.Path{}) {
			a.afterSwitch = model.Path{}
			a.goTo(to, true)
		} else {
			a.flash("already on context "+name, false)
		}
		return
	}
	a.connectThen(name, a.adopt)
}

// connectThen connects to context name off the UI goroutine, unless a
// connection is open, and calls then with it on the UI goroutine. A
// login plugin that may prompt gets the terminal (connectInteractive);
// a failure is said in the footer and the session goes on. UI goroutine
// only.
func (a *App) connectThen(name string, then func(string, *k8s.Conn)) {
	cs := a.opts.Contexts
	if !cs.Has(name) {
		a.afterSwitch = model.Path{}
		a.flash(fmt.Sprintf("unknown context %q (the kubeconfig has: %s)", name, strings.Join(cs.Names(), ", ")), true)
		return
	}
	a.switching = name
	if conn, ok := cs.Connected(name); ok {
		a.switching = ""
		then(name, conn)
		return
	}
	if target, err := cs.Target(name); err == nil && target.Interactive() {
		a.connectInteractive(name, then)
		return
	}
	a.flash("connecting to context "+name+"…", false)
	go func() {
		conn, err := cs.Conn(a.ctx, name)
		a.ui.Do(func() {
			if a.switching != name {
				return // another switch came since
			}
			a.connected(name, conn, err, then)
		})
	}()
}

// connected ends an attempt to connect to context name: then goes on with
// the connection, or the error is said. UI goroutine only.
func (a *App) connected(name string, conn *k8s.Conn, err error, then func(string, *k8s.Conn)) {
	a.switching = ""
	if err != nil {
		a.afterSwitch = model.Path{}
		a.flash("context "+name+": "+model.OneLine(err), true)
		return
	}
	then(name, conn)
}

// connectInteractive connects to context name, whose login plugin may ask
// the user something (an OIDC or MFA prompt), with the terminal handed to
// it: the UI is suspended meanwhile and comes back after. UI goroutine
// only.
func (a *App) connectInteractive(name string, then func(string, *k8s.Conn)) {
	var conn *k8s.Conn
	var err error
	a.tv.Suspend(func() {
		restore := a.opts.TerminalStderr()
		defer restore()
		fmt.Fprintf(os.Stderr, "kfsui: connecting to context %q; its login plugin may ask you something here.\n", name)
		conn, err = a.opts.Contexts.Conn(a.ctx, name)
	})
	// Resuming redraws only the cells tcell thinks changed, and the
	// prompt wrote over the others: repaint all. From another goroutine,
	// as tview queues it to this one.
	go a.tv.Sync()
	a.connected(name, conn, err, then)
}

// sessionFor returns the session of context name on conn, made the first
// time, with the toggles the user has set (they go with the user, not the
// context).
func (a *App) sessionFor(name string, conn *k8s.Conn) *session {
	s := a.sessions[name]
	if s == nil || s.conn != conn {
		s = &session{name: name, conn: conn, fs: a.opts.fsFor(conn), end: func() {}}
		a.sessions[name] = s
	}
	s.fs.SetHideEmptyTypes(a.fs.HideEmptyTypes())
	s.fs.SetRevealSecrets(a.fs.RevealSecrets())
	return s
}

// savePlace keeps s's place in the tree: its open directories and, if
// the selection is in s, the selection. UI goroutine only.
func (a *App) savePlace(s *session) {
	s.open = s.dirs.openDirs()
	if sel, _ := a.tree.Selected(); sel != "" {
		if ss, p, err := a.resolve(sel); err == nil && ss == s {
			s.selected = p.String()
		}
	}
	s.seen = true
}

// resetTree empties the tree and the viewer for other contexts to show.
// UI goroutine only.
func (a *App) resetTree(viewerNote string) {
	if a.leafCancel != nil {
		a.leafCancel()
	}
	a.shownDiff = nil
	a.viewer.ShowMessage("", viewerNote, false)
	a.tree.Reset()
	a.revealing, a.revealIn, a.showKids, a.restoring = model.Path{}, nil, "", map[string]bool{}
	clear(a.dirErrs)
	clear(a.metrics)
	clear(a.pending)
}

// adopt shows context name, connected through conn, in the tree in place
// of the one it shows, where it was left if it showed before. UI
// goroutine only.
func (a *App) adopt(name string, conn *k8s.Conn) {
	old := a.cur
	a.savePlace(old)
	old.end()
	s := a.sessionFor(name, conn)
	a.prevContext = old.name
	a.resetTree("context " + name + ": select a leaf in the tree and press Enter to open it here.")
	a.roots = []*session{s}
	a.feed(s)
	a.setCurrent(s)
	a.showModes()
	a.arrive(s)
	a.flash("context "+name, false)
}

// arrive puts session s where it was left, or at its start, and then
// where the jump that switched to it asked. UI goroutine only.
func (a *App) arrive(s *session) {
	to := a.afterSwitch
	a.afterSwitch = model.Path{}
	switch {
	case s.seen:
		a.restorePlace(s)
	case to == (model.Path{}):
		p, _ := model.Parse(a.startPathOf(s))
		to = p
	}
	if to != (model.Path{}) {
		a.goTo(to, true)
	}
}
