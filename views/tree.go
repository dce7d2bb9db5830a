package views

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// TreeEntry is one child to show in a directory of the tree.
type TreeEntry struct {
	Path string // the node's reference: its kfsui path
	Name string // the last segment, shown
	Dir  bool
	// Cells are the entry's row in a table directory (DirState.Columns),
	// one per column.
	Cells []TreeCell
	// Color is the entry's color; 0 for the theme's directory or leaf
	// color.
	Color tcell.Color
	// Mark, when set, is drawn before the name: a one-character state for
	// terminals without color.
	Mark string
	// Info is drawn muted after the name, e.g. what a directory holds.
	Info string
}

// TreeCell is one cell of an entry's row.
type TreeCell struct {
	Text string
	// Since, when not 0, makes the cell a relative time: it shows what
	// the tree's age function (SetAgeFunc) makes of it at draw time, so
	// ages keep counting with no new listing.
	Since int64
}

// DirState is what a directory's listing knows about itself.
type DirState struct {
	Loading bool   // the first complete list has not arrived
	Err     string // why the listing is incomplete, "" if it is not
	Note    string // a remark shown after the entries, e.g. what is hidden
	// NameTitle and Columns make the directory a table: a header row
	// (NameTitle over the names, then each column's title) and the
	// entries' cells aligned under it. Columns that do not fit the pane
	// are left out from the right; the names never are.
	NameTitle string
	Columns   []string
}

// Tree is the path tree: directories whose children are set as their
// listings arrive, drawn one row per visible node.
//
// It is its own primitive rather than a tview.TreeView because of size: a
// TreeView walks every expanded node, twice, on each key and each draw,
// and allocates as it goes, which with 10,000 pods open is milliseconds
// and a megabyte of garbage per keystroke. Tree keeps the visible rows in
// a slice rebuilt only when the shape changes (a listing, an expansion, a
// filter); moving and drawing touch only the selection and the rows on
// screen.
//
// Concurrency: UI goroutine only, like every tview primitive.
type Tree struct {
	*tview.Box
	theme  themes.Theme
	root   *treeNode
	nodes  map[string]*treeNode // path → node, for every entry in the tree
	listed map[string]listing   // each directory's last listing, unfiltered

	filterDir string            // the directory the filter narrows, "" for none
	filter    func(string) bool // which names stay
	keptDirs  map[string]bool   // the directories a search narrows (treekeep.go)
	kept      map[string]bool   // the entries they keep

	cur     *treeNode   // the selection; never nil
	rows    []*treeNode // the visible nodes in order; valid unless stale
	stale   bool        // the shape changed since rows were built
	offset  int         // the first row on screen
	follow  bool        // keep the selection on screen (false after the wheel scrolled)
	clicked func()
	keep    map[string]*treeNode // render's scratch: the children that may stay
	glyphs  struct{ bar, tee, corner, dash string }
	age     func(since int64) string
}

// treeNode is an entry of the tree, or a status line (loading, an error, a
// note) when path is "".
type treeNode struct {
	path     string
	text     string // shown as is: sanitized, never parsed for tags
	dir      bool
	color    tcell.Color
	expanded bool
	hidden   bool // the filter hides it; it keeps its place and its children
	parent   *treeNode
	children []*treeNode
	last     bool // the last child of its parent, for the tree's lines
	depth    int
	row      int // the node's index in Tree.rows when it is visible

	// An entry of a table directory, or its header (path "").
	table *tableLayout
	cells []TreeCell
	mark  string
	info  string
}

func (n *treeNode) selectable() bool { return n.path != "" }

type listing struct {
	entries []TreeEntry
	state   DirState
	shown   int // entries shown, after the filter
	table   *tableLayout
}

// NewTree returns a tree holding only the root directory "/".
func NewTree(theme themes.Theme) *Tree {
	t := &Tree{Box: tview.NewBox(), theme: theme, nodes: map[string]*treeNode{}, listed: map[string]listing{}, follow: true}
	t.root = t.newNode(TreeEntry{Path: "/", Name: "/", Dir: true})
	// The branch lines' strings, made once: cells are drawn with Put,
	// as SetContent builds a string for each.
	b := tview.Borders
	t.glyphs.bar, t.glyphs.tee, t.glyphs.corner, t.glyphs.dash = string(b.Vertical), string(b.LeftT), string(b.BottomLeft), string(b.Horizontal)
	t.cur = t.root
	t.stale = true
	t.SetBackgroundColor(theme.Background)
	t.SetBorder(true).SetTitle(" tree ").SetTitleAlign(tview.AlignLeft)
	t.SetBorderColor(theme.Border).SetTitleColor(theme.Title)
	return t
}

// Reset empties the tree down to its collapsed root, selected: another
// cluster's tree is about to be shown in it.
func (t *Tree) Reset() {
	for _, c := range t.root.children {
		t.forget(c)
	}
	t.root.children, t.root.expanded = nil, false
	delete(t.listed, t.root.path)
	t.filterDir, t.filter = "", nil
	t.keptDirs, t.kept = nil, nil
	t.cur, t.offset, t.follow, t.stale = t.root, 0, true, true
}

