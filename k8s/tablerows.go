package k8s

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// rowScanner reads a table's "rows" array: for each row the raw JSON of
// its cells, skipping everything else (a row's object, its conditions).
// encoding/json decodes a page of 5,000 pods' rows in about 24 ms,
// mostly allocating a RawMessage per cell and unquoting each string
// again; this reads the bytes once, makes a string only for a cell's
// text, and shares the text of cells that repeat ("Running", "1/1",
// "<none>") within a page.
type rowScanner struct {
	b      []byte
	i      int
	intern map[string]string
	// unique is the index of the cell not worth sharing (the name, which
	// no other row has); -1 for none.
	unique int
}

var errRows = errors.New("malformed table rows")

func (s *rowScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte that is not white space, 0 at the end.
func (s *rowScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *rowScanner) expect(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("%w: want %q at byte %d", errRows, c, s.i)
	}
	s.i++
	return nil
}

// str reads a string and returns its raw bytes between the quotes and
// whether it holds an escape.
func (s *rowScanner) str() (raw []byte, escaped bool, err error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return nil, false, fmt.Errorf("%w: control character in a string", errRows)
		default:
			s.i++
		}
	}
	return nil, false, fmt.Errorf("%w: unterminated string", errRows)
}

// skip passes over one value, returning its raw bytes.
func (s *rowScanner) skip() ([]byte, error) {
	s.ws()
	start := s.i
	if s.i >= len(s.b) {
		return nil, fmt.Errorf("%w: a value is missing", errRows)
	}
	switch s.b[s.i] {
	case '"':
		if _, _, err := s.str(); err != nil {
			return nil, err
		}
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, err := s.str(); err != nil {
					return nil, err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return s.b[start:s.i], nil
			}
		}
		return nil, fmt.Errorf("%w: unterminated value", errRows)
	default:
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				break
			}
			s.i++
		}
		if s.i == start {
			return nil, fmt.Errorf("%w: unexpected %q", errRows, s.b[s.i])
		}
	}
	return s.b[start:s.i], nil
}

// cell reads one cell and formats it as cellText does; share says
// whether its text may be shared with equal cells.
func (s *rowScanner) cell(share bool) (string, error) {
	if s.peek() == '"' {
		raw, escaped, err := s.str()
		if err != nil {
			return "", err
		}
		// Line breaks, which kubectl cuts at, are always escaped in JSON;
		// invalid UTF-8 is replaced as encoding/json replaces it.
		if !escaped && utf8.Valid(raw) {
			if !share {
				return string(raw), nil
			}
			return s.text(raw), nil
		}
		quoted := s.b[s.i-len(raw)-2 : s.i]
		// Escaped text repeats too: the server writes <none> as
		// \u003cnone\u003e. It is shared under its escaped form, which
		// holds a backslash, so no plain text can stand for it.
		if share && len(quoted) <= 64 {
			if t, ok := s.intern[string(quoted)]; ok {
				return t, nil
			}
		}
		t, err := cellText(quoted)
		if err == nil && share && len(quoted) <= 64 {
			s.intern[string(quoted)] = t
		}
		return t, err
	}
	raw, err := s.skip()
	if err != nil {
		return "", err
	}
	if !json.Valid(raw) {
		return "", fmt.Errorf("%w: bad cell %q", errRows, raw)
	}
	text, err := cellText(raw)
	return s.text([]byte(text)), err
}

// text is b as a string, shared with an equal cell's of the same page
// when not long: most cells repeat, and a listing keeps its cells.
func (s *rowScanner) text(b []byte) string {
	if len(b) > 64 {
		return string(b)
	}
	if t, ok := s.intern[string(b)]; ok { // no allocation: the compiler sees the lookup
		return t
	}
	t := string(b)
	s.intern[t] = t
	return t
}

// rows reads the rows array, calling row with each row's cells and the
// raw bytes of its object, if the row has one.
func (s *rowScanner) rows(row func(cells []string, object []byte) error) error {
	if s.peek() == 'n' { // null
		_, err := s.skip()
		return err
	}
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	var cells []string
	for {
		if err := s.expect('{'); err != nil {
			return err
		}
		cells = cells[:0]
		var object []byte
		if s.peek() != '}' {
			for {
				key, _, err := s.str()
				if err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
				if string(key) == "cells" && s.peek() == '[' {
					if cells, err = s.cells(cells); err != nil {
						return err
					}
				} else if raw, err := s.skip(); err != nil {
					return err
				} else if string(key) == "object" {
					object = raw
				}
				if s.peek() == ',' {
					s.i++
					continue
				}
				break
			}
		}
		if err := s.expect('}'); err != nil {
			return err
		}
		if err := row(cells, object); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return fmt.Errorf("%w: want , or ] at byte %d", errRows, s.i)
		}
	}
}

func (s *rowScanner) cells(out []string) ([]string, error) {
	s.i++ // [
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	for {
		c, err := s.cell(len(out) != s.unique)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return out, nil
		default:
			return nil, fmt.Errorf("%w: want , or ] at byte %d", errRows, s.i)
		}
	}
}

// scanTable reads a table request's answer: its kind, list metadata and
// columns through encoding/json (they are small), the rows' raw bytes
// for rowsOf, and a plain list's items when the server sent no table.
func scanTable(body []byte) (wireTable, error) {
	var w wireTable
	s := rowScanner{b: body}
	if err := s.expect('{'); err != nil {
		return w, err
	}
	if s.peek() == '}' {
		s.i++
		return w, s.end()
	}
	for {
		key, _, err := s.str()
		if err != nil {
			return w, err
		}
		if err := s.expect(':'); err != nil {
			return w, err
		}
		raw, err := s.skip()
		if err != nil {
			return w, err
		}
		var dst any
		switch string(key) {
		case "kind":
			dst = &w.Kind
		case "apiVersion":
			dst = &w.APIVersion
		case "metadata":
			dst = &w.Metadata
		case "columnDefinitions":
			dst = &w.Columns
		case "items":
			dst = &w.Items
		case "rows":
			w.Rows = raw
		}
		if dst != nil {
			if err := json.Unmarshal(raw, dst); err != nil {
				return w, fmt.Errorf("%s: %w", key, err)
			}
		}
		switch s.peek() {
		case ',':
			s.i++
			continue
		case '}':
			s.i++
			return w, s.end()
		}
		return w, fmt.Errorf("%w: want , or } at byte %d", errRows, s.i)
	}
}

// end checks that nothing but white space follows.
func (s *rowScanner) end() error {
	if s.peek() != 0 {
		return fmt.Errorf("%w: data after the table", errRows)
	}
	return nil
}
