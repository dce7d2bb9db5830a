package views

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"
)

// The tree's moving, scrolling and drawing: what keys, the wheel and
// clicks do to the rows on screen.

// Move moves the selection by n selectable rows, down for positive n,
// stopping at either end.
func (t *Tree) Move(n int) {
	rows := t.visibleRows()
	i := t.cur.row
	for ; n > 0; n-- {
		j := i + 1
		for j < len(rows) && !rows[j].selectable() {
			j++
		}
		if j >= len(rows) {
			break
		}
		i = j
	}
	for ; n < 0; n++ {
		j := i - 1
		for j >= 0 && !rows[j].selectable() {
			j--
		}
		if j < 0 {
			break
		}
		i = j
	}
	t.setCurrent(rows[i])
}

// ShowChildren scrolls so that the children of the selected directory path
// are in view, as far as the pane's height allows, keeping the selection
// on path: expanding a directory at the bottom of the pane then shows what
// it holds.
func (t *Tree) ShowChildren(path string) {
	t.visibleRows() // first: it may move the selection up
	n := t.nodes[path]
	if n == nil || n != t.cur || !n.expanded {
		return
	}
	_, _, _, h := t.GetInnerRect()
	shown := 0
	for _, c := range n.children {
		if !c.hidden {
			shown++
		}
	}
	k := min(shown, h-1)
	if k <= 0 {
		return
	}
	t.keepVisible(h)
	if last := n.row + k; last >= t.offset+h {
		t.offset = last - h + 1
	}
}

// Page moves the selection by n pages.
func (t *Tree) Page(n int) {
	_, _, _, h := t.GetInnerRect()
	t.Move(n * max(h, 1))
}

// Top selects the root.
func (t *Tree) Top() { t.setCurrent(t.root) }

// Bottom selects the last visible entry.
func (t *Tree) Bottom() {
	rows := t.visibleRows()
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].selectable() {
			t.setCurrent(rows[i])
			return
		}
	}
}

// keepVisible scrolls so the selection is on screen, h rows high, and the
// screen is not past the last row.
func (t *Tree) keepVisible(h int) {
	if t.follow {
		if t.cur.row >= t.offset+h {
			t.offset = t.cur.row - h + 1
		}
		if t.cur.row < t.offset {
			t.offset = t.cur.row
		}
	}
	t.offset = max(min(t.offset, len(t.rows)-h), 0)
}

// Draw draws the rows on screen.
func (t *Tree) Draw(screen tcell.Screen) {
	t.DrawForSubclass(screen, t)
	x, y, w, h := t.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	rows := t.visibleRows()
	t.keepVisible(h)
	lines := tcell.StyleDefault.Background(t.theme.Background).Foreground(t.theme.Border)
	for i := t.offset; i < len(rows) && i < t.offset+h; i++ {
		n, row := rows[i], y+i-t.offset
		// The lines: a bar for each ancestor with siblings still to
		// come, then this node's branch. The root has none.
		if n.depth > 0 {
			for a, col := n.parent, (n.depth-2)*3; a != nil && a.depth > 0; a, col = a.parent, col-3 {
				if !a.last && col < w {
					screen.Put(x+col, row, t.glyphs.bar, lines)
				}
			}
			glyphs := [3]string{t.glyphs.tee, t.glyphs.dash, t.glyphs.dash}
			switch {
			case n.table != nil && !n.selectable():
				// A table's header: the line goes on past it.
				glyphs = [3]string{t.glyphs.bar, " ", " "}
			case n.last:
				glyphs[0] = t.glyphs.corner
			}
			for j, g := range glyphs {
				if col := (n.depth-1)*3 + j; col < w {
					screen.Put(x+col, row, g, lines)
				}
			}
		}
		style := tcell.StyleDefault.Background(t.theme.Background).Foreground(n.color)
		if n == t.cur {
			style = style.Background(t.theme.Selection).Bold(true)
		}
		t.drawRow(screen, n, x+n.depth*3, row, x+w, style)
	}
}

// drawText draws text from x up to (not including) column end, a grapheme
// cluster per cell or two.
func drawText(screen tcell.Screen, x, y, end int, text string, style tcell.Style) {
	state := -1
	for text != "" && x < end {
		var cluster string
		var width int
		cluster, text, width, state = uniseg.FirstGraphemeClusterInString(text, state)
		if width == 0 {
			continue
		}
		if x+width > end {
			return
		}
		// Put, not SetContent: SetContent builds a string per cell.
		screen.Put(x, y, cluster, style)
		x += width
	}
}

// MouseHandler selects a clicked entry and calls the click function; the
// wheel scrolls without moving the selection.
func (t *Tree) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return t.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
		x, y := event.Position()
		if !t.InRect(x, y) {
			return false, nil
		}
		switch action {
		case tview.MouseLeftDown:
			setFocus(t)
			return true, nil
		case tview.MouseLeftClick:
			if !t.InInnerRect(x, y) {
				return true, nil // the border and title
			}
			_, top, _, _ := t.GetInnerRect()
			rows := t.visibleRows()
			if i := t.offset + y - top; i >= 0 && i < len(rows) && rows[i].selectable() {
				t.setCurrent(rows[i])
				if t.clicked != nil {
					t.clicked()
				}
			}
			return true, nil
		case tview.MouseScrollUp, tview.MouseScrollDown:
			t.follow = false
			if action == tview.MouseScrollUp {
				t.offset--
			} else {
				t.offset++
			}
			return true, nil
		}
		return false, nil
	})
}
