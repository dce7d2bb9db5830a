package views

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
)

// The viewer's YAML and JSON are always what kubectl's printers write: a
// plain, regular subset. These scanners turn it into chroma tokens for the
// TagFormatter in one pass over the text. chroma's own lexers would do it
// too, but their registry parses some 250 lexer definitions when the
// program starts (about 14 ms, paid twice with the supervisor), and its
// regular-expression YAML lexer takes half a second for a 1 MiB manifest.
//
// Whatever the input, the tokens' values concatenate to exactly the text:
// unusual input is only colored less.

// tokens collects the tokens of src, which are added in order and cover it;
// neighbours of one type merge into one token, a slice of src.
type tokens struct {
	src   string
	pos   int // where the next token starts
	start int // where the last token starts
	out   []chroma.Token
}

func (ts *tokens) add(t chroma.TokenType, v string) {
	if v == "" {
		return
	}
	end := ts.pos + len(v)
	if n := len(ts.out); n > 0 && ts.out[n-1].Type == t {
		ts.out[n-1].Value = ts.src[ts.start:end]
	} else {
		ts.start = ts.pos
		ts.out = append(ts.out, chroma.Token{Type: t, Value: v})
	}
	ts.pos = end
}

func (ts *tokens) iterator() chroma.Iterator { return chroma.Literator(ts.out...) }

// lexYAML tokenises YAML line by line: comments, "key:" names, list
// markers, and scalar values by kind; the lines of a block scalar (| or >)
// are strings.
func lexYAML(text string) chroma.Iterator {
	ts := tokens{src: text}
	block := -1 // indentation of the key that opened a block scalar, -1: none
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line = text[:i+1]
		}
		text = text[len(line):]
		body := strings.TrimRight(line, "\r\n")
		eol := line[len(body):]
		indent := len(body) - len(strings.TrimLeft(body, " "))
		if block >= 0 {
			if strings.TrimSpace(body) == "" || indent > block {
				ts.add(chroma.LiteralString, line)
				continue
			}
			block = -1
		}
		ts.add(chroma.Text, body[:indent])
		rest := body[indent:]
		for strings.HasPrefix(rest, "- ") || rest == "-" {
			ts.add(chroma.Punctuation, "-")
			rest = rest[1:]
			sp := len(rest) - len(strings.TrimLeft(rest, " "))
			ts.add(chroma.Text, rest[:sp])
			rest = rest[sp:]
			indent += 1 + sp
		}
		switch {
		case strings.HasPrefix(rest, "#"):
			ts.add(chroma.Comment, rest)
		case rest == "---" || rest == "...":
			ts.add(chroma.Punctuation, rest)
		default:
			if k := yamlKeyEnd(rest); k > 0 {
				ts.add(chroma.NameTag, rest[:k])
				ts.add(chroma.Punctuation, ":")
				rest = rest[k+1:]
				sp := len(rest) - len(strings.TrimLeft(rest, " "))
				ts.add(chroma.Text, rest[:sp])
				rest = rest[sp:]
			}
			if isBlockIndicator(rest) {
				ts.add(chroma.Punctuation, rest)
				block = indent
			} else {
				yamlValue(&ts, rest)
			}
		}
		ts.add(chroma.Text, eol)
	}
	return ts.iterator()
}

// yamlKeyEnd returns the index of the colon ending a mapping key at the
// start of s, or -1: a plain or quoted key followed by ": " or the end.
func yamlKeyEnd(s string) int {
	i := 0
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		end := closingQuote(s)
		if end < 0 {
			return -1
		}
		i = end + 1
		if i < len(s) && s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			return i
		}
		return -1
	}
	for ; i < len(s); i++ {
		switch {
		case s[i] == ':' && (i+1 == len(s) || s[i+1] == ' '):
			if i == 0 {
				return -1
			}
			return i
		case s[i] == ' ' && i+1 < len(s) && s[i+1] == '#':
			return -1 // a comment starts: no key on this line
		}
	}
	return -1
}

// closingQuote returns the index of the quote closing the string s starts
// with, or -1.
func closingQuote(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case q == '\'' && s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++ // '' is an escaped quote
		case s[i] == q:
			return i
		}
	}
	return -1
}

func isBlockIndicator(s string) bool {
	if s == "" || (s[0] != '|' && s[0] != '>') {
		return false
	}
	return strings.Trim(s[1:], "+-0123456789") == ""
}

// yamlValue adds a scalar value (or a flow collection, left plain).
func yamlValue(ts *tokens, s string) {
	if s == "" {
		return
	}
	switch {
	case s[0] == '"' || s[0] == '\'':
		if end := closingQuote(s); end >= 0 {
			ts.add(chroma.LiteralString, s[:end+1])
			ts.add(chroma.Text, s[end+1:])
			return
		}
		ts.add(chroma.LiteralString, s)
	case s == "true" || s == "false" || s == "null" || s == "~":
		ts.add(chroma.KeywordConstant, s)
	case isNumber(s):
		ts.add(chroma.LiteralNumber, s)
	case s == "{}" || s == "[]":
		ts.add(chroma.Punctuation, s)
	default:
		ts.add(chroma.LiteralString, s)
	}
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	digits, dot, exp := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && !exp:
			dot = true
		case (c == 'e' || c == 'E') && digits > 0 && !exp:
			exp = true
			if i+1 < len(s) && (s[i+1] == '+' || s[i+1] == '-') {
				i++
			}
		default:
			return false
		}
	}
	return digits > 0
}

// lexJSON tokenises JSON: object keys as names, strings, numbers, the
// three constants and punctuation; anything else passes as text.
func lexJSON(text string) chroma.Iterator {
	ts := tokens{src: text}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '"':
			end := i + 1
			for end < len(text) && text[end] != '"' && text[end] != '\n' {
				if text[end] == '\\' {
					end++
				}
				end++
			}
			if end < len(text) && text[end] == '"' {
				end++
			}
			end = min(end, len(text))
			kind := chroma.LiteralString
			if rest := strings.TrimLeft(text[end:], " \t\r\n"); strings.HasPrefix(rest, ":") {
				kind = chroma.NameTag
			}
			ts.add(kind, text[i:end])
			i = end
		case strings.ContainsRune("{}[],:", rune(c)):
			ts.add(chroma.Punctuation, text[i:i+1])
			i++
		case c == '-' || (c >= '0' && c <= '9'):
			end := i + 1
			for end < len(text) && strings.IndexByte("0123456789.eE+-", text[end]) >= 0 {
				end++
			}
			ts.add(chroma.LiteralNumber, text[i:end])
			i = end
		case strings.HasPrefix(text[i:], "true") || strings.HasPrefix(text[i:], "null"):
			ts.add(chroma.KeywordConstant, text[i:i+4])
			i += 4
		case strings.HasPrefix(text[i:], "false"):
			ts.add(chroma.KeywordConstant, text[i:i+5])
			i += 5
		default:
			end := i + 1
			for end < len(text) && strings.IndexByte("\"{}[],:-0123456789tfn", text[end]) < 0 {
				end++
			}
			ts.add(chroma.Text, text[i:end])
			i = end
		}
	}
	return ts.iterator()
}
