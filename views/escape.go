package views

import "strings"

// escape makes cluster text safe to show in a tview primitive that parses
// tags: control characters are replaced and every '[' is followed by an
// empty region tag. tview's parser then cannot read a tag starting at that
// '[' and prints it as is, and the empty region tag draws nothing.
//
// tview.Escape is not enough: it escapes only bracketed runs made of the
// characters of color and region tags, so a URL tag such as
// "[:::https://example.com]" passes it and turns cluster text into a hidden
// hyperlink. Nothing in kfsui uses regions, so the empty region tag is
// inert.
//
// A newline followed by "-" is also marked with an empty region
// tag: the line-breaking rules of the uniseg version tview uses let "-0"
// hold on to the line before, so "a\n-0" would show as "a-0". The tag
// between them keeps the break (found by FuzzHighlight).
func escape(s string) string {
	s = sanitize(s)
	if strings.Contains(s, "[") {
		s = strings.ReplaceAll(s, "[", `[[""]`)
	}
	return keepBreaks(s)
}

// keepBreaks puts an empty region tag between each newline and a '-' that
// follows it (see escape), in text already escaped or tagged.
func keepBreaks(s string) string {
	if strings.Contains(s, "\n-") {
		s = strings.ReplaceAll(s, "\n-", "\n[\"\"]-")
	}
	return s
}

// Escape is escape for text that app puts into a tview primitive of its
// own (a list of kubeconfig contexts): never read as tags, URL tags
// included.
func Escape(s string) string { return escape(s) }
