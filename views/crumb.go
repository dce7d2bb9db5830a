package views

import (
	"fmt"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// Breadcrumb is the line that always says where the selection is, and how
// many entries the directory in focus holds.
//
// Concurrency: UI goroutine only.
type Breadcrumb struct {
	*tview.TextView
	theme themes.Theme
	last  string
}

// NewBreadcrumb returns an empty breadcrumb line.
func NewBreadcrumb(theme themes.Theme) *Breadcrumb {
	b := &Breadcrumb{TextView: tview.NewTextView(), theme: theme}
	b.SetDynamicColors(true).SetWrap(false)
	b.SetTextColor(theme.Foreground).SetBackgroundColor(theme.Background)
	return b
}

// Set shows path and the entry count of dir (count < 0: unknown), and
// extra after it (how old the metrics are), if any.
func (b *Breadcrumb) Set(path, dir string, count int, extra string) {
	text := " " + colorTag(b.theme.Title) + "⟩ " + colorTag(b.theme.Foreground) + escape(path)
	if count >= 0 {
		text += fmt.Sprintf("%s   %s: %s", colorTag(b.theme.Muted), escape(dir), countEntries(count))
	}
	if extra != "" {
		text += colorTag(b.theme.Muted) + " · " + escape(extra)
	}
	if text != b.last {
		b.last = text
		b.SetText(text)
	}
}

// countEntries says "1 entry" or "N entries".
func countEntries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
