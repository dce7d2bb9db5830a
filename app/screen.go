package app

import (
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/uniseg"

	"github.com/kfsui/kfsui/internal/trace"
)

// newScreen returns the terminal's screen for tview, traced when tracing;
// nil if there is no terminal or no screen can be made: tview then makes
// its own and reports why. (tview ignores the error of initialising a
// screen it is given, and Run then panics on the missing terminal.)
func newScreen(tr *trace.Tracer) tcell.Screen {
	if !HaveTerminal() {
		return nil
	}
	s, err := tcell.NewScreen()
	if err != nil {
		return nil
	}
	var screen tcell.Screen = newCellScreen(s)
	if tr != nil {
		screen = tracedScreen{Screen: screen, t: tr}
	}
	return screen
}

// HaveTerminal reports whether there is a terminal to draw on. Safe from
// any goroutine.
func HaveTerminal() bool {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	_ = tty.Close()
	return true
}

// tracedScreen tells the tracer once Show has written a frame to the
// terminal: tview's after-draw hook runs before that write.
type tracedScreen struct {
	tcell.Screen
	t *trace.Tracer
}

func (s tracedScreen) Show() {
	start := time.Now()
	s.Screen.Show()
	s.t.Drawn(start)
}

func (s tracedScreen) Sync() {
	start := time.Now()
	s.Screen.Sync()
	s.t.Drawn(start)
}

// cellScreen makes tview's drawing on tcell cheap. Each frame tview clears
// the screen and draws everything again; every box first fills its area
// with spaces, then draws into it. On tcell's terminal screen that cost
// most of kfsui's CPU while scrolling a long list, and most of what the
// terminal had to read:
//
//   - tcell's Put compares a cell's new content with what the cell held a
//     moment before in the same frame (the clear's blank, the box's fill, a
//     border under a title), not with what the terminal shows. So every
//     cell that was not blank was sent to the terminal again on every
//     frame: 8 kB of output for a key that moved the selection one row.
//   - Each write is a locked call into tcell that looks for grapheme
//     clusters and, through SetContent, allocates a string: about 30,000
//     writes and 10,000 allocations a frame on a 200×50 terminal.
//
// cellScreen keeps the frame being drawn in a plain array, where a space
// written over the frame's clear that would not show is dropped (most of
// a frame's writes are the boxes' fills). At Show it hands tcell only the
// cells that differ from what it handed tcell the frame before, so tcell
// sends only what changed.
//
// Concurrency: safe from any goroutine, as tcell's screens are.
type cellScreen struct {
	tcell.Screen

	mu   sync.Mutex
	w, h int
	// frame is the frame being drawn; a zero cell holds Clear's blank,
	// nothing drawn on it since.
	frame []cell
	sent  []cell // what tcell holds, as of the last Show; zero: unknown
	runes map[rune]cell
}

// cell is one cell's content: a grapheme cluster, its style, and its
// width (2 for a wide character).
type cell struct {
	str   string
	style tcell.Style
	width int
}

func newCellScreen(s tcell.Screen) *cellScreen {
	return &cellScreen{Screen: s, runes: map[rune]cell{}}
}

// blankCell is what Clear leaves.
var blankCell = cell{str: " ", width: 1}

// asciiCells holds a cell of each printable ASCII character, made once.
var asciiCells = func() (s [128]cell) {
	for r := ' '; r < 127; r++ {
		s[r] = cell{str: string(r), width: 1}
	}
	return s
}()

// Clear implements tcell.Screen.
func (s *cellScreen) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fit()
	clear(s.frame)
}

