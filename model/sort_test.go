package model

import (
	"strings"
	"testing"

	"github.com/kfsui/kfsui/k8s"
)

func TestSortEntries(t *testing.T) {
	columns := cols("Name", "Ready", "Status", "Restarts", "Age", "Created")
	columns[4].Type = "date"
	mk := func(name, ready, status, restarts string, since int64, created string) Entry {
		return Entry{Name: name, Cells: []k8s.Cell{{Text: name}, {Text: ready}, {Text: status}, {Text: restarts}, {Text: "x", Since: since}, {Text: created}}}
	}
	d := Dir{Columns: columns, Entries: []Entry{
		mk("a", "1/1", "Running", "17 (5m ago)", 300, "2026-01-02T00:00:00Z"),
		mk("b", "0/1", "CrashLoopBackOff", "3", 100, "2026-01-01T00:00:00Z"),
		mk("c", "1/1", "running", "<none>", 200, "2025-12-31T00:00:00Z"),
		mk("d", "10/10", "Error", "100", 100, "<none>"),
	}}
	for _, tc := range []struct {
		col     int
		reverse bool
		want    string
	}{
		{-1, false, "a b c d"},
		{0, true, "d c b a"},
		{1, false, "b a c d"}, // 0/1, 1/1, 1/1, 10/10: as numbers, ties by name
		{2, false, "b d a c"}, // text, any case
		{3, false, "b a d c"}, // 3, 17, 100, then the empty one
		{3, true, "d a b c"},  // reversed, the empty one still last
		{4, false, "b d c a"}, // ages as moments: the oldest first
		{5, false, "c b a d"}, // dates as times
		{9, false, "a b c d"}, // no such column: by name
	} {
		dd := d
		dd.Entries = append([]Entry(nil), d.Entries...)
		SortEntries(&dd, tc.col, tc.reverse)
		var got []string
		for _, e := range dd.Entries {
			got = append(got, e.Name)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("column %d reverse %v: %v, want %s", tc.col, tc.reverse, got, tc.want)
		}
	}
}

func TestColumnIndex(t *testing.T) {
	columns := cols("Name", "Nominated Node")
	if i, err := ColumnIndex(columns, "NOMINATED NODE"); i != 1 || err != nil {
		t.Errorf("NOMINATED NODE: %d, %v", i, err)
	}
	if i, err := ColumnIndex(columns, "name"); i != 0 || err != nil {
		t.Errorf("name: %d, %v", i, err)
	}
	if _, err := ColumnIndex(columns, "colour"); err == nil || !strings.Contains(err.Error(), "NAME, NOMINATED NODE") {
		t.Errorf("colour: %v", err)
	}
}
