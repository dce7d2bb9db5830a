package k8s

import (
	"fmt"
	"slices"
	"sync"

	"k8s.io/client-go/tools/cache"
)

// rowStore is a listing's reflector store: the row of each object listed
// and watched, by key (namespace/name), nothing more. It tells the
// listing when a row comes, goes or changes, and when the first complete
// list arrived.
//
// Concurrency: its methods are safe from any goroutine.
type rowStore struct {
	e    *listEntry
	mu   sync.Mutex
	rows map[string]Row
}

func rowOf(obj any) (string, *tableRow, error) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return "", nil, err
	}
	row, ok := obj.(*tableRow)
	if !ok {
		return "", nil, fmt.Errorf("unexpected object %T in a listing", obj)
	}
	return key, row, nil
}

func (s *rowStore) put(obj any, update bool) error {
	key, tr, err := rowOf(obj)
	if err != nil {
		return err
	}
	row := Row{Name: tr.Name, Namespace: tr.Namespace, Cells: tr.cells}
	s.mu.Lock()
	old, had := s.rows[key]
	if had {
		keepEarliest(row.Cells, old.Cells)
	}
	same := had && slices.Equal(row.Cells, old.Cells)
	s.rows[key] = row
	s.mu.Unlock()
	switch {
	case !same:
		s.e.changed()
	case update && s.e.followUpdates.Load():
		// An update that changed no cell; only listings that asked
		// hear of it (the catalog, to see a CRD become Established).
		s.e.lists.notify(s.e.key)
	}
	return nil
}

// keepEarliest gives each relative time of cells the earlier of its two
// readings when both can be of the same moment: the server rounds ages
// down, so the earlier start is the closer one. A reading earlier by more
// than the new text's rounding unit is of another moment (an object
// recreated under the same name, a date column that moved on): the new
// one stands.
func keepEarliest(cells, old []Cell) {
	for i := range cells {
		if i >= len(old) || cells[i].Since == 0 || old[i].Since == 0 {
			continue
		}
		if d := cells[i].Since - old[i].Since; d > 0 && d <= roundingUnit(cells[i].Text) {
			cells[i].Since = old[i].Since
			cells[i].Text = old[i].Text
		}
	}
}

// roundingUnit is the unit, in seconds, a human duration is rounded down
// to: its smallest unit ("3h5m" to the minute, "2d" to the day).
func roundingUnit(text string) int64 {
	unit := int64(86400)
	for _, c := range text {
		switch c {
		case 's':
			unit = min(unit, 1)
		case 'm':
			unit = min(unit, 60)
		case 'h':
			unit = min(unit, 3600)
		}
	}
	return unit
}

// Add implements cache.ReflectorStore.
func (s *rowStore) Add(obj any) error { return s.put(obj, false) }

// Update implements cache.ReflectorStore.
func (s *rowStore) Update(obj any) error { return s.put(obj, true) }

// Delete implements cache.ReflectorStore.
func (s *rowStore) Delete(obj any) error {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	_, had := s.rows[key]
	delete(s.rows, key)
	s.mu.Unlock()
	if had {
		s.e.changed()
	}
	return nil
}

// Replace implements cache.ReflectorStore: a complete list arrived.
func (s *rowStore) Replace(list []any, _ string) error {
	rows := make(map[string]Row, len(list))
	for _, obj := range list {
		key, tr, err := rowOf(obj)
		if err != nil {
			return err
		}
		rows[key] = Row{Name: tr.Name, Namespace: tr.Namespace, Cells: tr.cells}
	}
	// The list's rows and its columns are taken together (e.mu before
	// s.mu, as snapshot takes them): no snapshot has one without the other.
	s.e.mu.Lock()
	// Earlier readings of ages hold only for cells of the same columns.
	sameColumns := s.e.listed == nil || slices.Equal(s.e.listed, s.e.columns)
	s.mu.Lock()
	for key, row := range rows {
		if old, ok := s.rows[key]; ok && sameColumns {
			keepEarliest(row.Cells, old.Cells)
		}
	}
	s.rows = rows
	s.mu.Unlock()
	s.e.takeColumns(s.e.listed)
	s.e.listed, s.e.dirty = nil, true
	s.e.mu.Unlock()
	s.e.markSynced()
	return nil
}

// Resync implements cache.ReflectorStore; there is nothing to resync.
func (s *rowStore) Resync() error { return nil }

// sorted returns the stored rows sorted by name.
func (s *rowStore) sorted() []Row {
	s.mu.Lock()
	out := make([]Row, 0, len(s.rows))
	for _, r := range s.rows {
		out = append(out, r)
	}
	s.mu.Unlock()
	sortRows(out)
	return out
}

func (s *rowStore) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.rows[key]
	return ok
}

func (s *rowStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rows)
}