// Fill implements tcell.Screen.
func (s *cellScreen) Fill(r rune, style tcell.Style) {
	if r == ' ' && style == tcell.StyleDefault {
		s.Clear()
		return
	}
	c := s.runeCell(r, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fit()
	for i := range s.frame {
		s.frame[i] = c.styled(style, s.content(i).style)
	}
}

// content is the frame's cell i. Holding mu.
func (s *cellScreen) content(i int) cell {
	if s.frame[i].str == "" {
		return blankCell
	}
	return s.frame[i]
}

// fit sizes the frame to the screen. Holding mu.
func (s *cellScreen) fit() {
	w, h := s.Screen.Size()
	if w == s.w && h == s.h && s.frame != nil {
		return
	}
	s.w, s.h = w, h
	s.frame = make([]cell, w*h)
	s.sent = make([]cell, w*h)
}

// styled returns c in style; tcell's ColorNone keeps the color of the
// style the cell had.
func (c cell) styled(style, had tcell.Style) cell {
	c.style = style
	if fg, bg, _ := style.Decompose(); fg == tcell.ColorNone || bg == tcell.ColorNone {
		oldFg, oldBg, _ := had.Decompose()
		if fg == tcell.ColorNone {
			c.style = c.style.Foreground(oldFg)
		}
		if bg == tcell.ColorNone {
			c.style = c.style.Background(oldBg)
		}
	}
	return c
}

// runeCell returns the cell of a rune and its combining runes.
func (s *cellScreen) runeCell(r rune, combining []rune) cell {
	if len(combining) == 0 && r >= ' ' && r < 127 {
		return asciiCells[r]
	}
	if len(combining) > 0 {
		str := string(append([]rune{r}, combining...))
		return cell{str: str, width: clusterWidth(str)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.runes[r]
	if !ok {
		str := string(r)
		c = cell{str: str, width: clusterWidth(str)}
		// Borders, tree lines and the like: a few kinds a screen, each
		// written thousands of times. Bounded for a screen of anything.
		if len(s.runes) < 4096 {
			s.runes[r] = c
		}
	}
	return c
}

// clusterWidth is the width of str's first grapheme cluster.
func clusterWidth(str string) int {
	_, _, width, _ := uniseg.FirstGraphemeClusterInString(str, -1)
	return width
}

// set writes c in style at x, y of the frame. A space that would change
// nothing that shows is dropped: every box fills its area with spaces
// before drawing into it, over the frame's clear, and those are most of
// a frame's writes.
func (s *cellScreen) set(x, y int, c cell, style tcell.Style) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frame == nil || x < 0 || y < 0 || x >= s.w || y >= s.h {
		return
	}
	i := y*s.w + x
	if s.frame[i].str == "" && c.str == " " && invisibleStyle(style) {
		return
	}
	s.frame[i] = c.styled(style, s.frame[i].style)
}

// SetContent implements tcell.Screen.
func (s *cellScreen) SetContent(x, y int, primary rune, combining []rune, style tcell.Style) {
	s.set(x, y, s.runeCell(primary, combining), style)
}

// SetCell implements tcell.Screen.
func (s *cellScreen) SetCell(x, y int, style tcell.Style, ch ...rune) {
	if len(ch) == 0 {
		ch = []rune{' '}
	}
	s.SetContent(x, y, ch[0], ch[1:], style)
}

// Put implements tcell.Screen: as tcell's, it writes str's first grapheme
// cluster, with any of no width before it, and returns the rest and the
// width written.
func (s *cellScreen) Put(x, y int, str string, style tcell.Style) (string, int) {
	var c cell
	switch {
	case str == "":
		return "", 0
	case str[0] >= ' ' && str[0] < 127 && (len(str) == 1 || str[1] < utf8.RuneSelf):
		// Printable ASCII followed by ASCII or nothing is a cluster
		// of its own.
		c, str = asciiCells[str[0]], str[1:]
	default:
		state := -1
		for c.width == 0 && str != "" {
			var g string
			g, str, c.width, state = uniseg.FirstGraphemeClusterInString(str, state)
			c.str += g
		}
	}
	s.set(x, y, c, style)
	return str, c.width
}

// PutStr implements tcell.Screen.
func (s *cellScreen) PutStr(x, y int, str string) {
	s.PutStrStyled(x, y, str, tcell.StyleDefault)
}

// PutStrStyled implements tcell.Screen, as tcell does, a cell at a time.
func (s *cellScreen) PutStrStyled(x, y int, str string, style tcell.Style) {
	w, h := s.Size()
	for str != "" && x < w && y < h {
		var width int
		if str, width = s.Put(x, y, str, style); width == 0 {
			return
		}
		x += width
	}
}

// Get implements tcell.Screen: the frame being drawn.
func (s *cellScreen) Get(x, y int) (string, tcell.Style, int) {
	c, ok := s.at(x, y)
	if !ok {
		return s.Screen.Get(x, y)
	}
	if c.str == "" || c.width == 0 {
		return " ", c.style, 1
	}
	return c.str, c.style, c.width
}

// GetContent implements tcell.Screen: the frame being drawn. tview asks
// it for every character it prints on a default background, so a cell
// without combining runes costs no allocation.
func (s *cellScreen) GetContent(x, y int) (rune, []rune, tcell.Style, int) {
	str, style, width := s.Get(x, y)
	r, size := utf8.DecodeRuneInString(str)
	if size == len(str) {
		return r, nil, style, width
	}
	return r, []rune(str[size:]), style, width
}

// at returns the frame's cell at x, y, if the frame covers it.
func (s *cellScreen) at(x, y int) (cell, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frame == nil || x < 0 || y < 0 || x >= s.w || y >= s.h {
		return cell{}, false
	}
	return s.content(y*s.w + x), true
}

// Show implements tcell.Screen.
func (s *cellScreen) Show() {
	s.flush()
	s.Screen.Show()
}

// Sync implements tcell.Screen: a full redraw, which also mends whatever
// tcell lost that cellScreen thinks it holds.
func (s *cellScreen) Sync() {
	s.forgetSent()
	s.flush()
	s.Screen.Sync()
}

// PollEvent implements tcell.Screen. A resize makes tcell drop the cells
// beyond the new size: shrunk and grown back before the next frame, the
// screen would lack cells that sent says it holds. After a resize, what
// tcell holds is unknown.
func (s *cellScreen) PollEvent() tcell.Event {
	ev := s.Screen.PollEvent()
	if _, ok := ev.(*tcell.EventResize); ok {
		s.forgetSent()
	}
	return ev
}

// forgetSent notes that what tcell holds is unknown.
func (s *cellScreen) forgetSent() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sent)
}

