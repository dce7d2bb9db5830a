package app

import (
	"fmt"
	"regexp"

	"github.com/kfsui/kfsui/keymap"
)

// viewerKeys is what the keys do in the viewer.
type viewerKeys struct{ a *App }

var _ controller = viewerKeys{}

func (viewerKeys) scope() keymap.Scope { return keymap.ScopeViewer }

func (c viewerKeys) bindings() []binding {
	a := c.a
	return []binding{
		{keymap.Up, func() { c.move(-1) }},
		{keymap.Down, func() { c.move(1) }},
		{keymap.Open, c.followLink},
		{keymap.PageUp, func() { a.viewer.Page(-1) }},
		{keymap.PageDown, func() { a.viewer.Page(1) }},
		{keymap.Top, a.viewer.Top},
		{keymap.Bottom, a.viewer.Bottom},
		{keymap.Refresh, c.refresh},
		{keymap.Back, func() { a.focus(a.tree) }},
		{keymap.DiffMark, a.markOrDiff},
		{keymap.DiffAcross, a.diffAcross},
		{keymap.DiffRaw, a.toggleDiffRaw},
		{keymap.Yank, c.yank},
		{keymap.YankPath, c.yankPath},
		{keymap.Search, c.search},
		{keymap.Reveal, a.toggleSecrets},
		{keymap.NextMatch, func() { a.viewer.NextMatch(false) }},
		{keymap.PrevMatch, func() { a.viewer.NextMatch(true) }},
	}
}

// move moves the viewer's selected line where its text has links
// (tree.txt), and scrolls it otherwise. UI goroutine only.
func (c viewerKeys) move(n int) {
	if c.a.viewer.HasLinks() {
		c.a.viewer.MoveLink(n)
		return
	}
	c.a.viewer.ScrollBy(n)
}

// followLink goes to the object on the viewer's selected line, as a jump
// would. UI goroutine only.
func (c viewerKeys) followLink() {
	a := c.a
	key := a.viewer.Link()
	if key == "" {
		a.flash("nothing to go to here: Enter follows the lines of a tree.txt", true)
		return
	}
	a.remember(key)
	a.focus(a.tree)
	a.openAfterReveal = false
	a.reveal(key)
}

// refresh fetches the viewer's leaf again, keeping its scroll position,
// or compares the leaves of the diff it shows again.
func (c viewerKeys) refresh() {
	a := c.a
	if a.shownDiff != nil {
		a.showDiff(a.shownDiff)
		return
	}
	if path := a.viewer.Path(); path != "" {
		a.openLeaf(path, leafRefresh)
	}
}

// yank copies the viewer's text as shown.
func (c viewerKeys) yank() {
	a := c.a
	if a.viewer.Text() == "" {
		a.flash("nothing to copy: open a leaf first", true)
		return
	}
	a.yank(a.viewer.Path(), a.viewer.Text())
}

// yankPath copies the path of the leaf shown, qualified by its context
// when that is not the starting one.
func (c viewerKeys) yankPath() {
	a := c.a
	switch p := a.viewer.Path(); {
	case p == "" || a.shownDiff != nil:
		a.yankPath(p) // a diff's title names both leaves
	default:
		a.yankPath(a.qualify(p))
	}
}

// search asks for a pattern and highlights its matches in the viewer; n
// and N move between them. UI goroutine only.
func (c viewerKeys) search() {
	a := c.a
	a.searchPrompt(func(re *regexp.Regexp) bool {
		n := a.viewer.SetSearch(re)
		if re == nil || n == 0 {
			return re == nil
		}
		a.viewer.NextMatch(false)
		a.flash(fmt.Sprintf("%d lines match (n / N to move, / and Enter on nothing to clear)", n), false)
		return true
	})
}
