package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// coalesce is the shortest time between two re-reads of the directories
// that changed: informers deliver the objects of a list one event at a
// time, and a busy namespace changes all the time.
const coalesce = 50 * time.Millisecond

// dirTracker keeps expanded directories in step with the cluster. It knows
// which directories are open (expanded in the tree), hears from the
// listings and the catalog when something changed, and re-reads just the
// open directories affected, off the UI goroutine.
//
// Concurrency: its methods are safe from any goroutine.
type dirTracker struct {
	ctx  context.Context
	app  *App
	sess *session // the context whose directories it keeps; each its own
	kick chan struct{}

	mu    sync.Mutex
	open  map[model.Path]func() // expanded directories → releases their listing's hold
	dirty map[model.Path]bool
	// seq numbers the reads of each directory, so that a slow read
	// finishing after a newer one cannot put an older listing on screen.
	seq map[model.Path]uint64
}

func newDirTracker(ctx context.Context, a *App, s *session) *dirTracker {
	return &dirTracker{ctx: ctx, app: a, sess: s, kick: make(chan struct{}, 1),
		open: map[model.Path]func(){}, dirty: map[model.Path]bool{}, seq: map[model.Path]uint64{}}
}

// start subscribes to the listings and the catalog and runs the refresh
// loop until the tracker's context ends. It returns a function that
// unsubscribes.
func (d *dirTracker) start() (stop func()) {
	unsubLists := d.sess.conn.Lists().Subscribe(func(key k8s.ListKey) {
		d.markDirty(d.sess.fs.DirsShowing(key)...)
	})
	unsubCatalog := d.sess.conn.SubscribeCatalog(func(*k8s.Catalog) {
		// New or removed types change the type directories, and a type
		// directory whose type is gone must say so.
		var touched []model.Path
		for _, p := range d.openDirs() {
			if p.Kind == model.KindNamespace || p.Kind == model.KindClusterDir || p.Kind == model.KindTypeDir {
				touched = append(touched, p)
			}
		}
		d.markDirty(touched...)
	})
	go d.loop()
	return func() {
		unsubLists()
		unsubCatalog()
	}
}

// setOpen records whether directory p is expanded. An expanded directory
// holds its listing so it is not stopped as idle; closing one also closes
// the directories below it, which are no longer on screen.
func (d *dirTracker) setOpen(p model.Path, open bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if open {
		if d.open[p] == nil {
			d.open[p] = d.sess.fs.Hold(p)
		}
		return
	}
	for q, release := range d.open {
		if q == p || isBelow(q, p) {
			release()
			delete(d.open, q)
		}
	}
}

// rehold holds open directory p's listing anew, after what it lists
// changed (a selector): the old listing is released.
func (d *dirTracker) rehold(p model.Path) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if release := d.open[p]; release != nil {
		d.open[p] = d.sess.fs.Hold(p)
		release()
	}
}

// isBelow reports whether q lies below directory p.
func isBelow(q, p model.Path) bool {
	for _, anc := range q.Ancestors() {
		if anc == p {
			return true
		}
	}
	return false
}

// openDirs returns the expanded directories.
func (d *dirTracker) openDirs() []model.Path {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]model.Path, 0, len(d.open))
	for p := range d.open {
		out = append(out, p)
	}
	return out
}

// markDirty asks for the open directories among paths to be read again.
func (d *dirTracker) markDirty(paths ...model.Path) {
	d.mu.Lock()
	n := 0
	for _, p := range paths {
		if d.open[p] != nil {
			d.dirty[p] = true
			n++
		}
	}
	d.mu.Unlock()
	if n == 0 {
		return
	}
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// nextRead numbers a new read of p.
func (d *dirTracker) nextRead(p model.Path) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq[p]++
	return d.seq[p]
}

// latest reports whether read n is the newest read of p.
func (d *dirTracker) latest(p model.Path, n uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seq[p] == n
}

func (d *dirTracker) loop() {
	var last time.Time
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-d.kick:
		}
		// The first change after a quiet spell is shown at once; more
		// changes right behind it wait for the rest of the period and go
		// in one read.
		if wait := coalesce - time.Since(last); wait > 0 {
			select {
			case <-d.ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		d.mu.Lock()
		batch := d.dirty
		d.dirty = map[model.Path]bool{}
		d.mu.Unlock()
		for p := range batch {
			d.load(p)
		}
	}
}

// expand shows the directory at tree key path expanded and loads its
// listing. UI goroutine only.
func (a *App) expand(path string) {
	a.tree.SetExpanded(path, true)
	s, p, err := a.resolve(path)
	if err != nil || !p.IsDir() {
		return // the tree's own root, holding the contexts side by side
	}
	s.dirs.setOpen(p, true)
	if p.Kind == model.KindTypeDir {
		// Hiding empty types must not take away a directory the user
		// opened when its last object goes.
		s.fs.Keep(p)
	}
	s.dirs.load(p)
}

