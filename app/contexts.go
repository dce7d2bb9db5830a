package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// Contexts in the tree. Switching: the tree shows one context of the
// kubeconfig at a time; :ctx NAME shows another, connecting first (off
// the UI goroutine) if no connection to it is open, and each context keeps
// its place (the directories open, the selection) for when it shows
// again. :ctx - goes back to the one before, as kubectx - does. Side by
// side: --context repeated or :ctx +NAME shows several, each a root of
// the tree, whose keys are then CONTEXT:/PATH (key and resolve go between
// the two). Connections stay open; the listings of a context the tree no
// longer shows are released and stop after the idle timeout, as listings
// of closed directories do.

// session is one context as the tree shows it.
type session struct {
	name string
	conn *k8s.Conn
	fs   *model.FS
	// While the tree shows the context: its open directories, and what
	// ends its feeds (see feed).
	dirs *dirTracker
	end  func()
	// The place to come back to, kept while another context shows.
	open     []model.Path // directories expanded
	selected string       // the selection
	seen     bool         // shown before: open and selected hold its place
}

// feed makes session s feed the tree: its listings and catalog follow the
// cluster into the directories open, and its health into the header and
// its root. s.end stops that. UI goroutine only.
func (a *App) feed(s *session) {
	stopCatalog := s.conn.FollowCatalog()
	dctx, cancel := context.WithCancel(a.ctx)
	d := newDirTracker(dctx, a, s)
	s.dirs = d
	stopDirs := d.start()
	unsubscribe := s.conn.Health().Subscribe(func() {
		a.ui.Do(func() {
			if s == a.cur {
				a.showHealth()
			}
			if a.multi() {
				a.setRoots()
			}
		})
	})
	s.end = func() {
		unsubscribe()
		stopDirs()
		cancel()
		d.stop()
		stopCatalog()
		s.end = func() {}
	}
}

// setCurrent makes s the context the header shows and that bare paths in
// the jump bar, the toggles and the defaults refer to: the one the tree
// shows, or with several roots the selection's. UI goroutine only.
func (a *App) setCurrent(s *session) {
	if a.cur == s {
		return
	}
	a.cur, a.conn, a.fs = s, s.conn, s.fs
	a.header.SetInfo(headerInfo(s.conn.Info))
	a.showDown()
}

// multi reports whether the tree shows several contexts, each a root.
func (a *App) multi() bool { return len(a.roots) > 1 }

// key is the tree's name for path p of session s: the path itself, or
// with several roots CONTEXT:/PATH.
func (a *App) key(s *session, p model.Path) string {
	if !a.multi() {
		return p.String()
	}
	return model.Ref{Context: s.name, Path: p}.String()
}

// resolve returns the session and path a tree key names. With several
// roots, the tree's own root "/" holds them and names no session.
func (a *App) resolve(key string) (*session, model.Path, error) {
	if !a.multi() {
		p, err := model.Parse(key)
		return a.cur, p, err
	}
	var best *session
	for _, s := range a.roots {
		if strings.HasPrefix(key, s.name+":/") && (best == nil || len(s.name) > len(best.name)) {
			best = s
		}
	}
	if best == nil {
		return nil, model.Path{}, fmt.Errorf("%w: %q is in no context the tree shows", model.ErrNoSuchPath, key)
	}
	p, err := model.Parse(key[len(best.name)+1:])
	return best, p, err
}

// contextName is the name of the context the tree shows; "" when
// kfsui runs on a connection of its own (tests) or a kubeconfig without
// contexts.
func (a *App) contextName() string {
	if a.cur == nil {
		return ""
	}
	return a.cur.name
}

// qualify returns path as it must be written to name it from anywhere:
// CONTEXT:/PATH when the tree shows another context than the starting
// one, else path as it is.
func (a *App) qualify(path string) string {
	if a.multi() || a.opts.Contexts == nil || a.contextName() == a.opts.Contexts.Start() || a.contextName() == "" {
		return path // with several roots, tree keys are qualified already
	}
	return model.Ref{Context: a.contextName()}.String() + path
}

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

