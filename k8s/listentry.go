package k8s

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// versions numbers every change of every listing's rows, so that a
// listing stopped as idle and started again never repeats a version an
// earlier one had: what was computed from the old one (a failing count)
// is not taken for the new one's.
var versions atomic.Uint64

// listEntry is one running listing: a reflector feeding a rowStore, or,
// for a type without watch, the rows of its last list.
type listEntry struct {
	lists  *Lists
	key    ListKey
	ctx    context.Context // ends when the listing is stopped
	cancel context.CancelFunc
	store  *rowStore     // nil for non-watchable types and Helm releases
	helm   *helmState    // Helm releases' records; nil for API types
	feed   *metricsFeed  // pods and nodes, when metrics are asked for
	synced chan struct{} // closed after the first complete list

	followUpdates atomic.Bool
	listing       sync.Mutex // held by listOnce

	// Guarded by lists.mu.
	holds    int
	lastUsed time.Time

	mu         sync.Mutex
	err        error
	columns    []Column  // the columns of rows
	listed     []Column  // the columns of the reflector's last list, until its Replace
	columnsAt  time.Time // when a watch was last ended for bringing other columns
	rows       []Row     // sorted by name: the store's rows, or the last list's
	names      []string  // the names of rows
	progress   []Row     // rows of a first list still arriving page by page
	dirty      bool      // rows must be rebuilt from the store
	version    uint64    // changes with rows; see versions
	pending    int       // see Listing.Pending
	syncedOnce sync.Once
}

func (e *listEntry) startInformer() {
	// A list or watch that fails shows its error; one that succeeds clears
	// it: without that a quiet directory would show a stale error until
	// something in it changed.
	report := func(err error) {
		if err != nil {
			e.setErr(err)
		} else {
			e.clearErr()
		}
	}
	lw := &pagedListWatch{
		ListWatch: cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
				var list *rowList
				var err error
				if e.isSynced() {
					// A relist: the reflector asks from its resource
					// version, which the watch cache serves, so a
					// restarted API server is not answered from etcd by
					// every listing at once. Unpaged: paging these (from
					// that resource version) left listings stuck after an
					// API server restart (TestE2EAPIServerOutageAndRecovery).
					list, err = e.relist(ctx, opts)
				} else {
					list, err = e.listPages(ctx)
				}
				report(err)
				if err != nil {
					return nil, err
				}
				// The columns change with the rows, in the store's
				// Replace: the rows shown meanwhile are the old ones.
				e.mu.Lock()
				e.listed = list.Columns
				e.mu.Unlock()
				return list, nil
			},
			WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
				e.mu.Lock()
				columns := e.columns
				e.mu.Unlock()
				w, err := e.lists.pages.watch(ctx, e.key.GVR, e.key.Namespace, e.narrow(opts), columns)
				report(err)
				if err != nil {
					return nil, err
				}
				return watch.Filter(w, e.checkColumns(columns)), nil
			},
		},
	}
	// client-go's reflector lists, watches, resumes and backs off; its
	// store keeps each object's row and nothing else, so tens of
	// thousands of cached objects stay small.
	e.store = &rowStore{e: e, rows: map[string]Row{}}
	r := cache.NewReflectorWithOptions(lw, &tableRow{}, e.store, cache.ReflectorOptions{
		Name: e.key.GVR.String() + " in " + e.key.Namespace,
	})
	go r.RunWithContext(e.ctx)
}

