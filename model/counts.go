package model

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kfsui/kfsui/k8s"
)

// ListKeyOf names the listing of t in namespace ns.
func ListKeyOf(t k8s.Type, ns string) k8s.ListKey {
	if !t.Namespaced {
		ns = ""
	}
	return k8s.ListKey{GVR: t.GVR, Namespace: ns}
}

// failingCounts remembers how many rows of each listing fail, until the
// listing changes: a namespace's count is asked for on every change of
// any of its listings, and a pod listing can hold 10,000 rows.
//
// Concurrency: safe from any goroutine.
type failingCounts struct {
	mu   sync.Mutex
	seen map[k8s.ListKey]failingCount
}

type failingCount struct {
	version uint64
	n       int
}

// of returns how many of l's rows fail.
func (f *failingCounts) of(key k8s.ListKey, l k8s.Listing) int {
	f.mu.Lock()
	c, ok := f.seen[key]
	f.mu.Unlock()
	if ok && c.version == l.Version {
		return c.n
	}
	rules := rulesFor(l.Columns)
	n := 0
	for _, row := range l.Rows {
		if rules.health(row.Cells) == HealthFailing {
			n++
		}
	}
	f.mu.Lock()
	if f.seen == nil {
		f.seen = map[k8s.ListKey]failingCount{}
	}
	f.seen[key] = failingCount{version: l.Version, n: n}
	f.mu.Unlock()
	return n
}

// failingIn counts the failing rows of namespace ns that running
// listings know; it starts none.
func (fs *FS) failingIn(types []k8s.Type, ns string) int {
	n := 0
	for _, t := range types {
		if l, ok := fs.src.Peek(t, ns); ok && l.Synced {
			n += fs.failing.of(ListKeyOf(t, ns), l)
		}
	}
	return n
}

// summary says what a type directory holds: "42", "42 · 3 failing".
func summary(count, failing int) string {
	if failing == 0 {
		return fmt.Sprint(count)
	}
	return fmt.Sprintf("%d · %d failing", count, failing)
}

// CountTypes counts the objects of each type namespace directory or
// /cluster d lists, at most eight requests at a time; -1 where a type
// could not be counted, with the first such error. For headless
// listings: the tree counts from running listings only. Safe from any
// goroutine.
func (fs *FS) CountTypes(ctx context.Context, d Dir) ([]int, error) {
	counts := make([]int, len(d.Entries))
	errs := make([]error, len(d.Entries))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, e := range d.Entries {
		t, err := fs.TypeOf(e.Path)
		if err != nil {
			counts[i], errs[i] = -1, err
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			counts[i], errs[i] = fs.src.Count(ctx, t, e.Path.Namespace)
			if errs[i] != nil {
				counts[i] = -1
				errs[i] = fmt.Errorf("%s: %w", e.Name, errs[i])
			}
		})
	}
	wg.Wait()
	return counts, errors.Join(errs...)
}

// Columns returns the columns of type directory p's listing, nil when it
// does not run or has not listed yet. Safe from any goroutine.
func (fs *FS) Columns(p Path) []k8s.Column {
	t, err := fs.TypeOf(p)
	if err != nil {
		return nil
	}
	if p.All {
		if l := fs.allListing(t, fs.Selector(p)); l.Columns != nil {
			return append([]k8s.Column{NamespaceColumn}, l.Columns...)
		}
		return nil
	}
	l, _ := fs.src.PeekOf(t, p.Namespace, fs.Selector(p))
	return l.Columns
}
