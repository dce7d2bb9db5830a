package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
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
