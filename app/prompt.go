package app

import (
	"fmt"
	"regexp"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/model"
)

// newPrompt makes the one-line input that takes the footer's place while
// something is asked: the jump bar, a filter, a search.
func (a *App) newPrompt(label string) *tview.InputField {
	return tview.NewInputField().SetLabel(label).
		SetFieldBackgroundColor(a.theme.Background).
		SetLabelColor(a.theme.Title).SetFieldTextColor(a.theme.Foreground)
}

// showPrompt puts in in the footer's place and gives it the keyboard; the
// function it returns puts the footer back and gives the keyboard back
// where it was. UI goroutine only.
func (a *App) showPrompt(in *tview.InputField) (done func()) {
	back := a.tv.GetFocus()
	a.main.RemoveItem(a.footer)
	a.main.AddItem(in, 1, 0, false)
	a.prompting = in
	a.tv.SetFocus(in)
	return func() {
		a.main.RemoveItem(in)
		a.main.AddItem(a.footer, 1, 0, false)
		a.prompting = nil
		a.focus(back)
	}
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
	in := a.newPrompt(label)
	if changed != nil {
		in.SetChangedFunc(changed)
	}
	finish := a.showPrompt(in)
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
}

// searchPrompt asks for a search pattern, for the viewer or a log pane:
// search gets it compiled, or nil when nothing was typed (clear the
// search), and reports whether anything matches. UI goroutine only.
func (a *App) searchPrompt(search func(re *regexp.Regexp) (found bool)) {
	a.prompt("search: ", func(text string) {
		if text == "" {
			search(nil)
			return
		}
		re, err := compilePattern(text)
		if err != nil {
			a.flash(err.Error(), true)
			return
		}
		if !search(re) {
			a.flash("no match for "+text, true)
		}
	})
}

// compilePattern compiles a search or filter pattern typed in the UI: a
// regular expression, case-insensitive unless it says otherwise with
// (?-i).
func compilePattern(pattern string) (*regexp.Regexp, error) {
	re, err := model.CompilePattern(pattern, model.PatternOptions{IgnoreCase: true})
	if err != nil {
		return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
	}
	return re, nil
}
