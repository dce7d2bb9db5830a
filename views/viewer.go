package views

import (
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// Viewer shows one leaf, highlighted, with its path as the title.
//
// Concurrency: UI goroutine only.
type Viewer struct {
	*tview.TextView
	theme themes.Theme
	path  string
	text  string // the leaf's plain text, as fetched
}

// NewViewer returns an empty viewer.
func NewViewer(theme themes.Theme) *Viewer {
	v := &Viewer{TextView: tview.NewTextView(), theme: theme}
	v.SetDynamicColors(true).SetWrap(true).SetScrollable(true)
	v.SetTextColor(theme.Foreground).SetBackgroundColor(theme.Background)
	v.SetBorder(true).SetTitleAlign(tview.AlignLeft)
	v.SetBorderColor(theme.Border).SetTitleColor(theme.Title)
	v.setTitle("")
	v.SetText(colorTag(theme.Muted) + "Select a leaf (manifest.yaml, manifest.json, status.yaml, events.txt)\nin the tree and press Enter to open it here. ? shows every key.")
	return v
}

func (v *Viewer) setTitle(path string) {
	if path == "" {
		v.SetTitle(" viewer ")
		return
	}
	v.SetTitle(" " + escape(path) + " ")
}

// Show displays text for path; tagged is text as Highlight returned it,
// computed off the UI goroutine. Showing the same path again (a refresh)
// keeps the scroll position; a new path starts at the top.
func (v *Viewer) Show(path, text, tagged string) {
	row, col := v.GetScrollOffset()
	same := path == v.path
	v.path, v.text = path, text
	v.setTitle(path)
	v.SetText(tagged)
	if same {
		v.ScrollTo(row, col)
	} else {
		v.ScrollToBeginning()
	}
}

// ShowMessage displays a status line (loading, or an error from the API)
// for path in place of its text. Errors are drawn in the theme's error
// color; either way the message is escaped.
func (v *Viewer) ShowMessage(path, msg string, isErr bool) {
	v.path, v.text = path, ""
	v.setTitle(path)
	color := v.theme.Muted
	if isErr {
		color = v.theme.Error
	}
	v.SetText(colorTag(color) + escape(msg) + "[-]")
	v.ScrollToBeginning()
}

// Path returns the path shown, "" when empty.
func (v *Viewer) Path() string { return v.path }

// Text returns the plain text shown, "" while a message is shown.
func (v *Viewer) Text() string { return v.text }

// ScrollBy scrolls by n lines (negative: up).
func (v *Viewer) ScrollBy(n int) {
	row, col := v.GetScrollOffset()
	v.ScrollTo(max(row+n, 0), col)
}

// Page scrolls by n pages.
func (v *Viewer) Page(n int) {
	_, _, _, h := v.GetInnerRect()
	v.ScrollBy(n * max(h, 1))
}

// Top scrolls to the first line.
func (v *Viewer) Top() { v.ScrollToBeginning() }

// Bottom scrolls to the last line.
func (v *Viewer) Bottom() { v.ScrollToEnd() }
