package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/chroma/v2"
)

// Syntax names how the viewer highlights a text.
type Syntax string

// The syntaxes the viewer knows. Anything else is shown plain.
const (
	SyntaxYAML   Syntax = "yaml"
	SyntaxJSON   Syntax = "json"
	SyntaxEvents Syntax = "events"
	SyntaxPlain  Syntax = "plain"
)

// TagFormatter is a chroma formatter that writes tview style tags. Each run
// of same-styled text is escaped with tview.Escape as a whole, so text from
// the cluster can never form a tag, not even across token boundaries.
//
// tview's own ANSI translator cannot be used for this: it does not escape
// tag-like text in the tokens.
type TagFormatter struct{}

var _ chroma.Formatter = TagFormatter{}

// Format implements chroma.Formatter.
func (TagFormatter) Format(w io.Writer, style *chroma.Style, it chroma.Iterator) error {
	var run strings.Builder
	current := ""
	flush := func() error {
		if run.Len() == 0 {
			return nil
		}
		_, err := io.WriteString(w, current+escape(run.String()))
		run.Reset()
		return err
	}
	for tok := it(); tok != chroma.EOF; tok = it() {
		tag := styleTag(style.Get(tok.Type))
		if tag != current {
			if err := flush(); err != nil {
				return err
			}
			current = tag
		}
		run.WriteString(tok.Value)
	}
	return flush()
}

// styleTag returns the tview tag for a chroma style entry. It always sets
// every attribute it knows, on or off, so no style leaks into the next run.
// Backgrounds are left to the theme.
func styleTag(e chroma.StyleEntry) string {
	fg := "-"
	if e.Colour.IsSet() {
		fg = fmt.Sprintf("#%02x%02x%02x", e.Colour.Red(), e.Colour.Green(), e.Colour.Blue())
	}
	attrs := []byte("BIU")
	if e.Bold == chroma.Yes {
		attrs[0] = 'b'
	}
	if e.Italic == chroma.Yes {
		attrs[1] = 'i'
	}
	if e.Underline == chroma.Yes {
		attrs[2] = 'u'
	}
	return "[" + fg + "::" + string(attrs) + "]"
}

// sanitize replaces control characters other than newline and tab, so text
// from the cluster cannot reach the terminal as an escape sequence. CRLF
// line ends become plain newlines.
func sanitize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// oneLine folds text onto one line for one-line widgets: tree status lines,
// the footer and the header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

// Highlight returns text as tview-tagged text in the named chroma style.
// YAML and JSON go through our scanners (lex.go) and chroma's styles; an events table gets its header
// and warnings colored; anything else is escaped only.
//
// An empty styleName highlights nothing, for monochrome themes.
func Highlight(text string, syntax Syntax, styleName string) string {
	if styleName == "" {
		return escape(text)
	}
	style := chromaStyle(styleName)
	switch syntax {
	case SyntaxYAML, SyntaxJSON:
		lex := lexYAML
		if syntax == SyntaxJSON {
			lex = lexJSON
		}
		it := lex(text)
		var b strings.Builder
		b.Grow(len(text) * 2)
		if err := (TagFormatter{}).Format(&b, style, it); err != nil {
			break
		}
		return b.String()
	case SyntaxEvents:
		return highlightEvents(text, style)
	}
	return escape(text)
}

// highlightEvents colors the header row of an events table like a keyword
// and the TYPE cell of Warning rows like an error. The header's TYPE column
// says where that cell starts in every row.
func highlightEvents(text string, style *chroma.Style) string {
	header := styleTag(style.Get(chroma.Keyword))
	warning := styleTag(style.Get(chroma.GenericError))
	plain := styleTag(chroma.StyleEntry{})
	lines := strings.SplitAfter(text, "\n")
	typeCol := -1
	if len(lines) > 0 && strings.HasPrefix(lines[0], "LAST SEEN") {
		typeCol = strings.Index(lines[0], "TYPE")
	}
	var b strings.Builder
	for i, line := range lines {
		switch {
		case i == 0 && typeCol >= 0:
			b.WriteString(header + escape(line))
		case typeCol >= 0 && len(line) > typeCol && strings.HasPrefix(line[typeCol:], "Warning"):
			end := typeCol + len("Warning")
			b.WriteString(plain + escape(line[:typeCol]))
			b.WriteString(warning + "Warning")
			b.WriteString(plain + escape(line[end:]))
		default:
			b.WriteString(plain + escape(line))
		}
	}
	return b.String()
}
