package views

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// TreeEntry is one child to show in a directory of the tree.
type TreeEntry struct {
	Path string // the node's reference: its kfsui path
	Name string // the last segment, shown
	Dir  bool
}

// DirState is what a directory's listing knows about itself.
type DirState struct {
	Loading bool   // the first complete list has not arrived
	Err     string // why the listing is incomplete, "" if it is not
	Note    string // a remark shown after the entries, e.g. what is hidden
}

// Tree is the path tree: a tview.TreeView whose node references are kfsui
// paths, with children set per directory as their listings arrive.
//
// Concurrency: UI goroutine only, like every tview primitive.
type Tree struct {
	*tview.TreeView
	theme  themes.Theme
	nodes  map[string]*tview.TreeNode // path → node, for every node in the tree
	listed map[string]listing         // each directory's last listing, unfiltered

	filterDir string            // the directory the filter narrows, "" for none
	filter    func(string) bool // which names stay
}

type listing struct {
	entries []TreeEntry
	state   DirState
	shown   int // entries shown, after the filter
}

// nodeRef is stored in each entry node; status nodes (loading, errors)
// have no reference and cannot be selected.
type nodeRef struct {
	path string
	dir  bool
}

// NewTree returns a tree holding only the root directory "/".
func NewTree(theme themes.Theme) *Tree {
	t := &Tree{TreeView: tview.NewTreeView(), theme: theme, nodes: map[string]*tview.TreeNode{}, listed: map[string]listing{}}
	root := t.newNode(TreeEntry{Path: "/", Name: "/", Dir: true})
	t.SetRoot(root).SetCurrentNode(root)
	t.SetGraphicsColor(theme.Border)
	t.SetBackgroundColor(theme.Background)
	t.SetBorder(true).SetTitle(" tree ").SetTitleAlign(tview.AlignLeft)
	t.SetBorderColor(theme.Border).SetTitleColor(theme.Title)
	return t
}

func (t *Tree) newNode(e TreeEntry) *tview.TreeNode {
	label := escape(e.Name)
	color := t.theme.Leaf
	if e.Dir && e.Path != "/" {
		label += "/"
		color = t.theme.Directory
	}
	n := tview.NewTreeNode(label).
		SetReference(nodeRef{path: e.Path, dir: e.Dir}).
		SetColor(color).
		SetSelectedTextStyle(tcell.StyleDefault.Foreground(color).Background(t.theme.Selection).Bold(true)).
		SetExpanded(false)
	t.nodes[e.Path] = n
	return n
}

func (t *Tree) statusNode(text string, color tcell.Color) *tview.TreeNode {
	return tview.NewTreeNode(escape(oneLine(text))).SetColor(color).SetSelectable(false)
}

// SetChildren replaces the children of directory dir with entries, reusing
// the nodes of entries that stay so their expansion and children survive.
// If the selection was removed, the entry now at its place is selected
// (or the directory itself when none is left). Unknown directories are
// ignored: a listing may arrive after its directory was removed.
func (t *Tree) SetChildren(dir string, entries []TreeEntry, state DirState) {
	if t.nodes[dir] == nil {
		return
	}
	t.listed[dir] = listing{entries: entries, state: state}
	t.render(dir)
}

// SetFilter narrows directory dir to the entries whose names match (nil:
// all again) and returns how many match. Only one directory is filtered
// at a time; the previous one shows all its entries again.
func (t *Tree) SetFilter(dir string, match func(name string) bool) int {
	prev := t.filterDir
	t.filterDir, t.filter = dir, match
	if match == nil {
		t.filterDir = ""
	}
	if prev != "" && prev != dir {
		t.render(prev)
	}
	t.render(dir)
	if match == nil {
		return len(t.listed[dir].entries)
	}
	n := 0
	for _, e := range t.listed[dir].entries {
		if match(e.Name) {
			n++
		}
	}
	return n
}

// Filtered returns the directory a filter narrows, "" if none.
func (t *Tree) Filtered() string { return t.filterDir }

