package k8s

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

var (
	oldColumns = []Column{{Name: "Name", Format: "name"}, {Name: "Size", Type: "integer"}, {Name: "Color", Type: "string"}}
	newColumns = []Column{{Name: "Name", Format: "name"}, {Name: "Shade", Type: "string"}, {Name: "Color", Type: "string"}}
)

func cellsOf(texts ...string) []Cell {
	cells := make([]Cell, len(texts))
	for i, t := range texts {
		cells[i] = Cell{Text: t}
	}
	return cells
}

func rowEvent(columns []Column, cells ...string) watch.Event {
	row := &tableRow{ObjectMeta: metav1.ObjectMeta{Name: cells[0]}, cells: cellsOf(cells...), columns: columns}
	return watch.Event{Type: watch.Modified, Object: row}
}

func expired(ev watch.Event) bool {
	s, ok := ev.Object.(*metav1.Status)
	return ev.Type == watch.Error && ok && s.Code == 410
}

// A watch that brings the listing's columns passes its events on; one
// that brings others ends as expired so that the listing lists again, but
// only once a minute: after that its rows take the cells of the columns
// they share by name, so that API servers which disagree (an upgrade
// under way) cannot make a listing list again and again.
func TestWatchWithOtherColumns(t *testing.T) {
	e := &listEntry{}
	same := e.checkColumns(oldColumns)
	if ev, _ := same(rowEvent(oldColumns, "a", "3", "blue")); expired(ev) {
		t.Fatal("a watch with the listing's columns ended")
	}
	if ev, _ := same(rowEvent(nil, "b", "4", "red")); expired(ev) {
		t.Fatal("an event without columns, after the listing's, ended the watch")
	}

	first := e.checkColumns(oldColumns)
	if ev, _ := first(rowEvent(newColumns, "a", "dark", "blue")); !expired(ev) {
		t.Fatalf("a watch bringing other columns goes on: %+v", ev)
	}
	again := e.checkColumns(oldColumns)
	ev, _ := again(rowEvent(newColumns, "a", "dark", "blue"))
	if expired(ev) {
		t.Fatal("a second watch with other columns within a minute ended as well")
	}
	if got, want := ev.Object.(*tableRow).cells, cellsOf("a", "", "blue"); !reflect.DeepEqual(got, want) {
		t.Errorf("cells in the listing's columns: %+v, want %+v", got, want)
	}
	// Later events of that watch bring no columns: still the watch's own.
	ev, _ = again(rowEvent(nil, "b", "light", "red"))
	if got, want := ev.Object.(*tableRow).cells, cellsOf("b", "", "red"); expired(ev) || !reflect.DeepEqual(got, want) {
		t.Errorf("a later event of that watch: %+v, want cells %+v", ev, want)
	}
}

func TestRemapCells(t *testing.T) {
	got := remapCells(cellsOf("a", "dark"), newColumns, oldColumns)
	// Color is one of the columns from, but the row has no cell for it.
	if want := cellsOf("a", "", ""); !reflect.DeepEqual(got, want) {
		t.Errorf("remapCells = %+v, want %+v", got, want)
	}
}

// A relist's columns show with its rows, in the store's Replace: before,
// the rows and columns shown stay the old ones together.
func TestRelistColumnsShowWithTheirRows(t *testing.T) {
	lists := &Lists{}
	e := &listEntry{lists: lists, synced: make(chan struct{}), columns: oldColumns}
	e.store = &rowStore{e: e, rows: map[string]Row{}}
	e.ctx = t.Context()
	if err := e.store.Replace([]any{&tableRow{ObjectMeta: metav1.ObjectMeta{Name: "a"}, cells: cellsOf("a", "3", "blue")}}, "1"); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.listed = newColumns // a relist answered; the reflector has not replaced yet
	e.mu.Unlock()
	if l := e.snapshot(); !reflect.DeepEqual(l.Columns, oldColumns) || !reflect.DeepEqual(l.Rows[0].Cells, cellsOf("a", "3", "blue")) {
		t.Fatalf("before Replace: columns %+v rows %+v, want the old ones together", l.Columns, l.Rows)
	}
	if err := e.store.Replace([]any{&tableRow{ObjectMeta: metav1.ObjectMeta{Name: "a"}, cells: cellsOf("a", "dark", "blue")}}, "2"); err != nil {
		t.Fatal(err)
	}
	if l := e.snapshot(); !reflect.DeepEqual(l.Columns, newColumns) || !reflect.DeepEqual(l.Rows[0].Cells, cellsOf("a", "dark", "blue")) {
		t.Fatalf("after Replace: columns %+v rows %+v, want the new ones together", l.Columns, l.Rows)
	}
}
