package app

import (
	"os"
	"path/filepath"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// defaultSaveDir is $XDG_STATE_HOME/kfsui/logs, or ~/.local/state/kfsui/logs.
func defaultSaveDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "kfsui", "logs")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "kfsui", "logs")
	}
	return filepath.Join(os.TempDir(), "kfsui-logs")
}

// prompt asks for one line of text in place of the footer; done gets the
// text on Enter and is not called on Esc. The keyboard goes back where it
// was afterwards. UI goroutine only.
func (a *App) prompt(label string, done func(text string)) {
	back := a.tv.GetFocus()
	in := tview.NewInputField().SetLabel(label).
		SetFieldBackgroundColor(a.theme.Background).
		SetLabelColor(a.theme.Title).SetFieldTextColor(a.theme.Foreground)
	finish := func() {
		a.main.RemoveItem(in)
		a.main.AddItem(a.footer, 1, 0, false)
		a.prompting = nil
		a.focus(back)
	}
	in.SetDoneFunc(func(key tcell.Key) {
		text := in.GetText()
		finish()
		if key == tcell.KeyEnter {
			done(text)
		}
	})
	a.main.RemoveItem(a.footer)
	a.main.AddItem(in, 1, 0, false)
	a.prompting = in
	a.tv.SetFocus(in)
}