// flush hands tcell the cells that changed since the last flush.
func (s *cellScreen) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frame == nil {
		return
	}
	if w, h := s.Screen.Size(); w != s.w || h != s.h {
		// Resized since Clear: the next frame is drawn at the new
		// size, and tcell redraws everything then.
		return
	}
	for i := range s.frame {
		c := s.content(i)
		if c.str == " " && invisibleStyle(c.style) {
			// A space does not show its foreground: one color for
			// all, so that a space of another color changes nothing.
			c.style = tcell.StyleDefault
		}
		if c == s.sent[i] {
			continue
		}
		s.Screen.Put(i%s.w, i/s.w, c.str, c.style)
		s.sent[i] = c
	}
}

// invisibleStyle reports whether a space in style looks like Clear's
// blank: only its foreground differs, which a space does not show. It
// runs for most writes of every frame, so it reads the style's fields
// rather than comparing whole styles (tcell's carry strings). A style's
// hyperlink has no getter and is not compared: kfsui draws none, and
// escapes the tags that would make one.
func invisibleStyle(style tcell.Style) bool {
	_, bg, attrs := style.Decompose()
	return bg == tcell.ColorDefault && attrs == 0 &&
		style.GetUnderlineStyle() == tcell.UnderlineStyleNone &&
		style.GetUnderlineColor() == tcell.ColorDefault
}