// addRoot shows context name beside those the tree shows, as a root of
// its own; if it is one already, it selects it. UI goroutine only.
func (a *App) addRoot(name string) {
	for _, s := range a.roots {
		if s.name == name {
			a.setCurrent(s)
			to := a.afterSwitch
			a.afterSwitch = model.Path{}
			if to == (model.Path{}) {
				to = model.Root
			}
			a.goTo(to, true)
			return
		}
	}
	a.connectThen(name, a.attach)
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
		a.flash("context "+name+": "+oneLine(err), true)
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
		restore := stderrToTerminal()
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
		s = &session{name: name, conn: conn, fs: a.newFS(conn), end: func() {}}
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

// attach shows context name, connected through conn, as one more root of
// the tree, and goes there. UI goroutine only.
func (a *App) attach(name string, conn *k8s.Conn) {
	s := a.addSession(name, conn)
	a.setCurrent(s)
	a.arrive(s)
	a.flash(fmt.Sprintf("context %s added: %d contexts side by side", name, len(a.roots)), false)
}

// attachBeside shows context name as one more root of the tree, opened at
// its start, while the selection stays where it is: the contexts given
// at start after the first (--context repeated). UI goroutine only.
func (a *App) attachBeside(name string, conn *k8s.Conn) {
	for _, r := range a.roots {
		if r.name == name {
			return
		}
	}
	s := a.addSession(name, conn)
	if a.restoring == nil {
		a.restoring = map[string]bool{}
	}
	if start, err := model.Parse(a.startPathOf(s)); err == nil {
		for _, p := range append(start.Ancestors(), start) {
			a.restoring[a.key(s, p)] = true
		}
	}
	a.restoreChildren("/")
}

// addSession adds context name as a root of the tree. The first time,
// the tree is rebuilt with the context it showed as the first root, in
// its place. UI goroutine only.
func (a *App) addSession(name string, conn *k8s.Conn) *session {
	s := a.sessionFor(name, conn)
	a.feed(s) // first: showing its root may open it at once
	if !a.multi() {
		first := a.cur
		a.savePlace(first)
		a.resetTree("select a leaf in the tree and press Enter to open it here.")
		a.roots = []*session{first, s}
		a.setRoots()
		a.restorePlace(first)
	} else {
		a.roots = append(a.roots, s)
		a.setRoots()
	}
	a.showModes()
	return s
}

// connectBeside connects to the contexts given at start after the first,
// side by side off the UI goroutine, and adds each as a root in the order
// given. One that fails says so in the footer. UI goroutine only.
func (a *App) connectBeside(names []string) {
	type result struct {
		conn *k8s.Conn
		err  error
	}
	results := make([]chan result, len(names))
	for i, name := range names {
		results[i] = make(chan result, 1)
		go func() {
			conn, err := a.opts.Contexts.Conn(a.ctx, name)
			results[i] <- result{conn, err}
		}()
	}
	go func() {
		for i, name := range names {
			r := <-results[i]
			a.ui.Do(func() {
				if r.err != nil {
					a.flash("context "+name+": "+oneLine(r.err), true)
					return
				}
				a.attachBeside(name, r.conn)
			})
		}
	}()
}

// setRoots shows each root context under the tree's own root, with its
// connection's state. UI goroutine only.
func (a *App) setRoots() {
	entries := make([]views.TreeEntry, len(a.roots))
	for i, s := range a.roots {
		e := views.TreeEntry{Path: a.key(s, model.Root), Name: s.name + ":", Dir: true, Info: s.conn.Info.Server}
		if st := s.conn.Health().State(); st.Down {
			e.Info = "DISCONNECTED since " + st.Since.Format("15:04:05")
			e.Color = a.theme.Error
		}
		entries[i] = e
	}
	a.tree.SetExpanded("/", true)
	a.tree.SetChildren("/", entries, views.DirState{})
	a.restoreChildren("/")
}

// restorePlace opens the directories s had open, each as its parent's
// listing shows it, and selects what was selected. UI goroutine only.
func (a *App) restorePlace(s *session) {
	if a.restoring == nil {
		a.restoring = map[string]bool{}
	}
	for _, p := range s.open {
		a.restoring[a.key(s, p)] = true
	}
	root := a.key(s, model.Root)
	if a.restoring[root] && a.tree.Has(root) {
		delete(a.restoring, root)
		a.expand(root)
	}
	if sel, err := model.Parse(s.selected); err == nil {
		a.revealIn = s
		a.reveal(a.key(s, sel))
	}
}

// restoreChildren opens the children of dir that the place being
// restored had open. UI goroutine only.
func (a *App) restoreChildren(dir string) {
	if len(a.restoring) == 0 {
		return
	}
	for _, child := range a.tree.ChildPaths(dir) {
		if a.restoring[child] {
			delete(a.restoring, child)
			if !a.tree.IsExpanded(child) {
				a.expand(child)
			}
		}
	}
}

// contextCandidates completes :ctx's argument: the kubeconfig's contexts
// starting with prefix, and "-" when there is a context to go back to.
func (a *App) contextCandidates(prefix string) []string {
	cs := a.opts.Contexts
	if cs == nil {
		return nil
	}
	var out []string
	for _, n := range cs.Names() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	if a.prevContext != "" && strings.HasPrefix("-", prefix) {
		out = append(out, "-")
	}
	slices.Sort(out)
	return out
}

// contextCommand runs what the jump bar holds if it is about contexts:
// "ctx" or "context" alone picks one from a list, with a name switches to
// it ("-": back), and CONTEXT:/PATH goes to PATH in CONTEXT. It reports
// whether text was one of those. UI goroutine only.
func (a *App) contextCommand(text string) bool {
	word, rest, _ := strings.Cut(text, " ")
	switch word {
	case "ctx", "context":
		switch rest = strings.TrimSpace(rest); {
		case rest == "":
			a.pickContext()
		case strings.HasPrefix(rest, "+") && a.opts.Contexts != nil:
			a.addRoot(strings.TrimPrefix(rest, "+"))
		default:
			a.switchContext(rest)
		}
		return true
	}
	cs := a.opts.Contexts
	if cs == nil || strings.HasPrefix(text, "/") {
		return false
	}
	ref, err := model.ParseRef(text, cs.Names())
	if err != nil || ref.Context == "" {
		return false
	}
	a.afterSwitch = ref.Path
	a.switchContext(ref.Context)
	return true
}

// contextsPage is the name of the page listing the contexts to pick from.
const contextsPage = "contexts"

// pickContext lists the kubeconfig's contexts, the one shown marked and
// selected; Enter switches to the one selected, Esc closes the list. UI
// goroutine only.
func (a *App) pickContext() {
	cs := a.opts.Contexts
	if cs == nil {
		a.flash("one context only: this session was given its connection", true)
		return
	}
	list := tview.NewList().ShowSecondaryText(false).SetHighlightFullLine(true)
	list.SetBorder(true).SetTitle(" contexts (Enter switches, Esc closes) ").SetTitleAlign(tview.AlignLeft)
	list.SetBackgroundColor(a.theme.Background).SetBorderColor(a.theme.Focus).SetTitleColor(a.theme.Title)
	list.SetMainTextColor(a.theme.Foreground).SetSelectedBackgroundColor(a.theme.Selection)
	back := a.tv.GetFocus()
	closeList := func() {
		a.pages.RemovePage(contextsPage)
		a.focus(back)
	}
	for i, name := range cs.Names() {
		mark := "  "
		if name == a.contextName() {
			mark = "* "
			defer list.SetCurrentItem(i)
		}
		list.AddItem(mark+views.Escape(name), "", 0, func() {
			closeList()
			a.switchContext(name)
		})
	}
	list.SetDoneFunc(closeList)
	width := 40
	for _, n := range cs.Names() {
		width = max(width, min(len(n)+8, 120))
	}
	a.pages.AddPage(contextsPage, centered(list, width, min(len(cs.Names())+2, 20)), true, true)
	a.tv.SetFocus(list)
}
