package app

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
	"github.com/kfsui/kfsui/views"
)

// tables is how the tree shows type directories: which column each type
// sorts by, and whether the wide columns show. A sort belongs to the type,
// not the directory, so pods sorted by RESTARTS stay so in every
// namespace, as a k9s view does.
//
// Concurrency: safe from any goroutine; directories are read off the UI
// goroutine and sorted there.
type tables struct {
	mu    sync.Mutex
	sorts map[tableKey]tableSort
	wide  bool
}

// tableKey names a type in its scope: /cluster/<type> or any
// /namespaces/<ns>/<type>.
type tableKey struct {
	cluster bool
	typ     string
}

// tableSort is a column to sort by (an index into the listing's columns;
// -1 for the name) and its direction.
type tableSort struct {
	col     int
	reverse bool
}

func keyOf(p model.Path) tableKey { return tableKey{cluster: p.Cluster, typ: p.Type} }

func (t *tables) sortOf(p model.Path) tableSort {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.sorts[keyOf(p)]; ok {
		return s
	}
	return tableSort{col: -1}
}

func (t *tables) setSort(p model.Path, s tableSort) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sorts == nil {
		t.sorts = map[tableKey]tableSort{}
	}
	t.sorts[keyOf(p)] = s
}

func (t *tables) isWide() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wide
}

func (t *tables) toggleWide() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wide = !t.wide
	return t.wide
}

// visibleColumns are the columns a type directory shows after the names:
// all but the name column, the wide ones (priority above 0) only when
// wide is on, as `kubectl get -o wide` prints them.
func visibleColumns(columns []k8s.Column, wide bool) []int {
	name := k8s.NameColumn(columns)
	var out []int
	for i, c := range columns {
		if i != name && (wide || c.Priority == 0) {
			out = append(out, i)
		}
	}
	return out
}

// sortable are the columns a sort key cycles through, in order: the
// name first, then each column shown.
func sortable(columns []k8s.Column, wide bool) []int {
	return append([]int{-1}, visibleColumns(columns, wide)...)
}

// nextSort is the sort after s: the next column shown, ascending, after
// the last one the name again.
func nextSort(s tableSort, columns []k8s.Column, wide bool) tableSort {
	cols := sortable(columns, wide)
	name := k8s.NameColumn(columns)
	at := 0
	for i, c := range cols {
		if c == s.col || c == -1 && s.col == name {
			at = i
		}
	}
	return tableSort{col: cols[(at+1)%len(cols)]}
}

// healthColor is the theme's color for an object's state.
func healthColor(theme themes.Theme, h model.Health) tcell.Color {
	switch h {
	case model.HealthFailing:
		return theme.Failing
	case model.HealthInProgress:
		return theme.InProgress
	case model.HealthDone:
		return theme.Done
	}
	return theme.Fine
}

// healthMark is an object's state as one character, drawn before its
// name where there are no colors (NO_COLOR).
func healthMark(h model.Health) string {
	switch h {
	case model.HealthFailing:
		return "!"
	case model.HealthInProgress:
		return "~"
	case model.HealthDone:
		return "+"
	}
	return " "
}

// sortMark is the header's mark on the column sorted by.
func sortMark(reverse bool) string {
	if reverse {
		return " ↓"
	}
	return " ↑"
}

// treeEntries makes the tree's entries and table header of directory
// dir, sorted as its type is. marks draws states as characters.
func treeEntries(dir model.Dir, keyOf func(model.Path) string, s tableSort, wide, marks bool, theme themes.Theme) ([]views.TreeEntry, views.DirState) {
	var state views.DirState
	entries := make([]views.TreeEntry, len(dir.Entries))
	var cols []int
	table := dir.Path.Kind == model.KindTypeDir && dir.Columns != nil
	if table {
		cols = visibleColumns(dir.Columns, wide)
		state.NameTitle = "NAME"
		sorted := s.col
		if sorted == k8s.NameColumn(dir.Columns) {
			sorted = -1
		}
		if sorted == -1 {
			state.NameTitle += sortMark(s.reverse)
		}
		state.Columns = make([]string, len(cols))
		for i, c := range cols {
			state.Columns[i] = strings.ToUpper(dir.Columns[c].Name)
			if c == sorted {
				state.Columns[i] += sortMark(s.reverse)
			}
		}
	}
	// The rows' cells in one allocation: for 10,000 rows, one object
	// for the collector instead of 10,000.
	var cells []views.TreeCell
	if table {
		cells = make([]views.TreeCell, len(dir.Entries)*len(cols))
	}
	for i, e := range dir.Entries {
		te := views.TreeEntry{Path: keyOf(e.Path), Name: e.Name, Dir: e.Dir, Info: e.Summary}
		if table {
			te.Cells = cells[i*len(cols) : (i+1)*len(cols) : (i+1)*len(cols)]
			for j, c := range cols {
				if c < len(e.Cells) {
					te.Cells[j] = views.TreeCell{Text: e.Cells[c].Text, Since: e.Cells[c].Since}
				}
			}
			te.Color = healthColor(theme, e.Health)
			if marks {
				te.Mark = healthMark(e.Health)
			}
		}
		entries[i] = te
	}
	return entries, state
}

