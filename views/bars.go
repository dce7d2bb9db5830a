package views

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/themes"
)

// colorTag returns a tview tag selecting foreground c.
func colorTag(c tcell.Color) string {
	if h := c.Hex(); h >= 0 {
		return fmt.Sprintf("[#%06x]", h)
	}
	return "[-]"
}

// HeaderInfo is what the header line shows about the connection.
type HeaderInfo struct {
	Context, Cluster, User, Server, ServerVersion, Namespace string
}

// Header is the one-line bar at the top: where kfsui is connected, and a
// read-only badge.
//
// Concurrency: UI goroutine only.
type Header struct {
	*tview.TextView
	theme themes.Theme
}

// NewHeader returns an empty header.
func NewHeader(theme themes.Theme) *Header {
	h := &Header{TextView: tview.NewTextView(), theme: theme}
	h.SetDynamicColors(true).SetWrap(false)
	h.SetTextColor(theme.HeaderForeground).SetBackgroundColor(theme.HeaderBackground)
	return h
}

// SetInfo shows info. Every value is escaped: they come from the kubeconfig
// and the server.
func (h *Header) SetInfo(info HeaderInfo) {
	muted := colorTag(h.theme.Muted)
	fg := colorTag(h.theme.HeaderForeground)
	var b strings.Builder
	b.WriteString(" " + colorTag(h.theme.Title) + "kfsui" + fg)
	field := func(label, value string) {
		if value != "" {
			b.WriteString("  " + muted + label + " " + fg + tview.Escape(sanitize(value)))
		}
	}
	field("ctx", info.Context)
	field("cluster", info.Cluster)
	field("user", info.User)
	field("server", info.Server)
	field("version", info.ServerVersion)
	field("ns", info.Namespace)
	b.WriteString("  " + colorTag(h.theme.Badge) + "[::b]READ-ONLY[::B]")
	h.SetText(b.String())
}

// Footer is the bottom line: key hints from the keymap, or a flash message
// that the app clears after a while.
//
// Concurrency: UI goroutine only.
type Footer struct {
	*tview.TextView
	theme themes.Theme
	hints string
	flash bool
}

// NewFooter returns a footer showing hints for keys' bindings marked Hint.
func NewFooter(theme themes.Theme, keys *keymap.Keymap) *Footer {
	f := &Footer{TextView: tview.NewTextView(), theme: theme}
	f.SetDynamicColors(true).SetWrap(false)
	f.SetTextColor(theme.Muted).SetBackgroundColor(theme.Background)
	var b strings.Builder
	for _, bd := range keys.Bindings() {
		if !bd.Hint || len(bd.Keys) == 0 {
			continue
		}
		fmt.Fprintf(&b, " %s%s%s %s ", colorTag(theme.Title), tview.Escape(bd.Keys[0].Label()), colorTag(theme.Muted), tview.Escape(string(bd.Action)))
	}
	f.hints = b.String()
	f.SetText(f.hints)
	return f
}

// Flash shows msg in place of the hints until ClearFlash.
func (f *Footer) Flash(msg string, isErr bool) {
	color := f.theme.Foreground
	if isErr {
		color = f.theme.Error
	}
	f.flash = true
	f.SetText(" " + colorTag(color) + tview.Escape(sanitize(msg)))
}

// ClearFlash brings the hints back.
func (f *Footer) ClearFlash() {
	f.flash = false
	f.SetText(f.hints)
}

// Flashing reports whether a flash message is shown.
func (f *Footer) Flashing() bool { return f.flash }
