package views

import (
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// NewConnecting returns the pane shown while kfsui connects: where to,
// and how to give up. server and context come from the kubeconfig, so
// they are escaped.
func NewConnecting(theme themes.Theme, server, context string) *tview.TextView {
	v := tview.NewTextView().SetDynamicColors(true).SetWrap(true)
	v.SetBorder(true).SetBorderColor(theme.Border).SetTitle(" kfsui ")
	v.SetBackgroundColor(theme.Background)
	text := "\n  connecting to " + escape(oneLine(server))
	if context != "" {
		text += " (context " + escape(oneLine(context)) + ")"
	}
	text += " …\n\n  " + colorTag(theme.Muted) + "q or Ctrl-C to give up"
	v.SetText(text)
	return v
}