// collapse hides directory path's children. Its listing keeps its cache,
// but the tree stops re-reading it. UI goroutine only.
func (a *App) collapse(path string) {
	a.tree.SetExpanded(path, false)
	if s, p, err := a.resolve(path); err == nil {
		s.dirs.setOpen(p, false)
	}
	a.agesShown.Store(a.tree.ShowsAges())
}

// load reads directory p off the UI goroutine and shows the result,
// unless the tree no longer shows the context by then. Safe from any
// goroutine.
func (d *dirTracker) load(p model.Path) {
	a, s := d.app, d.sess
	n := d.nextRead(p)
	go func() {
		ctx, cancel := context.WithTimeout(d.ctx, time.Minute)
		defer cancel()
		dir, err := s.fs.ReadDir(ctx, p)
		if p.Kind == model.KindTypeDir {
			st := a.tables.sortOf(p)
			model.SortEntries(&dir, st.col, st.reverse)
		}
		a.ui.Do(func() {
			if s.dirs == d && d.ctx.Err() == nil && d.latest(p, n) {
				a.applyDir(s, p, dir, err)
			}
		})
	}()
}

// stop releases every listing the tracker holds: the tree shows another
// context. Its loop ends with its context. Safe from any goroutine.
func (d *dirTracker) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for p, release := range d.open {
		release()
		delete(d.open, p)
	}
}

// applyDir shows directory p of context s in the tree. UI goroutine only.
func (a *App) applyDir(s *session, p model.Path, dir model.Dir, err error) {
	path := a.key(s, p)
	if !a.tree.Has(path) {
		// The directory left the tree (its object was deleted, an
		// ancestor was re-listed without it): stop holding its listing.
		s.dirs.setOpen(p, false)
		return
	}
	state := views.DirState{Loading: dir.Loading}
	if dir.Hidden > 0 {
		state.Note = fmt.Sprintf("%d types hidden: none of their objects to list", dir.Hidden)
		if dir.Hidden == 1 {
			state.Note = "1 type hidden: none of its objects to list"
		}
		if k := a.keys.KeyFor(keymap.ScopeTree, keymap.HideEmpty); k != "" {
			state.Note += " (" + k + " shows all)"
		}
	}
	switch {
	case err != nil && errors.Is(err, model.ErrNoSuchPath):
		state.Err = "gone: " + err.Error()
	case err != nil:
		state.Err = err.Error()
	case dir.Err != nil:
		state.Err = dir.Err.Error()
	}
	keyOf := func(q model.Path) string { return a.key(s, q) }
	entries, table := treeEntries(dir, keyOf, a.tables.sortOf(p), a.tables.isWide(), a.marks(), a.theme)
	state.NameTitle, state.Columns = table.NameTitle, table.Columns
	a.tree.SetChildren(path, entries, state)
	a.restoreChildren(path)
	a.agesShown.Store(a.tree.ShowsAges())
	a.opts.Trace.Dir(path, len(entries), state.Loading, dir.Pending)
	// The tree line is as wide as the pane; say a new error in full in the
	// footer when it concerns the directory the user is on.
	if state.Err != "" && state.Err != a.dirErrs[path] {
		if sel, _ := a.tree.Selected(); sel == path {
			a.flash(path+": "+state.Err, true)
		}
	}
	if state.Err == "" {
		delete(a.dirErrs, path)
	} else {
		a.dirErrs[path] = state.Err
	}
	if dir.Pending > 0 {
		a.pending[path] = dir.Pending
	} else {
		delete(a.pending, path)
	}
	a.noteMetrics(path, dir.Metrics)
	a.checkReveal(s, p, dir, err)
	a.continueReveal()
	if a.showKids == path && !dir.Loading {
		a.showKids = ""
		a.tree.ShowChildren(path)
	}
}

// checkReveal ends a reveal whose next step is missing from the complete
// listing of directory p, and says so.
func (a *App) checkReveal(s *session, p model.Path, dir model.Dir, err error) {
	target := a.revealing
	if target == (model.Path{}) || a.revealIn != s || err != nil || dir.Loading {
		return
	}
	for _, anc := range append(target.Ancestors(), target) {
		if anc.Parent() != p || anc == p {
			continue
		}
		for _, e := range dir.Entries {
			if e.Path == anc {
				return
			}
		}
		a.revealing, a.revealIn = model.Path{}, nil
		a.flash("no such path: "+a.key(s, target), true)
		return
	}
}

// noteMetrics keeps how directory path's metrics columns stand, for the
// breadcrumb, and says in the footer why there are none, once a session
// for each reason: a cluster without metrics-server is no error to
// repeat. UI goroutine only.
func (a *App) noteMetrics(path string, m k8s.Metrics) {
	if m == (k8s.Metrics{}) {
		delete(a.metrics, path)
	} else {
		a.metrics[path] = m
	}
	if m.Note != "" && !a.metricsSaid[m.Note] {
		a.metricsSaid[m.Note] = true
		a.flash(m.Note, false)
	}
	a.updateCrumb()
}
