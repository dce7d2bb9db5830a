package app

import (
	"context"
	"strings"

	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
)

// treeKeys is what the keys do in the tree.
type treeKeys struct{ a *App }

var _ controller = treeKeys{}

func (treeKeys) scope() keymap.Scope { return keymap.ScopeTree }

func (c treeKeys) bindings() []binding {
	a := c.a
	out := []binding{
		{keymap.Up, func() { a.tree.Move(-1) }},
		{keymap.Down, func() { a.tree.Move(1) }},
		{keymap.PageUp, func() { a.tree.Page(-1) }},
		{keymap.PageDown, func() { a.tree.Page(1) }},
		{keymap.Top, a.tree.Top},
		{keymap.Bottom, a.tree.Bottom},
		{keymap.Open, c.openSelected},
		{keymap.Close, c.closeSelected},
		{keymap.Refresh, c.refreshSelected},
		{keymap.MergedLogs, a.openMergedLogs},
		{keymap.HideEmpty, a.toggleEmptyTypes},
		{keymap.AllNS, a.showAllNamespaces},
		{keymap.SortNext, func() { a.sortTable(false) }},
		{keymap.SortReverse, func() { a.sortTable(true) }},
		{keymap.Wide, a.toggleWide},
		{keymap.Reveal, a.toggleSecrets},
		{keymap.Filter, a.filterTree},
		{keymap.ClearFilter, a.clearTreeFilter},
		{keymap.Yank, c.yankSelected},
		{keymap.DiffMark, a.markOrDiff},
		{keymap.DiffAcross, a.diffAcross},
		{keymap.DiffRaw, a.toggleDiffRaw},
		{keymap.YankPath, c.yankPath},
	}
	for i := 1; i <= 9; i++ {
		out = append(out, binding{keymap.Favorite(i), func() { a.favorite(i) }})
	}
	return out
}

// openSelected expands a collapsed directory, steps into an expanded one,
// or opens a leaf in the viewer. UI goroutine only.
func (c treeKeys) openSelected() {
	a := c.a
	path, dir := a.tree.Selected()
	switch {
	case path == "":
	case !dir && a.isLink(path):
		// An entry of /all/<type> leads to the object's own directory.
		_, p, _ := a.resolve(path)
		a.goTo(p.Target(), true)
	case !dir && strings.HasSuffix(path, ".log"):
		a.remember(path)
		a.openLog(path)
	case !dir:
		a.remember(path)
		a.openLeaf(path, leafOpen)
	case a.isLogsDir(path):
		// A logs directory opens as one pane of every log below it,
		// and shows what it holds.
		if !a.tree.IsExpanded(path) {
			a.expand(path)
		}
		a.openLogsBelow(path)
	case !a.tree.IsExpanded(path):
		a.showKids = path
		a.expand(path)
	default:
		if kids := a.tree.ChildPaths(path); len(kids) > 0 {
			a.tree.Select(kids[0])
		}
	}
}

// isLink reports whether tree path is an entry of /all/<type>.
func (a *App) isLink(path string) bool {
	_, p, err := a.resolve(path)
	return err == nil && p.Kind == model.KindLink
}

// showAllNamespaces shows /all/<type> for the type the selection is in or
// on, as k9s's 0 shows every namespace. UI goroutine only.
func (a *App) showAllNamespaces() {
	_, p, err := a.resolve(a.selectedPath())
	if err == nil {
		if all, ok := p.Target().AllOf(); ok {
			a.goTo(all, true)
			return
		}
	}
	a.flash("0: select a namespaced type directory or an object first", true)
}

// click acts on a clicked tree entry: a directory opens or closes, a leaf
// opens. UI goroutine only.
func (c treeKeys) click() {
	a := c.a
	a.revealing = model.Path{}
	path, dir := a.tree.Selected()
	if dir && a.tree.IsExpanded(path) && path != "/" {
		a.collapse(path)
		return
	}
	c.openSelected()
}

// closeSelected collapses an expanded directory, or selects the parent.
func (c treeKeys) closeSelected() {
	a := c.a
	path, dir := a.tree.Selected()
	if path == "" {
		return
	}
	if dir && a.tree.IsExpanded(path) && path != "/" {
		a.collapse(path)
		return
	}
	if s, p, err := a.resolve(path); err == nil && p.Kind != model.KindRoot {
		a.tree.Select(a.key(s, p.Parent()))
	} else if err == nil && a.multi() {
		a.tree.Select("/") // from a context's root to the tree's own
	}
}

// refreshSelected fetches a selected leaf again, or re-reads a directory:
// types without watch are listed again, and the type directories ask
// discovery again.
func (c treeKeys) refreshSelected() {
	a := c.a
	path, dir := a.tree.Selected()
	if path == "" {
		return
	}
	if !dir {
		mode := leafOpen
		if a.viewer.Path() == path {
			mode = leafRefresh
		}
		a.openLeaf(path, mode)
		return
	}
	s, p, err := a.resolve(path)
	if err != nil {
		return
	}
	switch p.Kind {
	case model.KindRoot, model.KindNamespace, model.KindClusterDir:
		conn := s.conn
		go func() {
			if err := conn.Rediscover(); err != nil {
				a.ui.Do(func() { a.flash("discovery: "+err.Error(), true) })
			}
		}()
	}
	s.fs.Refresh(p)
	if a.tree.IsExpanded(path) {
		s.dirs.load(p)
	}
	a.flash("refreshed "+path, false)
}

// yankSelected copies the selected leaf's text as the viewer shows it:
// from the viewer when it shows that leaf, else fetched for the purpose.
func (c treeKeys) yankSelected() {
	a := c.a
	path, dir := a.tree.Selected()
	switch {
	case path == "" || dir:
		a.flash("select a leaf to copy its text (Y copies the path)", true)
		return
	case strings.HasSuffix(path, ".log"):
		a.flash("open the log (Enter) and copy from its pane", true)
		return
	case a.viewer.Path() == path && a.viewer.Text() != "":
		a.yank(path, a.viewer.Text())
		return
	}
	sess, p, err := a.resolve(path)
	if err != nil {
		a.flash(err.Error(), true)
		return
	}
	fs := sess.fs
	background(a, func(ctx context.Context) (model.Leaf, error) { return fs.Read(ctx, p) },
		func(leaf model.Leaf) { a.yank(path, leaf.Text) })
}

// yankPath copies the selection's path, qualified by its context when
// that is not the starting one.
func (c treeKeys) yankPath() {
	p, _ := c.a.tree.Selected()
	if p != "" {
		p = c.a.qualify(p)
	}
	c.a.yankPath(p)
}

// isLogsDir reports whether tree key path names a logs directory: a pod's,
// a workload's or one of a workload's pods'.
func (a *App) isLogsDir(path string) bool {
	_, p, err := a.resolve(path)
	return err == nil && (p.Kind == model.KindLogsDir || p.Kind == model.KindPodLogsDir)
}
