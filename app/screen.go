package app

import (
	"sync"

	"github.com/gdamore/tcell/v2"
)

// newScreen returns the terminal's screen for tview, traced when tracing;
// nil if there is no terminal or no screen can be made: tview then makes
// its own and reports why. (tview ignores the error of initialising a
// screen it is given, and Run then panics on the missing terminal.)
func newScreen(trace *tracer) tcell.Screen {
	if !haveTerminal() {
		return nil
	}
	s, err := tcell.NewScreen()
	if err != nil {
		return nil
	}
	var screen tcell.Screen = newCellScreen(s)
	if trace != nil {
		screen = tracedScreen{Screen: screen, t: trace}
	}
	return screen
}

// cellScreen makes tview's cell writes cheap. Scrolling a long list spent
// most of kfsui's CPU (5.8 ms a key, profiled in the scale bench) in two
// costs of tview's drawing on tcell:
//
//   - Each frame tview clears the screen, then every box fills its area
//     with spaces again before drawing into it, one locked SetContent per
//     cell: a 200×50 terminal is filled twice or three times. A space
//     written over the clear's own blank changes nothing that shows, so
//     cellScreen drops it, remembering which cells still hold that blank.
//   - tcell's SetContent builds a new string for each cell, about 10,000
//     allocations a frame whose collection slows the keys it runs under.
//     Plain ASCII goes through Put with strings made once.
//
// Concurrency: safe from any goroutine, as tcell's screens are.
type cellScreen struct {
	tcell.Screen

	mu    sync.Mutex
	w, h  int
	blank []bool // the cell holds Clear's blank, untouched since; nil: unknown
}

func newCellScreen(s tcell.Screen) *cellScreen { return &cellScreen{Screen: s} }

// asciiCells holds a one-character string for each ASCII character.
var asciiCells = func() (s [128]string) {
	for r := range s {
		s[r] = string(rune(r))
	}
	return s
}()

// Clear implements tcell.Screen; from here on every cell is known blank.
func (s *cellScreen) Clear() {
	s.Fill(' ', tcell.StyleDefault)
}

// Fill implements tcell.Screen.
func (s *cellScreen) Fill(r rune, style tcell.Style) {
	s.mu.Lock()
	s.Screen.Fill(r, style)
	s.w, s.h = s.Screen.Size()
	if n := s.w * s.h; cap(s.blank) >= n {
		s.blank = s.blank[:n]
	} else {
		s.blank = make([]bool, n)
	}
	isBlank := r == ' ' && style == tcell.StyleDefault
	for i := range s.blank {
		s.blank[i] = isBlank
	}
	s.mu.Unlock()
}

// SetContent implements tcell.Screen.
func (s *cellScreen) SetContent(x, y int, primary rune, combining []rune, style tcell.Style) {
	if s.dropOrTouch(x, y, len(combining) == 0 && primary == ' ' && invisibleStyle(style)) {
		return
	}
	if len(combining) == 0 && primary >= 0 && primary < 128 {
		s.Screen.Put(x, y, asciiCells[primary], style)
		return
	}
	s.Screen.SetContent(x, y, primary, combining, style)
}

// SetCell implements tcell.Screen.
func (s *cellScreen) SetCell(x, y int, style tcell.Style, ch ...rune) {
	if len(ch) == 0 {
		ch = []rune{' '}
	}
	s.SetContent(x, y, ch[0], ch[1:], style)
}

// Put implements tcell.Screen.
func (s *cellScreen) Put(x, y int, str string, style tcell.Style) (string, int) {
	s.dropOrTouch(x, y, false)
	return s.Screen.Put(x, y, str, style)
}

// PutStr implements tcell.Screen.
func (s *cellScreen) PutStr(x, y int, str string) {
	s.touchRow(x, y)
	s.Screen.PutStr(x, y, str)
}

// PutStrStyled implements tcell.Screen.
func (s *cellScreen) PutStrStyled(x, y int, str string, style tcell.Style) {
	s.touchRow(x, y)
	s.Screen.PutStrStyled(x, y, str, style)
}

// invisibleStyle reports whether a space in style looks like Clear's
// blank: only its foreground differs, which a space does not show.
func invisibleStyle(style tcell.Style) bool {
	return style.Foreground(tcell.ColorDefault) == tcell.StyleDefault
}

// dropOrTouch reports whether a write of Clear's blank (blank) at x, y
// changes nothing; any other write is noted as touching the cell and the
// next one (a wide character covers two). One lock for both: this runs
// for every cell of every frame.
func (s *cellScreen) dropOrTouch(x, y int, blank bool) (drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blank == nil || x < 0 || y < 0 || x >= s.w || y >= s.h {
		return false
	}
	i := y*s.w + x
	if blank && s.blank[i] {
		return true
	}
	s.blank[i] = false
	if x+1 < s.w {
		s.blank[i+1] = false
	}
	return false
}

// touchRow notes that row y, from x on, may hold something else now.
func (s *cellScreen) touchRow(x, y int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blank == nil || y < 0 || y >= s.h {
		return
	}
	for i := max(x, 0); i < s.w; i++ {
		s.blank[y*s.w+i] = false
	}
}
