package app

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

// cellScreen must store exactly what tcell's SetContent stores, and plain
// ASCII without allocating.
func TestCellScreenStoresWhatSetContentStores(t *testing.T) {
	direct, wrapped := tcell.NewSimulationScreen("UTF-8"), tcell.NewSimulationScreen("UTF-8")
	for _, s := range []tcell.Screen{direct, wrapped} {
		if err := s.Init(); err != nil {
			t.Fatal(err)
		}
		s.SetSize(20, 2)
		defer s.Fini()
	}
	cells := cellScreen{wrapped}
	style := tcell.StyleDefault.Foreground(tcell.ColorRed)
	writes := []struct {
		r    rune
		comb []rune
	}{{'a', nil}, {' ', nil}, {'~', nil}, {0x7f, nil}, {'é', nil}, {'e', []rune{0x301}}, {'界', nil}, {'x', []rune{}}}
	for i, w := range writes {
		direct.SetContent(2*i, 0, w.r, w.comb, style)
		cells.SetContent(2*i, 0, w.r, w.comb, style)
	}
	direct.Show()
	wrapped.Show()
	for x := range 20 {
		ds, dst, dw := direct.Get(x, 0)
		ws, wst, ww := wrapped.Get(x, 0)
		if ds != ws || dst != wst || dw != ww {
			t.Errorf("cell %d: %q %v %d, tcell stores %q %v %d", x, ws, wst, ww, ds, dst, dw)
		}
	}
	if n := testing.AllocsPerRun(100, func() { cells.SetContent(3, 1, 'q', nil, style) }); n != 0 {
		t.Errorf("an ASCII cell costs %v allocations, want 0", n)
	}
}
