package app

import (
	"fmt"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

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
					a.flash("context "+name+": "+model.OneLine(r.err), true)
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
