package views

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/mattn/go-runewidth"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// LogRow is one line as a log pane shows it.
type LogRow struct {
	Time      time.Time
	Text      string // raw: may hold ANSI sequences and invalid UTF-8
	Container string
	Partial   bool
}

// LogRows is what a log pane shows: lines in order, possibly filtered.
// The pane only reads it, on the UI goroutine.
type LogRows interface {
	Len() int
	Row(i int) LogRow
}

// LogPane shows a live log: it follows the end while new lines arrive,
// pauses when scrolled back (counting what arrives meanwhile), and draws
// every line cell by cell from parsed ANSI segments, so no text from a log
// is ever read as a tview tag or reaches the terminal as an escape.
//
// Concurrency: UI goroutine only.
type LogPane struct {
	*tview.Box
	theme themes.Theme
	rows  LogRows

	follow     bool
	top        int // first row shown when not following
	drawnTop   int // first row of the last draw
	newPaused  int // rows that arrived while paused
	timestamps bool
	wrap       bool
	prefix     bool // show each line's container, for merged panes
	hOffset    int
	search     *regexp.Regexp
	match      int // row of the current search match, -1 if none

	status string // the stream's state and counts, drawn at the bottom
}

var _ tview.Primitive = (*LogPane)(nil)

// NewLogPane returns an empty pane that follows the end.
func NewLogPane(theme themes.Theme) *LogPane {
	p := &LogPane{Box: tview.NewBox(), theme: theme, follow: true, wrap: true, match: -1}
	p.SetBorder(true).SetTitleAlign(tview.AlignLeft)
	p.SetBorderColor(theme.Border).SetTitleColor(theme.Title).SetBackgroundColor(theme.Background)
	return p
}

// SetRows sets what the pane shows.
func (p *LogPane) SetRows(rows LogRows) { p.rows = rows }

// SetLabel sets the pane's title (a path; escaped).
func (p *LogPane) SetLabel(label string) { p.SetTitle(" " + escape(label) + " ") }

// SetStatus sets the status line under the lines. It is drawn cell by
// cell; control characters are replaced.
func (p *LogPane) SetStatus(s string) { p.status = oneLine(sanitize(s)) }

// RowsChanged tells the pane that rows arrived or went: added at the end,
// removed from the front. A following pane stays at the end; a paused one
// stays on the same lines and counts the new ones.
func (p *LogPane) RowsChanged(added, removed int) {
	if p.match >= 0 {
		p.match -= removed // -1 or below: the match was evicted
	}
	if p.follow {
		return
	}
	p.top = max(p.top-removed, 0)
	p.newPaused += added
}

// Reset forgets the position, for rows rebuilt from scratch (a new filter,
// a clear): back to following the end.
func (p *LogPane) Reset() {
	p.follow, p.top, p.newPaused, p.match = true, 0, 0, -1
}

// Following reports whether the pane follows the end.
func (p *LogPane) Following() bool { return p.follow }

// NewWhilePaused is how many rows arrived since the pane was paused.
func (p *LogPane) NewWhilePaused() int { return p.newPaused }

// SetFollow resumes following the end, or pauses where the pane is.
func (p *LogPane) SetFollow(on bool) {
	if on {
		p.follow, p.newPaused = true, 0
		return
	}
	if p.follow {
		p.follow, p.top = false, p.drawnTop
	}
}

// ScrollBy moves by n rows; moving up pauses. Reaching the end resumes.
func (p *LogPane) ScrollBy(n int) {
	p.SetFollow(false)
	p.top = max(p.top+n, 0)
	if p.rows != nil && p.top >= p.lastTop() {
		p.top = p.lastTop()
		if n > 0 {
			p.SetFollow(true)
		}
	}
}

// Page moves by n pages.
func (p *LogPane) Page(n int) {
	_, _, _, h := p.GetInnerRect()
	p.ScrollBy(n * max(h-2, 1))
}

// Top shows the first row, paused.
func (p *LogPane) Top() {
	p.SetFollow(false)
	p.top = 0
}

// Bottom shows the end and follows it.
func (p *LogPane) Bottom() { p.SetFollow(true) }

// lastTop is the top row that shows the end, without wrapping.
func (p *LogPane) lastTop() int {
	_, _, _, h := p.GetInnerRect()
	return max(p.rows.Len()-max(h-1, 1), 0)
}

// Timestamps reports whether lines show their time.
func (p *LogPane) Timestamps() bool { return p.timestamps }

// ToggleTimestamps shows or hides each line's time.
func (p *LogPane) ToggleTimestamps() bool { p.timestamps = !p.timestamps; return p.timestamps }

