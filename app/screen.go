package app

import "github.com/gdamore/tcell/v2"

// newScreen returns the terminal's screen for tview, traced when tracing;
// nil if none can be made, and tview then makes its own and reports why.
func newScreen(trace *tracer) tcell.Screen {
	s, err := tcell.NewScreen()
	if err != nil {
		return nil
	}
	var screen tcell.Screen = cellScreen{s}
	if trace != nil {
		screen = tracedScreen{Screen: screen, t: trace}
	}
	return screen
}

// cellScreen stores plain ASCII cells without allocating.
//
// tview writes every cell through SetContent, each box filling its area
// with spaces before drawing, and tcell's SetContent makes a new string of
// its runes for each cell: about 10,000 allocations per frame on a 200×50
// terminal, garbage that makes the collector run, and slow the keys it
// runs under, while a list is scrolled. Put takes a string, and the strings
// of ASCII characters are made once.
type cellScreen struct{ tcell.Screen }

// asciiCells holds a one-character string for each ASCII character.
var asciiCells = func() (s [128]string) {
	for r := range s {
		s[r] = string(rune(r))
	}
	return s
}()

func (s cellScreen) SetContent(x, y int, primary rune, combining []rune, style tcell.Style) {
	if len(combining) == 0 && primary >= 0 && primary < 128 {
		s.Put(x, y, asciiCells[primary], style)
		return
	}
	s.Screen.SetContent(x, y, primary, combining, style)
}
