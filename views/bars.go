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
	info  HeaderInfo
	modes []string
	down  string // why the API server does not answer; "" while it does
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
	h.info = info
	h.render()
}

// SetModes shows the modes that change what the tree or viewer shows (e.g.
// "hide-empty"), after the read-only badge; none shows nothing.
func (h *Header) SetModes(modes ...string) {
	h.modes = modes
	h.render()
}

// SetDown shows that the API server does not answer, with why (from the
// cluster's side, so escaped); "" clears it.
func (h *Header) SetDown(why string) {
	h.down = why
	h.render()
}

func (h *Header) render() {
	info := h.info
	muted := colorTag(h.theme.Muted)
	fg := colorTag(h.theme.HeaderForeground)
	var b strings.Builder
	b.WriteString(" " + colorTag(h.theme.Title) + "kfsui" + fg)
	field := func(label, value string) {
		if value != "" {
			b.WriteString("  " + muted + label + " " + fg + escape(oneLine(value)))
		}
	}
	field("ctx", info.Context)
	field("cluster", info.Cluster)
	field("user", info.User)
	field("server", info.Server)
	field("version", info.ServerVersion)
	field("ns", info.Namespace)
	b.WriteString("  " + colorTag(h.theme.Badge) + "[::b]READ-ONLY[::B]")
	for _, m := range h.modes {
		b.WriteString(" " + colorTag(h.theme.Title) + escape("["+m+"]"))
	}
	if h.down != "" {
		b.WriteString("  " + colorTag(h.theme.Error) + "[::b]DISCONNECTED[::B] " + escape(oneLine(h.down)))
	}
	h.SetText(b.String())
}

// Footer is the bottom line: hints for the focused pane's keys, from the
// keymap, or a flash message that the app clears after a while.
//
// Concurrency: UI goroutine only.
type Footer struct {
	*tview.TextView
	theme themes.Theme
	keys  *keymap.Keymap
	hints string
	flash bool // a flash message is shown; hints wait for ClearFlash
}

// NewFooter returns a footer showing the hints of scope's bindings.
func NewFooter(theme themes.Theme, keys *keymap.Keymap, scope keymap.Scope) *Footer {
	f := &Footer{TextView: tview.NewTextView(), theme: theme, keys: keys}
	f.SetDynamicColors(true).SetWrap(false)
	f.SetTextColor(theme.Muted).SetBackgroundColor(theme.Background)
	f.SetScope(scope)
	return f
}

// SetScope shows the hints for the bindings that work in scope: those
// marked Hint, of that scope or global.
func (f *Footer) SetScope(scope keymap.Scope) {
	var b strings.Builder
	for _, bd := range f.keys.Bindings() {
		if !bd.Hint || len(bd.Keys) == 0 || (bd.Scope != scope && bd.Scope != keymap.ScopeGlobal) {
			continue
		}
		fmt.Fprintf(&b, " %s%s%s %s ", colorTag(f.theme.Title), escape(bd.Keys[0].Label()), colorTag(f.theme.Muted), escape(string(bd.Action)))
	}
	f.hints = b.String()
	if !f.flash {
		f.SetText(f.hints)
	}
}

// Flash shows msg in place of the hints until ClearFlash.
func (f *Footer) Flash(msg string, isErr bool) {
	color := f.theme.Foreground
	if isErr {
		color = f.theme.Error
	}
	f.flash = true
	f.SetText(" " + colorTag(color) + escape(oneLine(msg)))
}

// ClearFlash brings the hints back.
func (f *Footer) ClearFlash() {
	f.flash = false
	f.SetText(f.hints)
}
