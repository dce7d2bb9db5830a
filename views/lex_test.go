package views

import (
	"testing"

	"github.com/alecthomas/chroma/v2"
)

type tok struct {
	t chroma.TokenType
	v string
}

func collect(it chroma.Iterator) []tok {
	var out []tok
	for t := it(); t != chroma.EOF; t = it() {
		if t.Type != chroma.Text {
			out = append(out, tok{t.Type, t.Value})
		}
	}
	return out
}

func TestLexYAMLClassifiesKubectlOutput(t *testing.T) {
	text := "apiVersion: v1\nkind: ConfigMap\n# a comment\ndata:\n  script: |\n    echo hi: there\n    - not a list\n  n: 3\n  ok: true\n  q: 'it''s'\n  items:\n  - name: a\n  - 12.5\n  empty: {}\n"
	got := collect(lexYAML(text))
	want := []tok{
		{chroma.NameTag, "apiVersion"}, {chroma.Punctuation, ":"}, {chroma.LiteralString, "v1"},
		{chroma.NameTag, "kind"}, {chroma.Punctuation, ":"}, {chroma.LiteralString, "ConfigMap"},
		{chroma.Comment, "# a comment"},
		{chroma.NameTag, "data"}, {chroma.Punctuation, ":"},
		{chroma.NameTag, "script"}, {chroma.Punctuation, ":"}, {chroma.Punctuation, "|"},
		{chroma.LiteralString, "    echo hi: there\n    - not a list\n"},
		{chroma.NameTag, "n"}, {chroma.Punctuation, ":"}, {chroma.LiteralNumber, "3"},
		{chroma.NameTag, "ok"}, {chroma.Punctuation, ":"}, {chroma.KeywordConstant, "true"},
		{chroma.NameTag, "q"}, {chroma.Punctuation, ":"}, {chroma.LiteralString, "'it''s'"},
		{chroma.NameTag, "items"}, {chroma.Punctuation, ":"},
		{chroma.Punctuation, "-"}, {chroma.NameTag, "name"}, {chroma.Punctuation, ":"}, {chroma.LiteralString, "a"},
		{chroma.Punctuation, "-"}, {chroma.LiteralNumber, "12.5"},
		{chroma.NameTag, "empty"}, {chroma.Punctuation, ":"}, {chroma.Punctuation, "{}"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d tokens, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d = %v %q, want %v %q", i, got[i].t, got[i].v, want[i].t, want[i].v)
		}
	}
}

func TestLexJSONClassifies(t *testing.T) {
	got := collect(lexJSON("{\n    \"a\": \"x\\\"y\",\n    \"n\": -1.5e3,\n    \"b\": [true, null]\n}\n"))
	want := []tok{
		{chroma.Punctuation, "{"}, {chroma.NameTag, `"a"`}, {chroma.Punctuation, ":"}, {chroma.LiteralString, `"x\"y"`},
		{chroma.Punctuation, ","}, {chroma.NameTag, `"n"`}, {chroma.Punctuation, ":"}, {chroma.LiteralNumber, "-1.5e3"},
		{chroma.Punctuation, ","}, {chroma.NameTag, `"b"`}, {chroma.Punctuation, ":"}, {chroma.Punctuation, "["},
		{chroma.KeywordConstant, "true"}, {chroma.Punctuation, ","}, {chroma.KeywordConstant, "null"}, {chroma.Punctuation, "]"},
		{chroma.Punctuation, "}"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d tokens, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d = %v %q, want %v %q", i, got[i].t, got[i].v, want[i].t, want[i].v)
		}
	}
}
