package app

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// counting counts the cell writes that reach the screen.
type counting struct {
	tcell.Screen
	writes int
}

func (c *counting) Put(x, y int, str string, style tcell.Style) (string, int) {
	c.writes++
	return c.Screen.Put(x, y, str, style)
}

func (c *counting) SetContent(x, y int, primary rune, combining []rune, style tcell.Style) {
	c.writes++
	c.Screen.SetContent(x, y, primary, combining, style)
}

func simScreen(t *testing.T, w, h int) tcell.SimulationScreen {
	t.Helper()
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Fini)
	s.SetSize(w, h)
	return s
}

// The screen tview draws on through cellScreen must show exactly what it
// shows drawn directly, frame after frame, with overlays, wide and
// combining characters, colored backgrounds and a resize; and the writes
// it drops must be most of a plain frame's.
func TestCellScreenShowsWhatTviewDraws(t *testing.T) {
	direct, wrapped := simScreen(t, 40, 12), simScreen(t, 40, 12)
	counted := &counting{Screen: wrapped}
	cells := newCellScreen(counted)
	directCount := &counting{Screen: direct}

	text := tview.NewTextView().SetText("plain ascii\nwide 界界 and e\u0301 combined\n[red]colored[-] text").SetDynamicColors(true)
	// kfsui's themes draw on the terminal's own background, mostly.
	text.SetBorder(true).SetTitle(" viewer ").SetBackgroundColor(tcell.ColorDefault)
	colored := tview.NewBox().SetBorder(true).SetBackgroundColor(tcell.ColorNavy)
	list := tview.NewTextView().SetText("one\ntwo\nthree")
	list.SetBackgroundColor(tcell.ColorDefault)
	flex := tview.NewFlex().AddItem(text, 0, 2, false).AddItem(tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(list, 0, 1, false).AddItem(colored, 0, 1, false), 0, 1, false)
	modal := tview.NewModal().SetText("an overlay hiding what is under it").AddButtons([]string{"OK"})
	pages := tview.NewPages().AddPage("main", flex, true, true).AddPage("modal", modal, true, false)
	pages.SetBackgroundColor(tcell.ColorDefault)

	// same compares what the two screens hold, and what reading them gives.
	same := func(name string, w, h int) {
		t.Helper()
		for y := range h {
			for x := range w {
				ds, dst, dw := direct.Get(x, y)
				ws, wst, ww := wrapped.Get(x, y)
				if ds == " " && ws == " " {
					// A space shows no foreground.
					dst, wst = dst.Foreground(tcell.ColorDefault), wst.Foreground(tcell.ColorDefault)
				}
				if ds != ws || dst != wst || dw != ww {
					t.Fatalf("%s: cell %d,%d is %q %v %d, drawn directly %q %v %d", name, x, y, ws, wst, ww, ds, dst, dw)
				}
				dr, dc, _, _ := directCount.GetContent(x, y)
				wr, wc, _, _ := cells.GetContent(x, y)
				if dr != wr || string(dc) != string(wc) {
					t.Fatalf("%s: cell %d,%d reads %q %q, drawn directly %q %q", name, x, y, wr, wc, dr, dc)
				}
			}
		}
	}
	frame := func(name string, w, h int) {
		t.Helper()
		for _, s := range []tcell.Screen{directCount, cells} {
			s.Clear()
			pages.SetRect(0, 0, w, h)
			pages.Draw(s)
			s.Show()
		}
		same(name, w, h)
	}
	frame("first", 40, 12)
	t.Logf("cell writes reaching the screen: %d through cellScreen, %d drawn directly", counted.writes, directCount.writes)
	if counted.writes*2 > directCount.writes {
		t.Errorf("%d writes reached the screen, %d drawn directly: the blanks were not dropped", counted.writes, directCount.writes)
	}
	text.SetText("changed\ntext")
	frame("second", 40, 12)
	pages.ShowPage("modal")
	frame("overlay", 40, 12)
	pages.HidePage("modal")
	frame("overlay gone", 40, 12)
	direct.SetSize(30, 8)
	wrapped.SetSize(30, 8)
	frame("smaller", 30, 8)
	direct.SetSize(50, 14)
	wrapped.SetSize(50, 14)
	frame("larger", 50, 14)
	frame("again", 50, 14)

	// Shrunk and grown back before the next frame, as a zoom in tmux
	// does: tcell drops the cells beyond the smaller size, and the
	// terminal screen's resize event reaches tview through PollEvent.
	for _, s := range []tcell.SimulationScreen{direct, wrapped} {
		s.SetSize(30, 8)
		s.SetSize(50, 14)
	}
	if err := wrapped.PostEvent(tcell.NewEventResize(50, 14)); err != nil {
		t.Fatal(err)
	}
	if _, ok := cells.PollEvent().(*tcell.EventResize); !ok {
		t.Fatal("the resize did not come through")
	}
	frame("shrunk and grown back", 50, 14)

	// Drawn on the screen without tview: a fill, strings, colors kept.
	for _, s := range []tcell.Screen{directCount, cells} {
		s.Fill('x', tcell.StyleDefault.Background(tcell.ColorMaroon))
		s.PutStrStyled(2, 1, "put 界 e\u0301 str", tcell.StyleDefault.Foreground(tcell.ColorYellow))
		s.SetContent(4, 3, 'q', nil, tcell.StyleDefault.Foreground(tcell.ColorGreen).Background(tcell.ColorNone))
		s.SetCell(5, 3, tcell.StyleDefault, 'e', '\u0301')
		s.Show()
	}
	same("fill and strings", 50, 14)
	frame("after them", 50, 14)

	if n := testing.AllocsPerRun(100, func() { cells.SetContent(3, 1, 'q', nil, tcell.StyleDefault) }); n != 0 {
		t.Errorf("an ASCII cell costs %v allocations, want 0", n)
	}
	// tview reads a cell back for every character it prints on a default
	// background.
	var screen tcell.Screen = cells // as tview calls it
	if n := testing.AllocsPerRun(100, func() { screen.GetContent(3, 1) }); n != 0 {
		t.Errorf("reading a cell costs %v allocations, want 0", n)
	}
}

// tview draws every frame whole; what reaches the terminal must be what
// changed only: next to nothing for a frame like the one before, a few
// cells a row for a key that scrolls the tree by one row. (tcell alone
// sent every cell that was not blank, every frame: 8 kB for that key.)
func TestTerminalGetsOnlyWhatChanged(t *testing.T) {
	const dir = "/namespaces/big/pods"
	a, tty, screen := appOnTerminal(t, 200, 50, dir, 1000)
	a.tree.Page(1)
	a.tv.ForceDraw()
	frame := func() int64 {
		tty.written.Store(0)
		a.tv.ForceDraw()
		return tty.written.Load()
	}
	if n := frame(); n > 64 {
		t.Errorf("a frame like the one before sent %d bytes, want at most 64", n)
	}
	// The tree's first row, under the header, the path and the border.
	top := func() string {
		var row strings.Builder
		for x := range 80 {
			str, _, _ := screen.Get(x, 3)
			row.WriteString(str)
		}
		return row.String()
	}
	before := top()
	a.tree.Move(1)
	if n := frame(); n > 1000 {
		t.Errorf("a frame scrolling the tree by one row sent %d bytes, want at most 1000", n)
	}
	if after := top(); after == before || !strings.Contains(after, "web-7d9f8b6c5d-") {
		t.Errorf("the tree did not scroll: its first row was %q and is %q", before, after)
	}
}
