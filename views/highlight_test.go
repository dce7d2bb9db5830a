package views

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// screenText draws p on a simulation screen and returns its rows, trimmed.
func screenText(t *testing.T, p tview.Primitive, w, h int) []string {
	t.Helper()
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	defer s.Fini()
	s.SetSize(w, h)
	p.SetRect(0, 0, w, h)
	p.Draw(s)
	s.Show()
	cells, cw, ch := s.GetContents()
	rows := make([]string, ch)
	for y := 0; y < ch; y++ {
		var b strings.Builder
		for x := 0; x < cw; x++ {
			c := cells[y*cw+x]
			if len(c.Runes) == 0 {
				b.WriteRune(' ')
				continue
			}
			b.WriteString(string(c.Runes))
		}
		rows[y] = strings.TrimRight(b.String(), " ")
	}
	return rows
}

// rendered shows tagged text in a TextView and returns what the screen shows.
func rendered(t *testing.T, tagged string) string {
	t.Helper()
	tv := tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	tv.SetText(tagged)
	rows := screenText(t, tv, 120, 20)
	return strings.TrimRight(strings.Join(rows, "\n"), "\n")
}

func TestHighlightShowsTagTextLiterally(t *testing.T) {
	cases := []struct {
		syntax Syntax
		text   string
	}{
		{SyntaxYAML, "metadata:\n  annotations:\n    note: '[red]X[-]'\n    other: \"[::b]bold[\\\"x\\\"]\"\n"},
		{SyntaxJSON, "{\n    \"note\": \"[red]X[-]\",\n    \"r\": \"[\\\"region\\\"]\"\n}\n"},
		{SyntaxPlain, "line [red]X[-] and [#ff0000]y[-:-:-] and [\"r\"]z[\"\"]\n"},
		// URL tags: tview.Escape lets these through as hidden hyperlinks.
		{SyntaxPlain, "see [:::https://evil.example/x]docs[:::-] now, [red::b:https://e.example]x and [a/b]\n"},
		{SyntaxYAML, "note: see [:::https://evil.example/x]docs now\n"},
		{SyntaxPlain, "[[red]] [] [[]] ][ [x[y]z] [\n"},
		{SyntaxEvents, "LAST SEEN   TYPE      REASON\n2m          Warning   [red]X[-]\n"},
		// Tags split across chroma tokens must not join up.
		{SyntaxYAML, "a: [\n  red]\nb: x[\n"},
	}
	for _, c := range cases {
		got := rendered(t, Highlight(c.text, c.syntax, "monokai"))
		want := strings.TrimRight(c.text, "\n")
		if got != want {
			t.Errorf("%s: screen shows\n%s\nwant\n%s", c.syntax, got, want)
		}
	}
}

func TestHighlightColorsYAML(t *testing.T) {
	out := Highlight("kind: Deployment\n", SyntaxYAML, "monokai")
	if !strings.Contains(out, "[#") {
		t.Errorf("no color tags in %q", out)
	}
}

func TestHighlightReplacesControlCharacters(t *testing.T) {
	out := Highlight("a\x1b]52;c;aGk=\x07b\x9bc\n", SyntaxPlain, "monokai")
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Errorf("control characters passed: %q", out)
	}
}