// checkColumns returns the filter of a watch started for rows in columns.
// It passes events on while the watch's columns are those; when they are
// not (a CRD's printer columns changed) it ends the watch as expired, and
// the reflector lists anew, so that the rows follow the new columns. At
// most once a minute: should the watches keep bringing other columns
// than the lists (API servers of two versions behind one address, during
// an upgrade), the rows meanwhile take the cells of the columns they
// share by name, instead of listing everything again in a loop.
func (e *listEntry) checkColumns(columns []Column) func(watch.Event) (watch.Event, bool) {
	own := columns // the watch's: an event brings them, the later ones none
	return func(ev watch.Event) (watch.Event, bool) {
		row, ok := ev.Object.(*tableRow)
		if !ok {
			return ev, true
		}
		if row.columns != nil {
			own = row.columns
		}
		if slices.Equal(own, columns) {
			return ev, true
		}
		now := time.Now()
		e.mu.Lock()
		relist := now.Sub(e.columnsAt) >= columnsRelist
		if relist {
			e.columnsAt = now
		}
		e.mu.Unlock()
		if relist {
			return watch.Event{Type: watch.Error, Object: &metav1.Status{
				Status: metav1.StatusFailure, Code: 410, Reason: metav1.StatusReasonExpired,
				Message: "the type's columns changed: listing again",
			}}, true
		}
		row.cells = remapCells(row.cells, own, columns)
		return ev, true
	}
}

// columnsRelist is how often at most a watch that brings other columns
// than its listing's makes the listing list again.
const columnsRelist = time.Minute

// remapCells returns cells, which are in the columns from, in the columns
// to: each cell of a column to shares by name; empty for the others.
func remapCells(cells []Cell, from, to []Column) []Cell {
	out := make([]Cell, len(to))
	for i, c := range to {
		for j, f := range from {
			if f.Name == c.Name && j < len(cells) {
				out[i] = cells[j]
				break
			}
		}
	}
	return out
}

// firstPage is how many objects the first LIST of a collection asks for,
// kubectl's chunk size: the first names show quickly. Later pages ask for
// nextPages, so ten thousand objects cost three round trips, while no
// single request grows large enough to time out.
const (
	firstPage = 500
	nextPages = 5000
)

// pagedListWatch lists in pages itself (listPages) and tells the reflector
// not to try a streaming watch-list first: that would deliver the whole
// collection only at its end, and servers whose etcd cannot report
// progress refuse it, costing a request per listing.
type pagedListWatch struct{ cache.ListWatch }

// IsWatchListSemanticsUnSupported implements the reflector's opt-out.
func (*pagedListWatch) IsWatchListSemanticsUnSupported() bool { return true }

