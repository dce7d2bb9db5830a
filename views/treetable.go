package views

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"
)

// tableLayout is how a table directory's rows line up: the header's
// titles and each column's width, found once per listing, not per frame.
type tableLayout struct {
	nameTitle string
	titles    []string
	nameWidth int   // the widest name (with its mark), or title
	widths    []int // the widest cell of each column, or title
	marked    bool  // rows carry a mark before the name
	ages      bool  // some cells are relative times
}

// columnGap separates a table's columns, as kubectl's tabwriter does.
const columnGap = 3

// minAgeWidth keeps a relative time's column from growing as its ages
// do ("59s" becomes "2m50s" without a new listing).
const minAgeWidth = 5

// layout measures a table directory's entries; nil when the directory is
// no table or lists nothing.
func (t *Tree) layout(state DirState, entries []TreeEntry) *tableLayout {
	if state.NameTitle == "" || len(entries) == 0 {
		return nil
	}
	l := &tableLayout{nameTitle: cleanText(state.NameTitle), titles: make([]string, len(state.Columns)),
		nameWidth: textWidth(cleanText(state.NameTitle)), widths: make([]int, len(state.Columns))}
	for i, title := range state.Columns {
		l.titles[i] = cleanText(title) // a CRD's column names are cluster text
		l.widths[i] = textWidth(l.titles[i])
	}
	for _, e := range entries {
		if e.Mark != "" {
			l.marked = true
		}
		// The name as the node shows it: a directory's ends with "/".
		w := textWidth(cleanText(e.Name))
		if e.Dir {
			w++
		}
		l.nameWidth = max(l.nameWidth, w)
		for i, c := range e.Cells {
			if i >= len(l.widths) {
				break
			}
			if c.Since != 0 {
				l.ages = true
				l.widths[i] = max(l.widths[i], minAgeWidth, textWidth(t.ageText(c)))
				continue
			}
			l.widths[i] = max(l.widths[i], textWidth(cleanText(c.Text)))
		}
	}
	return l
}

// ShowsAges reports whether an expanded directory shows relative times,
// which change as time passes: the app redraws while it does.
func (t *Tree) ShowsAges() bool {
	for dir, l := range t.listed {
		if l.table != nil && l.table.ages && t.showsChildren(dir) {
			return true
		}
	}
	return false
}

// showsChildren reports whether directory dir and every directory above
// it are expanded: its entries are rows of the tree.
func (t *Tree) showsChildren(dir string) bool {
	for n := t.nodes[dir]; n != nil; n = n.parent {
		if !n.expanded {
			return false
		}
	}
	return t.nodes[dir] != nil
}

func (t *Tree) ageText(c TreeCell) string {
	if c.Since != 0 && t.age != nil {
		return t.age(c.Since)
	}
	return c.Text
}

// drawRow draws node n from column x to end: its mark, its name, what it
// holds, and in a table its cells, as many columns as fit.
func (t *Tree) drawRow(screen tcell.Screen, n *treeNode, x, y, end int, style tcell.Style) {
	l := n.table
	if l == nil {
		if n.mark != "" {
			drawText(screen, x, y, end, n.mark, style)
			x += 2
		}
		drawText(screen, x, y, end, n.text, style)
		if n.info != "" {
			muted := style.Foreground(t.theme.Muted)
			drawText(screen, x+textWidth(n.text)+2, y, end, n.info, muted)
		}
		return
	}
	header := !n.selectable()
	if header {
		style = style.Bold(true)
	}
	if l.marked {
		if n.mark != "" {
			drawText(screen, x, y, end, n.mark, style)
		}
		x += 2
	}
	// A very long name leaves room for the first columns: it is cut at
	// two thirds of the pane rather than pushing every column out.
	nameWidth := min(l.nameWidth, max((end-x)*2/3, 16))
	name := n.text
	if header {
		name = l.nameTitle
	}
	drawText(screen, x, y, min(x+nameWidth, end), name, style)
	col := x + nameWidth + columnGap
	for i, w := range l.widths {
		if col+w > end {
			// The first column that does not fit is shown cut when a
			// fair part of it fits; the rest are left out.
			if end-col >= 8 {
				t.drawCell(screen, n, i, col, y, end, style)
			}
			return
		}
		t.drawCell(screen, n, i, col, y, col+w, style)
		col += w + columnGap
	}
}

func (t *Tree) drawCell(screen tcell.Screen, n *treeNode, i, x, y, end int, style tcell.Style) {
	if !n.selectable() {
		drawText(screen, x, y, end, n.table.titles[i], style)
		return
	}
	if i < len(n.cells) {
		drawText(screen, x, y, end, t.ageText(n.cells[i]), style)
	}
}

// textWidth is the number of cells text takes on screen.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return uniseg.StringWidth(s)
		}
	}
	return len(s)
}

// cleanText makes cluster text safe to draw on one line: control
// characters replaced, line breaks and runs of spaces folded. Printable
// ASCII, what nearly every name and cell is, is returned as it is.
func cleanText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			return oneLine(sanitize(s))
		}
	}
	return s
}
