package views

import (
	"fmt"
	"strings"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/themes"
)

// NewHelp returns the help screen, generated from the keymap's table so it
// always tells the keys in force.
func NewHelp(theme themes.Theme, keys *keymap.Keymap) *tview.TextView {
	t := tview.NewTextView().SetDynamicColors(true).SetScrollable(true)
	t.SetBorder(true).SetTitle(" help — ? or Esc to close ").SetTitleAlign(tview.AlignLeft)
	t.SetBorderColor(theme.Focus).SetTitleColor(theme.Title)
	t.SetTextColor(theme.Foreground).SetBackgroundColor(theme.Background)
	t.SetText(HelpText(theme, keys))
	return t
}

// HelpText renders the keymap as the help screen's text, grouped by scope.
func HelpText(theme themes.Theme, keys *keymap.Keymap) string {
	width := 0
	for _, b := range keys.Bindings() {
		width = max(width, len([]rune(b.KeyLabels())))
	}
	var out strings.Builder
	for _, scope := range []keymap.Scope{keymap.ScopeGlobal, keymap.ScopeTree, keymap.ScopeViewer} {
		var rows []string
		for _, b := range keys.Bindings() {
			if b.Scope != scope || len(b.Keys) == 0 {
				continue
			}
			label := b.KeyLabels()
			pad := strings.Repeat(" ", width-len([]rune(label)))
			rows = append(rows, fmt.Sprintf("  %s%s%s  %s%s  %s(%s)",
				colorTag(theme.Title), escape(label), pad,
				colorTag(theme.Foreground), escape(b.Description),
				colorTag(theme.Muted), b.Action))
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&out, "%s%s\n", colorTag(theme.Directory), scope)
		out.WriteString(strings.Join(rows, "\n") + "\n\n")
	}
	return out.String()
}
