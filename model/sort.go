package model

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kfsui/kfsui/k8s"
)

// sortKey is what a cell sorts by: numbers as numbers ("17 (5m ago)" is
// 17), relative times and dates as times, the rest as text; empty cells
// last.
type sortKey struct {
	kind int // 0 number or time, 1 text, 2 empty
	num  float64
	text string
}

func keyOf(c k8s.Cell) sortKey {
	switch {
	case c.Since != 0:
		return sortKey{num: float64(c.Since)}
	case c.Text == "" || c.Text == "<none>" || c.Text == "<unknown>":
		return sortKey{kind: 2}
	}
	if t, err := time.Parse(time.RFC3339, c.Text); err == nil {
		return sortKey{num: float64(t.Unix())}
	}
	if n, ok := leadingNumber(c.Text); ok {
		return sortKey{num: n}
	}
	return sortKey{kind: 1, text: strings.ToLower(c.Text)}
}

// leadingNumber reads the number a cell starts with: "17 (5m ago)",
// "1/2", "250m", "0.5".
func leadingNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	return n, err == nil
}

func compareKeys(a, b sortKey) int {
	if a.kind != b.kind {
		return a.kind - b.kind
	}
	switch {
	case a.kind == 1:
		return strings.Compare(a.text, b.text)
	case a.num < b.num:
		return -1
	case a.num > b.num:
		return 1
	}
	return 0
}

// SortEntries orders the entries of type directory d by its column col
// (an index into d.Columns; its name column or out of range: by name),
// reversed if asked; the name breaks ties. Ages sort as the moments they
// count from: ascending puts the oldest first. Entries without cells keep
// their place after those with. Safe from any goroutine.
func SortEntries(d *Dir, col int, reverse bool) {
	byName := col < 0 || col >= len(d.Columns) || col == k8s.NameColumn(d.Columns)
	if byName && !reverse {
		return // listings come sorted by name
	}
	keys := make([]sortKey, len(d.Entries))
	if !byName {
		for i, e := range d.Entries {
			if col < len(e.Cells) {
				keys[i] = keyOf(e.Cells[col])
			} else {
				keys[i] = sortKey{kind: 2}
			}
		}
	}
	order := make([]int, len(d.Entries))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		// Empty cells last, either way.
		if !byName && (keys[i].kind == 2) != (keys[j].kind == 2) {
			return keys[i].kind - keys[j].kind
		}
		c := 0
		if !byName {
			c = compareKeys(keys[i], keys[j])
		}
		if c == 0 {
			c = strings.Compare(d.Entries[i].Name, d.Entries[j].Name)
		}
		if reverse {
			c = -c
		}
		return c
	})
	sorted := make([]Entry, len(order))
	for i, k := range order {
		sorted[i] = d.Entries[k]
	}
	d.Entries = sorted
}