// age is how the tree shows a relative time at this moment.
func age(since int64) string { return k8s.Cell{Since: since}.Age(time.Now()) }

// marks reports whether states are drawn as characters: the theme has
// no colors to tell them apart (NO_COLOR).
func (a *App) marks() bool { return a.theme.Name == themes.Monochrome().Name }

// tickAges redraws once a second while the tree shows ages, so they keep
// counting without a request, until the app ends.
func (a *App) tickAges() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-tick.C:
			if a.agesShown.Load() {
				// The draw after it shows the ages anew; the
				// breadcrumb says how old the metrics are.
				a.ui.Do(a.updateCrumb)
			}
		}
	}
}

// tableDir is the type directory the tree's selection is in or on, if
// any.
func (a *App) tableDir() (*session, model.Path, bool) {
	s, p, err := a.resolve(a.selectedPath())
	if err != nil || !p.HasType() {
		return nil, model.Path{}, false
	}
	if p.All {
		return s, model.Path{Kind: model.KindTypeDir, All: true, Type: p.Type}, true
	}
	return s, model.Path{Kind: model.KindTypeDir, Cluster: p.Cluster, Namespace: p.Namespace, Type: p.Type}, true
}

// sortTable sorts the type directory in focus by its next column, or
// reverses its sort; the selection stays on the same object. UI
// goroutine only.
func (a *App) sortTable(reverse bool) {
	sess, dir, ok := a.tableDir()
	if !ok {
		a.flash("sort: select a type directory or an object first", true)
		return
	}
	columns := sess.fs.Columns(dir)
	if columns == nil {
		a.flash("sort: "+dir.String()+" is not listed yet", true)
		return
	}
	s := a.tables.sortOf(dir)
	if reverse {
		s.reverse = !s.reverse
	} else {
		s = nextSort(s, columns, a.tables.isWide())
	}
	a.tables.setSort(dir, s)
	a.reloadTables(dir.Type)
	title := "NAME"
	if s.col >= 0 && s.col < len(columns) && s.col != k8s.NameColumn(columns) {
		title = strings.ToUpper(columns[s.col].Name)
	}
	a.flash("sorted by "+title+sortMark(s.reverse), false)
}

// toggleWide shows or hides the wide columns. UI goroutine only.
func (a *App) toggleWide() {
	if a.tables.toggleWide() {
		a.flash("wide columns shown", false)
	} else {
		a.flash("wide columns hidden", false)
	}
	a.reloadTables("")
}

// reloadTables reads again the open type directories of typ ("" for
// all), to show them sorted or with other columns.
func (a *App) reloadTables(typ string) {
	for _, s := range a.roots {
		for _, p := range s.dirs.openDirs() {
			if p.Kind == model.KindTypeDir && (typ == "" || p.Type == typ) {
				s.dirs.load(p)
			}
		}
	}
}

// resizeTree moves the split between the tree and the panes beside it by
// delta percent and remembers it in config.yaml. UI goroutine only.
func (a *App) resizeTree(delta int) {
	w := min(max(a.treeWidth+delta, config.MinTreeWidth), config.MaxTreeWidth)
	if w == a.treeWidth {
		return
	}
	a.treeWidth = w
	a.layout()
	if a.opts.ConfigFile == "" {
		return
	}
	// A failure only means the split is not remembered, and says so.
	a.config.set(a.opts.ConfigFile, "tree-width", fmt.Sprint(w), func(err error) {
		a.ui.Do(func() { a.flash("tree width not remembered: "+err.Error(), true) })
	})
}
