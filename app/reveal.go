package app

import "github.com/kfsui/kfsui/model"

// reveal expands the directories down to the tree key path one by one,
// as each listing arrives, and selects path when it shows. UI goroutine
// only (before Run counts).
func (a *App) reveal(path string) {
	s, p, err := a.resolve(path)
	if err != nil {
		a.flash(err.Error(), true)
		return
	}
	a.revealing, a.revealIn = p, s
	s.fs.Prefetch(p)
	// A type hidden for being empty is still where the user asked to go.
	if parent, changed := s.fs.Keep(p); changed && a.tree.IsExpanded(a.key(s, parent)) {
		s.dirs.load(parent)
	}
	a.continueReveal()
}

// continueReveal takes the next step of a reveal: the deepest directory on
// the way that the tree already holds is expanded, and once path itself is
// there it is selected and the reveal ends.
func (a *App) continueReveal() {
	if a.revealing == (model.Path{}) {
		return
	}
	s, target := a.revealIn, a.revealing
	key := a.key(s, target)
	if a.tree.Has(key) {
		if a.tree.Hidden(key) {
			a.clearTreeFilter() // the user asked for it: say why it shows
		}
		a.tree.Select(key)
		if target.IsDir() && !a.tree.IsExpanded(key) {
			a.showKids = key
			a.expand(key)
		}
		a.revealing, a.revealIn = model.Path{}, nil
		if a.openAfterReveal && !target.IsDir() {
			a.openAfterReveal = false
			treeKeys{a}.openSelected()
		}
		return
	}
	for _, anc := range target.Ancestors() {
		k := a.key(s, anc)
		if !a.tree.Has(k) {
			return // its parent is loading; applyDir calls back
		}
		if !a.tree.IsExpanded(k) {
			a.expand(k)
		}
	}
}
