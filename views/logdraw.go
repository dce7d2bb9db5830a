package views

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/mattn/go-runewidth"
)

// How a log pane turns a line into cells: the prefix, the timestamp, the
// ANSI segments, search highlights, and wrapping.

type cell struct {
	r     rune
	style tcell.Style
	width int
}

func drawCells(screen tcell.Screen, x, y, w int, cells []cell) {
	col := 0
	for _, c := range cells {
		if col+c.width > w {
			break
		}
		screen.SetContent(x+col, y, c.r, nil, c.style)
		col += c.width
	}
}

// layout turns row i into screen lines of at most w columns: prefix,
// timestamp, then the text's segments, search matches highlighted.
func (p *LogPane) layout(i, w int, base tcell.Style) [][]cell {
	r := p.rows.Row(i)
	var cells []cell
	add := func(s string, st tcell.Style) {
		for _, ch := range s {
			cw := runewidth.RuneWidth(ch)
			if cw == 0 {
				continue // combining marks and the like: dropped, not drawn apart
			}
			cells = append(cells, cell{r: ch, style: st, width: cw})
		}
	}
	muted := base.Foreground(p.theme.Muted)
	if p.prefix && r.Container != "" {
		add(r.Container+" ", base.Foreground(containerColor(r.Container)).Bold(true))
	}
	if p.timestamps && !r.Time.IsZero() {
		add(r.Time.UTC().Format("2006-01-02T15:04:05.000Z")+" ", muted)
	}
	start := len(cells)
	text, more := r.Text, 0
	if len(text) > maxRowBytes {
		// Drawing a multi-megabyte line cell by cell on every frame would
		// stall the UI; its start says what it is, save shows it all.
		text, more = text[:maxRowBytes], len(text)-maxRowBytes
	}
	segs := ParseANSI(text, base)
	for _, s := range segs {
		add(s.Text, s.Style)
	}
	if p.search != nil {
		p.highlight(cells[start:], segs, i == p.match)
	}
	if more > 0 {
		add(fmt.Sprintf(" … %d more bytes", more), muted)
	}
	if r.Partial {
		add("⏎?", muted) // the newline has not arrived
	}
	if !p.wrap {
		if p.hOffset < len(cells) {
			cells = cells[p.hOffset:]
		} else {
			cells = nil
		}
		return [][]cell{cells}
	}
	var out [][]cell
	for len(cells) > 0 {
		col, k := 0, 0
		for k < len(cells) && col+cells[k].width <= w {
			col += cells[k].width
			k++
		}
		if k == 0 {
			k = 1
		}
		out = append(out, cells[:k])
		cells = cells[k:]
	}
	if len(out) == 0 {
		out = [][]cell{nil}
	}
	return out
}

// highlight marks the cells of every search match in reverse video; the
// current match also in the theme's warning color.
func (p *LogPane) highlight(cells []cell, segs []Segment, current bool) {
	var plain strings.Builder
	for _, s := range segs {
		plain.WriteString(s.Text)
	}
	text := plain.String()
	// Map byte offsets of the plain text to cell indexes.
	idx := make([]int, 0, len(text)+1)
	ci := 0
	for bi, ch := range text {
		for len(idx) < bi {
			idx = append(idx, ci-1)
		}
		idx = append(idx, ci)
		if runewidth.RuneWidth(ch) != 0 {
			ci++
		}
	}
	for len(idx) <= len(text) {
		idx = append(idx, ci)
	}
	for _, m := range p.search.FindAllStringIndex(text, -1) {
		for c := idx[m[0]]; c < idx[m[1]] && c < len(cells); c++ {
			st := cells[c].style.Reverse(true)
			if current {
				st = st.Foreground(p.theme.Warning)
			}
			cells[c].style = st
		}
	}
}

// maxRowBytes bounds how much of one line the pane lays out.
const maxRowBytes = 16 << 10

// containerPalette holds the colors merged panes give container names.
var containerPalette = []tcell.Color{
	tcell.ColorAqua, tcell.ColorLime, tcell.ColorFuchsia, tcell.ColorYellow,
	tcell.ColorOrange, tcell.ColorDeepSkyBlue, tcell.ColorPaleGreen, tcell.ColorPink,
}

// containerColor picks a container's color from its name, so it is the
// same in every pane and every session.
func containerColor(name string) tcell.Color {
	h := fnv.New32a()
	h.Write([]byte(name))
	return containerPalette[h.Sum32()%uint32(len(containerPalette))]
}