func (t *Tree) newNode(e TreeEntry) *treeNode {
	n := &treeNode{path: e.Path, text: cleanText(e.Name), dir: e.Dir}
	if e.Dir && e.Path != "/" {
		n.text += "/"
	}
	t.update(n, e)
	t.nodes[e.Path] = n
	return n
}

// update gives node n what entry e says beyond its name.
func (t *Tree) update(n *treeNode, e TreeEntry) {
	n.color = e.Color
	if n.color == 0 {
		n.color = t.theme.Leaf
		if e.Dir && e.Path != "/" {
			n.color = t.theme.Directory
		}
	}
	n.mark, n.info = e.Mark, cleanText(e.Info)
	// The entry's cells, shared while they are clean (nearly always): a
	// directory of 10,000 rows keeps one copy of its cells, not two.
	n.cells = e.Cells
	for i, c := range e.Cells {
		if cleanText(c.Text) == c.Text {
			continue
		}
		n.cells = make([]TreeCell, len(e.Cells))
		for j, c := range e.Cells {
			if j >= i {
				c.Text = cleanText(c.Text)
			}
			n.cells[j] = c
		}
		return
	}
}

// matches reports whether match accepts the node's name or one of its
// cells. Relative times are left out: their text changes as they count.
func (n *treeNode) matches(match func(string) bool, name string) bool {
	if match(name) {
		return true
	}
	for _, c := range n.cells {
		if c.Since == 0 && match(c.Text) {
			return true
		}
	}
	return false
}

func (t *Tree) statusNode(text string, color tcell.Color) *treeNode {
	return &treeNode{text: oneLine(sanitize(text)), color: color}
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
	t.render(dir, false)
}

// SetAgeFunc sets how relative times (TreeCell.Since) are shown.
func (t *Tree) SetAgeFunc(age func(since int64) string) { t.age = age }

// SetFilter narrows directory dir to the entries that match (nil: all
// again) and returns how many match. An entry matches when match accepts
// its name or, in a table directory, one of its cells (relative times
// left out: their text changes as they count). Only one directory is filtered
// at a time; the previous one shows all its entries again. Entries the
// filter hides keep their nodes, expansion and children, and come back as
// they were.
func (t *Tree) SetFilter(dir string, match func(text string) bool) int {
	prev := t.filterDir
	t.filterDir, t.filter = dir, match
	if match == nil {
		t.filterDir = ""
	}
	if prev != "" && prev != dir {
		t.render(prev, true)
	}
	t.render(dir, true)
	return t.listed[dir].shown
}

// Filtered returns the directory a filter narrows, "" if none.
func (t *Tree) Filtered() string { return t.filterDir }

// render shows directory dir's last listing, through the filter if it
// narrows dir. sameListing says only the filter changed: the children's
// entries are then the listing's, in its order, and a filter typed over
// 10,000 names costs one walk over them per keystroke, no map and no new
// node.
func (t *Tree) render(dir string, sameListing bool) {
	node := t.nodes[dir]
	l, ok := t.listed[dir]
	if node == nil || !ok {
		return
	}
	state := l.state
	var match func(string) bool
	if dir == t.filterDir {
		match = t.filter
	}
	// The child that is the selection or holds it, if any, and its place.
	curChild := t.cur
	for curChild != nil && curChild.parent != node {
		curChild = curChild.parent
	}
	curIndex := -1
	old := node.children
	children := make([]*treeNode, 0, len(l.entries)+3)
	if state.Err != "" {
		children = append(children, t.statusNode("⚠ "+state.Err, t.theme.Error))
	}
	if !sameListing {
		l.table = t.layout(state, l.entries)
	}
	if l.table != nil {
		children = append(children, &treeNode{table: l.table, color: t.theme.Title})
	}
	shown := 0
	place := func(n *treeNode, name string) {
		n.hidden = (match != nil && !n.matches(match, name)) || t.keptOut(dir, n.path)
		n.table = l.table
		if !n.hidden {
			shown++
		}
		children = append(children, n)
	}
	var gone []*treeNode // old children no longer listed
	if sameListing {
		i := 0
		for _, c := range old {
			if c.selectable() && i < len(l.entries) {
				place(c, l.entries[i].Name)
				i++
			}
		}
	} else {
		// Kept between calls; cleared after each.
		if t.keep == nil {
			t.keep = map[string]*treeNode{}
		}
		keep := t.keep
		for i, c := range old {
			if c.selectable() {
				keep[c.path] = c
			}
			if c == curChild {
				curIndex = i
			}
		}
		for _, e := range l.entries {
			n, ok := keep[e.Path]
			if ok {
				delete(keep, e.Path)
				t.update(n, e)
			} else {
				n = t.newNode(e)
			}
			place(n, e.Name)
		}
		for _, n := range keep {
			gone = append(gone, n)
		}
		clear(keep)
	}
	switch {
	case state.Loading:
		children = append(children, t.statusNode("loading…", t.theme.Muted))
	case shown == 0 && state.Err == "" && state.Note == "":
		children = append(children, t.statusNode("(empty)", t.theme.Muted))
	}
	if state.Note != "" {
		children = append(children, t.statusNode(state.Note, t.theme.Muted))
	}
	// The selection moves when its entry left the listing or the filter
	// hides it.
	curLost := false
	lastShown := -1
	for i, c := range children {
		c.parent, c.depth, c.last = node, node.depth+1, false
		if !c.hidden {
			lastShown = i
		}
		if c == curChild && c.hidden {
			curLost, curIndex = true, i
		}
	}
	if lastShown >= 0 {
		children[lastShown].last = true
	}
	node.children = children
	l.shown = shown
	t.listed[dir] = l
	t.stale = true

	for _, n := range gone {
		if n == curChild {
			curLost = true
		}
		t.forget(n)
	}
	if curLost {
		t.setCurrent(t.replacement(node, children, curIndex))
	}
}