// listPages lists the collection page by page, from etcd as one consistent
// snapshot (the continue token keeps the first page's resource version).
// Until the listing's first complete list, each page's rows are shown at
// once (Names returns them, not Synced). Across namespaces the table is
// listed bare, its rows named beside it (listNamed); should the two not
// agree, it is listed again with its objects' metadata.
func (e *listEntry) listPages(ctx context.Context) (*rowList, error) {
	if e.key.Namespace == AllNamespaces {
		list, err := e.listNamed(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil || list != nil {
			return list, err
		}
	}
	opts := e.narrow(metav1.ListOptions{Limit: firstPage})
	all := &rowList{}
	first := !e.isSynced()
	for {
		page, err := e.lists.pages.list(ctx, e.key.GVR, e.key.Namespace, opts)
		if err != nil {
			e.setProgress(nil)
			return nil, err
		}
		all.TypeMeta, all.ListMeta = page.TypeMeta, page.ListMeta
		if all.Columns == nil {
			all.Columns = page.Columns
			if first {
				// No rows yet but these pages': they show in them.
				e.setColumns(page.Columns)
			}
		}
		all.Items = append(all.Items, page.Items...)
		if first {
			// The last page too: the rows show as soon as they are
			// here, while the reflector still files them away.
			e.addProgress(page.Items)
		}
		if page.Continue == "" {
			return all, nil
		}
		if err := sameContinue(opts.Continue, page.Continue); err != nil {
			e.setProgress(nil)
			return nil, err
		}
		// The continue token holds the first page's resource version.
		opts = e.narrow(metav1.ListOptions{Continue: page.Continue, Limit: nextPages})
	}
}

// listNamed lists a table across namespaces bare and names its rows
// (objectnames.go), the names listed side by side with the table. The
// first list of each asks the API server's watch cache (resource version
// 0): served from memory, the two cost a fraction of consistent lists,
// which a server whose etcd cannot report progress reads from etcd. Two
// answers may be of two moments, though: when they disagree, the names
// are listed again at exactly the table's resource version. It returns
// nil and no error when even those disagree. opts gives the table's
// resource version; the rows are not shown as progress (the reflector
// files them away at once, and 30,000 rows shown twice are drawn twice).
func (e *listEntry) listNamed(ctx context.Context, opts metav1.ListOptions) (*rowList, error) {
	named := e.namesAt(ctx, "0")
	// Unpaged, as relists are (see startInformer); the cache answers a
	// list at resource version 0 whole anyway.
	list, err := e.lists.pages.listBare(ctx, e.key.GVR, e.key.Namespace, e.narrow(opts))
	if err != nil {
		return nil, err
	}
	if e.nameRows(ctx, list.Items, named) || e.nameRows(ctx, list.Items, e.namesAt(ctx, list.ResourceVersion)) {
		return list, nil
	}
	return nil, ctx.Err()
}

// namesAnswer is what names answered.
type namesAnswer struct {
	names []objectName
	err   error
}

// namesAt lists the listing's names at exactly resource version rv, or
// from the API server's cache for "0", in the background.
func (e *listEntry) namesAt(ctx context.Context, rv string) chan namesAnswer {
	out := make(chan namesAnswer, 1)
	go func() {
		var a namesAnswer
		if e.feed.canPrime() {
			a.names, a.err = e.feed.prime(ctx, rv)
		} else {
			a.names, a.err = e.lists.pages.names(ctx, e.key.GVR, e.narrow(metav1.ListOptions{}), rv)
		}
		out <- a
	}()
	return out
}

// nameRows names bare rows with the answer of namesAt, and reports
// whether it could.
func (e *listEntry) nameRows(ctx context.Context, rows []tableRow, named chan namesAnswer) bool {
	select {
	case a := <-named:
		return a.err == nil && nameRows(rows, a.names)
	case <-ctx.Done():
		return false
	}
}

// relist lists the collection again, unpaged, for the reflector: across
// namespaces bare and named, as listPages does.
func (e *listEntry) relist(ctx context.Context, opts metav1.ListOptions) (*rowList, error) {
	if e.key.Namespace == AllNamespaces {
		list, err := e.listNamed(ctx, opts)
		if err != nil || list != nil {
			return list, err
		}
	}
	return e.lists.pages.list(ctx, e.key.GVR, e.key.Namespace, e.narrow(opts))
}

// narrow gives a request of the listing its selectors: the server
// filters, so a narrowed listing costs what its matches cost.
func (e *listEntry) narrow(opts metav1.ListOptions) metav1.ListOptions {
	opts.LabelSelector, opts.FieldSelector = e.key.Selector.Label, e.key.Selector.Field
	return opts
}

// setColumns makes columns the listing's, for the rows of a first list.
func (e *listEntry) setColumns(columns []Column) {
	if columns == nil {
		return // a page without rows may come without columns
	}
	e.mu.Lock()
	e.takeColumns(columns)
	e.mu.Unlock()
}

// takeColumns makes columns the listing's, unless nil. e.mu must be held.
func (e *listEntry) takeColumns(columns []Column) {
	if columns != nil && !slices.Equal(e.columns, columns) {
		e.columns, e.dirty = columns, true
		e.version = versions.Add(1)
	}
}

// addProgress shows more rows of a first list still under way.
func (e *listEntry) addProgress(items []tableRow) {
	rows := make([]Row, len(items))
	for i := range items {
		rows[i] = Row{Name: items[i].Name, Namespace: items[i].Namespace, Cells: items[i].cells}
	}
	e.mu.Lock()
	e.progress = append(e.progress, rows...)
	e.version = versions.Add(1)
	e.mu.Unlock()
	e.lists.notify(e.key)
}

// setProgress replaces the rows of a first list under way (nil: it ended).
func (e *listEntry) setProgress(rows []Row) {
	e.mu.Lock()
	e.progress = rows
	e.mu.Unlock()
}

func (e *listEntry) isSynced() bool {
	select {
	case <-e.synced:
		return true
	default:
		return false
	}
}

// listOnce lists a non-watchable type in pages and replaces the cached
// rows. Runs never overlap, so an older answer cannot replace a newer one.
func (e *listEntry) listOnce() {
	e.listing.Lock()
	defer e.listing.Unlock()
	list, err := e.listPages(e.ctx)
	if err != nil {
		e.setErr(err)
		return
	}
	rows := make([]Row, len(list.Items))
	for i := range list.Items {
		rows[i] = Row{Name: list.Items[i].Name, Namespace: list.Items[i].Namespace, Cells: list.Items[i].cells}
	}
	sortRows(rows)
	e.mu.Lock()
	e.takeColumns(list.Columns)
	e.setRows(rows)
	e.dirty, e.err = false, nil
	e.mu.Unlock()
	e.markSynced()
}

// sortRows sorts by namespace, then name: by name within one namespace,
// and as kubectl get -A prints them across namespaces.
func sortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func (e *listEntry) markSynced() {
	e.syncedOnce.Do(func() { close(e.synced) })
	e.mu.Lock()
	e.err, e.progress = nil, nil
	e.mu.Unlock()
	e.lists.notify(e.key)
}

// changed notes that a row came, went or changed.
func (e *listEntry) changed() {
	e.mu.Lock()
	e.dirty = true
	e.mu.Unlock()
	e.lists.notify(e.key)
}

// clearErr forgets the last failure and, if there was one, tells
// subscribers so the error goes from the screen.
func (e *listEntry) clearErr() {
	e.mu.Lock()
	had := e.err != nil
	e.err = nil
	e.mu.Unlock()
	if had {
		e.lists.notify(e.key)
	}
}

func (e *listEntry) setErr(err error) {
	if e.ctx.Err() != nil {
		return // stopped: the failure is the stop itself
	}
	// The reflector wraps the API's answer in "failed to list
	// *k8s.tableRow: ..."; the answer itself is what a user can act on.
	var status *apierrors.StatusError
	if errors.As(err, &status) {
		err = status
	}
	e.mu.Lock()
	e.err = err
	e.mu.Unlock()
	e.lists.notify(e.key)
}

func (e *listEntry) snapshot() Listing {
	l := e.rowSnapshot()
	if e.feed != nil {
		l = e.feed.join(l)
	}
	return l
}

// rowSnapshot is the listing's rows as the server's table gives them.
func (e *listEntry) rowSnapshot() Listing {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dirty && e.store != nil {
		e.setRows(e.store.sorted())
	}
	e.dirty = false
	synced := e.isSynced()
	if !synced && len(e.progress) > len(e.rows) {
		// Pages come in key order, which for one namespace or a
		// cluster-scoped type is name order; sort anyway, on a copy.
		rows := slices.Clone(e.progress)
		sortRows(rows)
		return Listing{Names: namesOf(rows), Rows: rows, Columns: e.columns, Err: e.err, Version: e.version}
	}
	return Listing{Names: e.names, Rows: e.rows, Columns: e.columns, Synced: synced, Err: e.err, Version: e.version, Pending: e.pending}
}

// setRows replaces the rows, sorted by name. e.mu must be held.
func (e *listEntry) setRows(rows []Row) {
	e.rows, e.names = rows, namesOf(rows)
	e.version = versions.Add(1)
}

func namesOf(rows []Row) []string {
	names := make([]string, len(rows))
	for i := range rows {
		names[i] = rows[i].Name
	}
	return names
}
