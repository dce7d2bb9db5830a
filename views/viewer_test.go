package views

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kfsui/kfsui/themes"
)

// n scrolls to the match even when long lines above it wrap over many
// rows: a line number is not a row.
func TestViewerNextMatchFindsTheMatchPastWrappedLines(t *testing.T) {
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	lines[2] = "annotation: " + strings.Repeat("long ", 200) // wraps over dozens of rows
	lines[30] = "the needle is here"
	text := strings.Join(lines, "\n")
	v := NewViewer(themes.Dark())
	v.Show("/x", text, escape(text))
	if n := v.SetSearch(regexp.MustCompile("needle")); n != 1 {
		t.Fatalf("%d matching lines", n)
	}
	v.SetRect(0, 0, 40, 10) // as drawn before: n is pressed on a shown view
	v.NextMatch(false)
	if screen := strings.Join(screenText(t, v, 40, 10), "\n"); !strings.Contains(screen, "needle") {
		t.Errorf("the match is not on screen:\n%s", screen)
	}
}
