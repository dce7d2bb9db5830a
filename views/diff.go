package views

import (
	"strings"

	"github.com/kfsui/kfsui/themes"
)

// HighlightDiff returns a unified diff as tview-tagged text: added lines
// in the theme's Added color, removed ones in Removed, the file and hunk
// headers as titles and muted text. The text itself is escaped, as
// cluster text always is.
func HighlightDiff(text string, theme themes.Theme) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		color := theme.Foreground
		switch {
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "=== "):
			color = theme.Title
		case strings.HasPrefix(line, "@@"), strings.HasPrefix(line, `\`):
			color = theme.Muted
		case strings.HasPrefix(line, "+"):
			color = theme.Added
		case strings.HasPrefix(line, "-"):
			color = theme.Removed
		}
		body, nl := strings.CutSuffix(line, "\n")
		b.WriteString(colorTag(color))
		b.WriteString(escape(body))
		b.WriteString("[-]")
		if nl {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