// ToggleWrap wraps long lines or cuts them (then ←/→ scroll sideways).
func (p *LogPane) ToggleWrap() bool { p.wrap = !p.wrap; p.hOffset = 0; return p.wrap }

// ScrollSideways moves the view n columns right (negative: left) when
// lines are not wrapped.
func (p *LogPane) ScrollSideways(n int) {
	if !p.wrap {
		p.hOffset = max(p.hOffset+n, 0)
	}
}

// SetPrefix shows each line's container in front of it, in a color of its
// own that stays the same for the same name.
func (p *LogPane) SetPrefix(on bool) { p.prefix = on }

// SetSearch highlights every match of re (nil: none) and forgets the
// current match.
func (p *LogPane) SetSearch(re *regexp.Regexp) { p.search, p.match = re, -1 }

// NextMatch moves to the next row with a match after the current one (or
// before, with back), wrapping around; it pauses the pane so the match
// stays on screen. It reports whether there is any match.
func (p *LogPane) NextMatch(back bool) bool {
	if p.search == nil || p.rows == nil || p.rows.Len() == 0 {
		return false
	}
	n := p.rows.Len()
	from := p.match
	if from < 0 {
		// No current match: search from the top of the screen, either way.
		from = p.drawnTop
		if !back {
			from--
		}
	}
	step := 1
	if back {
		step = -1
	}
	for k := 1; k <= n; k++ {
		i := ((from+step*k)%n + n) % n
		if p.search.MatchString(PlainText(p.rows.Row(i).Text)) {
			p.match = i
			p.SetFollow(false)
			// Keep some context above the match.
			_, _, _, h := p.GetInnerRect()
			p.top = max(i-max(h/3, 0), 0)
			return true
		}
	}
	return false
}

// PlainText is a log line's text without escape sequences: what search and
// filter match. Safe from any goroutine.
func PlainText(s string) string {
	var b strings.Builder
	for _, seg := range ParseANSI(s, tcell.StyleDefault) {
		b.WriteString(seg.Text)
	}
	return b.String()
}

// MouseHandler implements tview.Primitive: a click focuses the pane, the
// wheel scrolls it (scrolling up pauses, as with the keys).
func (p *LogPane) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return p.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(tview.Primitive)) (bool, tview.Primitive) {
		if !p.InRect(event.Position()) {
			return false, nil
		}
		switch action {
		case tview.MouseLeftDown, tview.MouseLeftClick:
			setFocus(p)
		case tview.MouseScrollUp:
			p.ScrollBy(-3)
		case tview.MouseScrollDown:
			p.ScrollBy(3)
		default:
			return false, nil
		}
		return true, nil
	})
}

// Draw implements tview.Primitive.
func (p *LogPane) Draw(screen tcell.Screen) {
	p.DrawForSubclass(screen, p)
	x, y, w, h := p.GetInnerRect()
	if w <= 0 || h <= 0 {
		return
	}
	base := tcell.StyleDefault.Foreground(p.theme.Foreground).Background(p.theme.Background)
	body := h - 1 // the last line is the status line
	p.drawStatus(screen, x, y+h-1, w)
	if p.rows == nil || body <= 0 {
		return
	}
	n := p.rows.Len()
	if p.follow {
		// Lay out rows from the end up until the pane is full; the oldest
		// row shown may show only its end.
		var stack [][]cell
		i := n - 1
		for ; i >= 0 && len(stack) < body; i-- {
			ls := p.layout(i, w, base)
			for k := len(ls) - 1; k >= 0 && len(stack) < body; k-- {
				stack = append(stack, ls[k])
			}
		}
		p.drawnTop = i + 1
		for r := range stack {
			drawCells(screen, x, y+r, w, stack[len(stack)-1-r])
		}
		return
	}
	p.drawnTop = min(p.top, max(n-1, 0))
	row := 0
	for i := p.drawnTop; i < n && row < body; i++ {
		for _, l := range p.layout(i, w, base) {
			if row >= body {
				break
			}
			drawCells(screen, x, y+row, w, l)
			row++
		}
	}
}

func (p *LogPane) drawStatus(screen tcell.Screen, x, y, w int) {
	style := tcell.StyleDefault.Foreground(p.theme.Muted).Background(p.theme.Background)
	text := p.status
	if !p.follow {
		text = fmt.Sprintf("PAUSED, %d new ┃ %s", p.newPaused, text)
	}
	var cells []cell
	for _, r := range text {
		cells = append(cells, cell{r: r, style: style, width: max(runewidth.RuneWidth(r), 1)})
	}
	drawCells(screen, x, y, w, cells)
}