// replacement picks the node to select when the selected one disappeared
// or was hidden: the first shown entry from its index on, else the nearest
// one before it, else the directory.
func (t *Tree) replacement(dir *treeNode, children []*treeNode, index int) *treeNode {
	index = max(min(index, len(children)-1), 0)
	for i := index; i < len(children); i++ {
		if c := children[i]; c.selectable() && !c.hidden {
			return c
		}
	}
	for i := index - 1; i >= 0; i-- {
		if c := children[i]; c.selectable() && !c.hidden {
			return c
		}
	}
	return dir
}

// forget drops n and everything below it from the index.
func (t *Tree) forget(n *treeNode) {
	if !n.selectable() {
		return
	}
	delete(t.nodes, n.path)
	if n.dir {
		delete(t.listed, n.path)
		if n.path == t.filterDir {
			t.filterDir, t.filter = "", nil
		}
	}
	for _, c := range n.children {
		t.forget(c)
	}
}

// visibleRows returns the rows, rebuilt if the shape changed. The
// selection, if hidden under a collapsed directory, moves up to the
// nearest ancestor that shows.
func (t *Tree) visibleRows() []*treeNode {
	if t.stale {
		t.stale = false
		t.rows = t.rows[:0]
		var add func(n *treeNode)
		add = func(n *treeNode) {
			n.row = len(t.rows)
			t.rows = append(t.rows, n)
			if n.expanded {
				for _, c := range n.children {
					if !c.hidden {
						add(c)
					}
				}
			}
		}
		add(t.root)
	}
	// Also after Select chose an entry inside a collapsed directory.
	for !t.shows(t.cur) {
		t.cur = t.cur.parent
	}
	return t.rows
}

// shows reports whether n is one of the current rows.
func (t *Tree) shows(n *treeNode) bool {
	return n.row < len(t.rows) && t.rows[n.row] == n
}

func (t *Tree) setCurrent(n *treeNode) {
	t.cur = n
	t.follow = true
}

// Selected returns the selected node's path and whether it is a directory.
func (t *Tree) Selected() (path string, dir bool) {
	t.visibleRows()
	return t.cur.path, t.cur.dir
}

// Select selects the node of path, if the tree holds it. A filter that
// hides it is dropped: the user asked for that entry. (The app drops it
// first, saying so, where it can: see Hidden.)
func (t *Tree) Select(path string) bool {
	n := t.nodes[path]
	if n == nil {
		return false
	}
	if t.Hidden(path) {
		t.SetFilter(t.filterDir, nil)
		t.SetKept(nil, nil)
	}
	t.setCurrent(n)
	return true
}

// Hidden reports whether the filter hides the entry of path, or a
// directory above it.
func (t *Tree) Hidden(path string) bool {
	for n := t.nodes[path]; n != nil; n = n.parent {
		if n.hidden {
			return true
		}
	}
	return false
}

// Has reports whether the tree holds a node for path.
func (t *Tree) Has(path string) bool { return t.nodes[path] != nil }

// IsExpanded reports whether directory path is shown expanded.
func (t *Tree) IsExpanded(path string) bool {
	n := t.nodes[path]
	return n != nil && n.expanded
}

// SetExpanded expands or collapses directory path.
func (t *Tree) SetExpanded(path string, expanded bool) {
	if n := t.nodes[path]; n != nil && n.expanded != expanded {
		n.expanded = expanded
		t.stale = true
	}
}

// ChildCount returns how many entries directory path shows, -1 if the
// tree does not hold it or it has not been expanded.
//
// It is kept when the directory is drawn, not counted: the breadcrumb asks
// on every frame.
func (t *Tree) ChildCount(path string) int {
	n := t.nodes[path]
	if n == nil || !n.expanded {
		return -1
	}
	return t.listed[path].shown
}

// ChildPaths returns the paths of the entries directory path shows, in
// order.
func (t *Tree) ChildPaths(path string) []string {
	n := t.nodes[path]
	if n == nil {
		return nil
	}
	var out []string
	for _, c := range n.children {
		if c.selectable() && !c.hidden {
			out = append(out, c.path)
		}
	}
	return out
}

// SetSelectedFunc sets what a click on an entry does, after selecting it.
// Keys never reach the tree: the app moves the selection itself.
func (t *Tree) SetSelectedFunc(f func()) { t.clicked = f }
