package views

import (
	"strings"
	"testing"

	"github.com/kfsui/kfsui/themes"
)

// Added and removed lines take the theme's colors; cluster text in a diff
// stays literal, and a line starting with "-" keeps its line break.
func TestHighlightDiff(t *testing.T) {
	theme := themes.Dark()
	text := "--- dev:/a\n+++ prod:/a\n@@ -1,2 +1,2 @@\n-  image: pay:1.4\n+  image: [red]pay:1.5\n   name: api\n"
	got := HighlightDiff(text, theme)
	for _, want := range []string{
		colorTag(theme.Removed) + "-  image: pay:1.4[-]\n",
		colorTag(theme.Added) + `+  image: [[""]red]pay:1.5[-]` + "\n",
		colorTag(theme.Title) + "--- dev:/a[-]\n",
		colorTag(theme.Muted) + "@@ -1,2 +1,2 @@[-]\n",
		colorTag(theme.Foreground) + "   name: api[-]\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing from:\n%s", want, got)
		}
	}
	if shown := rendered(t, got); shown != strings.TrimRight(text, "\n") {
		t.Errorf("the viewer would show:\n%q\nwant:\n%q", shown, text)
	}
}
