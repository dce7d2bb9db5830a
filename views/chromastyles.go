package views

import (
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
)

// chroma's style registry (package chroma/v2/styles) parses every one of
// its styles from XML when the program starts: 9 ms of each start-up,
// paid twice because the UI runs under a supervisor process, to use one
// style. So kfsui keeps chroma's styles as a table of the entries its
// highlighting uses (chromastyles_table.go, written by
// TestChromaStylesTable -update from the registry of the chroma version in
// go.mod; the same test fails when the table and the registry differ) and
// builds a style only when it is first asked for.

// highlightTypes are the token types kfsui's highlighting asks a style
// for: those its scanners emit (lex.go), the events table's, and Text.
var highlightTypes = []chroma.TokenType{
	chroma.Text, chroma.Comment, chroma.Keyword, chroma.KeywordConstant,
	chroma.LiteralNumber, chroma.LiteralString, chroma.NameTag, chroma.Punctuation,
	chroma.GenericError,
}

// fallbackStyle is the style for a name chroma does not know, as chroma's
// registry does it.
const fallbackStyle = "swapoff"

var builtStyles sync.Map // name → *chroma.Style

// chromaStyle returns chroma's style of that name (case-insensitive), or
// the fallback.
func chromaStyle(name string) *chroma.Style {
	name = strings.ToLower(name)
	if s, ok := builtStyles.Load(name); ok {
		return s.(*chroma.Style)
	}
	entries, ok := chromaStyleTable[name]
	if !ok && name != fallbackStyle {
		return chromaStyle(fallbackStyle)
	}
	style, err := chroma.NewStyle(name, entries)
	if err != nil {
		// The table is generated and tested: an error here is a bug.
		panic("views: chroma style " + name + ": " + err.Error())
	}
	s, _ := builtStyles.LoadOrStore(name, style)
	return s.(*chroma.Style)
}
