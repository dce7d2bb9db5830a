package app

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// switchPane moves the keyboard to the next pane: tree, viewer, then each
// log pane, and round.
func (a *App) switchPane() {
	panes := a.focusables()
	cur := a.tv.GetFocus()
	for i, p := range panes {
		if p == cur {
			a.focus(panes[(i+1)%len(panes)])
			return
		}
	}
	a.focus(panes[0])
}

// focus gives p the keyboard and restyles the panes and the hints.
func (a *App) focus(p tview.Primitive) {
	a.tv.SetFocus(p)
	a.styleFocus()
	a.footer.SetScope(a.scope())
}

func (a *App) showHelp() {
	a.helpReturn = a.tv.GetFocus()
	a.pages.ShowPage("help")
}

// hideHelp closes the help and gives the keyboard back to the pane that had
// it: hiding a page would otherwise focus the tree.
func (a *App) hideHelp() {
	a.pages.HidePage("help")
	if a.helpReturn != nil {
		a.focus(a.helpReturn)
	}
}

// mouseCapture makes tview's double clicks clicks. tview calls any second
// click within half a second a double click, wherever it lands, and the
// tree ignores double clicks: clicking down a path quickly would lose
// every other click. A double click on the spot just clicked does nothing,
// so double-clicking a directory leaves it open. UI goroutine only.
func (a *App) mouseCapture(ev *tcell.EventMouse, action tview.MouseAction) (*tcell.EventMouse, tview.MouseAction) {
	x, y := ev.Position()
	switch action {
	case tview.MouseLeftClick:
		a.lastClick = [2]int{x, y}
	case tview.MouseLeftDoubleClick:
		if a.lastClick == [2]int{x, y} {
			return nil, 0
		}
		a.lastClick = [2]int{x, y}
		return ev, tview.MouseLeftClick
	}
	return ev, action
}

// focusedPane returns the pane that has the keyboard, nil for none (a
// prompt or the help). It asks the panes, not the application.
func (a *App) focusedPane() tview.Primitive {
	for _, p := range a.focusables() {
		if p.HasFocus() {
			return p
		}
	}
	return nil
}

// styleFocus colors the focused pane's border.
func (a *App) styleFocus() {
	panes := []interface {
		HasFocus() bool
		SetBorderColor(tcell.Color) *tview.Box
	}{a.tree, a.viewer}
	for _, p := range a.logs.panes {
		panes = append(panes, p.view)
	}
	for _, p := range panes {
		if p.HasFocus() {
			p.SetBorderColor(a.theme.Focus)
		} else {
			p.SetBorderColor(a.theme.Border)
		}
	}
}