// render shows directory dir's last listing, through the filter if it
// narrows dir.
func (t *Tree) render(dir string) {
	node := t.nodes[dir]
	l, ok := t.listed[dir]
	if node == nil || !ok {
		return
	}
	entries, state := l.entries, l.state
	if dir == t.filterDir && t.filter != nil {
		kept := make([]TreeEntry, 0, len(entries))
		for _, e := range entries {
			if t.filter(e.Name) {
				kept = append(kept, e)
			}
		}
		entries = kept
	}
	old := node.GetChildren()
	curPath := t.pathOf(t.GetCurrentNode())
	curIndex := -1 // the child that is the selection or holds it
	keep := make(map[string]*tview.TreeNode, len(old))
	for i, c := range old {
		if ref, ok := c.GetReference().(nodeRef); ok {
			keep[ref.path] = c
			if within(curPath, ref.path) {
				curIndex = i
			}
		}
	}
	children := make([]*tview.TreeNode, 0, len(entries)+1)
	if state.Err != "" {
		children = append(children, t.statusNode("⚠ "+state.Err, t.theme.Error))
	}
	for _, e := range entries {
		if n, ok := keep[e.Path]; ok {
			delete(keep, e.Path)
			children = append(children, n)
			continue
		}
		children = append(children, t.newNode(e))
	}
	switch {
	case state.Loading:
		children = append(children, t.statusNode("loading…", t.theme.Muted))
	case len(entries) == 0 && state.Err == "" && state.Note == "":
		children = append(children, t.statusNode("(empty)", t.theme.Muted))
	}
	if state.Note != "" {
		children = append(children, t.statusNode(state.Note, t.theme.Muted))
	}
	node.SetChildren(children)
	l.shown = len(entries)
	t.listed[dir] = l

	curGone := false
	for p := range keep {
		if within(curPath, p) {
			curGone = true
		}
		t.forget(p)
	}
	if curGone {
		t.SetCurrentNode(t.replacement(node, children, curIndex))
	}
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// replacement picks the node to select when the selected one disappeared:
// the selectable child now at its index, else the nearest one before it,
// else the directory.
func (t *Tree) replacement(dir *tview.TreeNode, children []*tview.TreeNode, index int) *tview.TreeNode {
	if index >= len(children) {
		index = len(children) - 1
	}
	for i := index; i >= 0; i-- {
		if _, ok := children[i].GetReference().(nodeRef); ok {
			return children[i]
		}
	}
	return dir
}

// forget drops path and everything below it from the index.
func (t *Tree) forget(path string) {
	n := t.nodes[path]
	if n == nil {
		return
	}
	n.Walk(func(node, _ *tview.TreeNode) bool {
		if ref, ok := node.GetReference().(nodeRef); ok {
			delete(t.nodes, ref.path)
			delete(t.listed, ref.path)
			if ref.path == t.filterDir {
				t.filterDir, t.filter = "", nil
			}
		}
		return true
	})
}

func (t *Tree) pathOf(n *tview.TreeNode) string {
	if n == nil {
		return ""
	}
	if ref, ok := n.GetReference().(nodeRef); ok {
		return ref.path
	}
	return ""
}

// Selected returns the selected node's path and whether it is a directory.
func (t *Tree) Selected() (path string, dir bool) {
	if n := t.GetCurrentNode(); n != nil {
		if ref, ok := n.GetReference().(nodeRef); ok {
			return ref.path, ref.dir
		}
	}
	return "", false
}

// Select selects the node of path, if the tree holds it.
func (t *Tree) Select(path string) bool {
	n := t.nodes[path]
	if n == nil {
		return false
	}
	t.SetCurrentNode(n)
	return true
}

// Has reports whether the tree holds a node for path.
func (t *Tree) Has(path string) bool { return t.nodes[path] != nil }

// IsExpanded reports whether directory path is shown expanded.
func (t *Tree) IsExpanded(path string) bool {
	n := t.nodes[path]
	return n != nil && n.IsExpanded()
}

// SetExpanded expands or collapses directory path.
func (t *Tree) SetExpanded(path string, expanded bool) {
	if n := t.nodes[path]; n != nil {
		n.SetExpanded(expanded)
	}
}

// ChildCount returns how many entries directory path shows, -1 if the
// tree does not hold it or it has not been expanded.
//
// It is kept when the directory is drawn, not counted: the breadcrumb asks
// on every frame.
func (t *Tree) ChildCount(path string) int {
	n := t.nodes[path]
	if n == nil || !n.IsExpanded() {
		return -1
	}
	return t.listed[path].shown
}

// ChildPaths returns the paths of directory path's entries, in order.
func (t *Tree) ChildPaths(path string) []string {
	n := t.nodes[path]
	if n == nil {
		return nil
	}
	var out []string
	for _, c := range n.GetChildren() {
		if ref, ok := c.GetReference().(nodeRef); ok {
			out = append(out, ref.path)
		}
	}
	return out
}

// ShowChildren scrolls so that the children of the selected directory path
// are in view, as far as the pane's height allows, keeping the selection
// on path: expanding a directory at the bottom of the pane then shows what
// it holds. TreeView scrolls only to keep the selection visible, so the
// selection goes down over the children and back up by as many rows.
func (t *Tree) ShowChildren(path string) {
	n := t.nodes[path]
	if n == nil || n != t.GetCurrentNode() || !n.IsExpanded() {
		return
	}
	_, _, _, h := t.GetInnerRect()
	k := min(len(t.ChildPaths(path)), h-1)
	if k > 0 {
		t.Move(k)
		t.Move(-k)
	}
}

// Page moves the selection by n pages.
func (t *Tree) Page(n int) {
	_, _, _, h := t.GetInnerRect()
	t.Move(n * max(h, 1))
}

// Top selects the root.
func (t *Tree) Top() { t.SetCurrentNode(t.GetRoot()) }

// Bottom selects the last visible entry: the last child of the last
// expanded directory, all the way down.
func (t *Tree) Bottom() {
	n := t.GetRoot()
	for n.IsExpanded() {
		var last *tview.TreeNode
		for _, c := range n.GetChildren() {
			if _, ok := c.GetReference().(nodeRef); ok {
				last = c
			}
		}
		if last == nil {
			break
		}
		n = last
	}
	t.SetCurrentNode(n)
}
