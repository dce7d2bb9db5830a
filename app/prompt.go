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
	a.promptLive(label, nil, done, nil)
}

// promptLive is prompt that also calls changed (if set) with the text after
// every edit, and cancel (if set) on Esc.
func (a *App) promptLive(label string, changed, done func(text string), cancel func()) {
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
	if changed != nil {
		in.SetChangedFunc(changed)
	}
	in.SetDoneFunc(func(key tcell.Key) {
		text := in.GetText()
		finish()
		switch {
		case key == tcell.KeyEnter:
			done(text)
		case key == tcell.KeyEscape && cancel != nil:
			cancel()
		}
	})
	a.main.RemoveItem(a.footer)
	a.main.AddItem(in, 1, 0, false)
	a.prompting = in
	a.tv.SetFocus(in)
}
