package views

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
)

// printable keeps the printable ASCII and newlines of s, at most 12 lines
// of 100 characters: what fits the rendering below unchanged.
func printable(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		var b strings.Builder
		for _, r := range line {
			if r >= 0x20 && r < 0x7f && b.Len() < 100 {
				b.WriteRune(r)
			}
		}
		lines = append(lines, strings.TrimRight(b.String(), " "))
		if len(lines) == 12 {
			break
		}
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// FuzzHighlight: the chroma-to-tview formatter never lets text become
// markup. Whatever the text, the screen shows exactly it, in every syntax.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{
		"a: [red]x[-]\n", `{"k": "[:::https://e.example]y"}`, "[[\"r\"]] [] ][ [x[y]z] [",
		"key: |\n  [::b]bold\n", "- [#ff0000]z[-:-:-]\n- ok", "LAST SEEN   TYPE\n3m  Warning  [yellow]x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := printable(s)
		for _, syn := range []Syntax{SyntaxYAML, SyntaxJSON, SyntaxEvents, SyntaxPlain} {
			if got := rendered(t, Highlight(text+"\n", syn, "monokai")); got != text {
				t.Fatalf("%s: %q shows as %q", syn, text, got)
			}
		}
	})
}

// FuzzParseANSI: a log line's bytes never reach the terminal as control
// characters or escape sequences (no clipboard, no title, no cursor
// moves), and what is drawn is valid UTF-8.
func FuzzParseANSI(f *testing.F) {
	for _, s := range []string{
		"\x1b[31mred\x1b[0m plain", "\x1b]52;c;aGk=\x07after", "\x1b]0;title\x1b\\x", "\x1b[2J\x1b[H",
		"\xff\xfe bad utf8 \xc3", "tab\there", "\x1bP+q\x1b\\", "\x9b31m C1 CSI", "\x1b[38;2;1;2;3mrgb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, seg := range ParseANSI(s, tcell.StyleDefault) {
			if !utf8.ValidString(seg.Text) {
				t.Fatalf("%q: segment %q is not valid UTF-8", s, seg.Text)
			}
			for _, r := range seg.Text {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
					t.Fatalf("%q: segment %q holds control character %U", s, seg.Text, r)
				}
			}
		}
	})
}

// FuzzTerminalSafe: what kfsui tail writes to a terminal holds no escape
// sequence but SGR, no other control character, and is valid UTF-8.
func FuzzTerminalSafe(f *testing.F) {
	for _, s := range []string{"\x1b[31mred\x1b[0m", "\x1b]52;c;aGk=\x07x", "\x1b]2;title\x1b\\", "\xff\x9b2J", "a\tb\rc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := TerminalSafe(s)
		if !utf8.ValidString(out) {
			t.Fatalf("%q → %q: invalid UTF-8", s, out)
		}
		for i := 0; i < len(out); i++ {
			c := out[i]
			if c == 0x1b {
				n, _, final := escapeSequence(out[i:])
				if final != 'm' {
					t.Fatalf("%q → %q: a non-SGR escape at %d", s, out, i)
				}
				i += n - 1
				continue
			}
			if (c < 0x20 && c != '\t') || c == 0x7f {
				t.Fatalf("%q → %q: control character %#x", s, out, c)
			}
		}
	})
}
