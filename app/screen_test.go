package app

import (
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

	frame := func(name string, w, h int) {
		t.Helper()
		for _, s := range []tcell.Screen{directCount, cells} {
			s.Clear()
			pages.SetRect(0, 0, w, h)
			pages.Draw(s)
			s.Show()
		}
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
			}
		}
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

	if n := testing.AllocsPerRun(100, func() { cells.SetContent(3, 1, 'q', nil, tcell.StyleDefault) }); n != 0 {
		t.Errorf("an ASCII cell costs %v allocations, want 0", n)
	}
}
