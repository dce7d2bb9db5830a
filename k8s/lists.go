package k8s

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
)

// ListKey names one listing: a type in one namespace, or cluster-wide when
// Namespace is "".
type ListKey struct {
	GVR       schema.GroupVersionResource
	Namespace string
}

// Listing is a snapshot of one listing's names.
type Listing struct {
	Names  []string // sorted; do not modify
	Synced bool     // the first complete list has arrived
	Err    error    // the last list or watch failure, nil once one succeeds
}

// Lists keeps one metadata-only cache per listing, started the first time the
// listing is asked for. Watchable types are fed by an informer; the others
// are listed once and again on Refresh.
//
// A listing nobody holds (see Hold) and nobody asked for during the idle
// timeout is stopped, its watch closed and its cache dropped; asking for it
// again starts it anew. That keeps memory and open watches bounded by what
// the user has open, not by everything visited in a long session.
//
// Concurrency: all methods are safe from any goroutine. Subscribers are
// called from informer goroutines and must not block.
type Lists struct {
	md     metadata.Interface // watches and probes
	pages  *pager             // lists
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	entries map[ListKey]*listEntry
	idle    time.Duration // 0: listings are never stopped
	reaping bool          // the idle reaper runs
	started int           // listings started so far, restarts included

	probes probeSet
	subs   subscribers[ListKey]
}

// newLists returns an empty set of listings that lists through pages and
// watches through md.
func newLists(md metadata.Interface, pages *pager) *Lists {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Lists{md: md, pages: pages, ctx: ctx, cancel: cancel, entries: map[ListKey]*listEntry{}}
	l.probes.init(l)
	return l
}

// SetIdleTimeout makes listings that nobody holds stop once they have not
// been asked for during d; 0 (the default) keeps them all running.
func (l *Lists) SetIdleTimeout(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.idle = d
	if d > 0 && !l.reaping {
		l.reaping = true
		go l.reap()
	}
}

// reap stops idle listings until the Lists stop. Checking a few times per
// timeout is precise enough and costs no request.
func (l *Lists) reap() {
	for {
		l.mu.Lock()
		d := l.idle
		l.mu.Unlock()
		tick := max(d/4, 10*time.Millisecond)
		if d == 0 {
			tick = time.Second // turned off: only look now and then whether it is back on
		}
		select {
		case <-l.ctx.Done():
			return
		case <-time.After(tick):
		}
		now := time.Now()
		l.mu.Lock()
		for key, e := range l.entries {
			if l.idle > 0 && e.holds == 0 && now.Sub(e.lastUsed) >= l.idle {
				delete(l.entries, key)
				e.cancel()
				// Its cache answered for occupancy while it ran; an older
				// check must not answer again now.
				l.probes.forget(key)
			}
		}
		l.mu.Unlock()
	}
}

// Hold keeps the listing of t in ns running, starting it if needed, until
// release is called: the tree holds the directories it shows expanded, a
// log follower the pods of its namespace. release may be called more than
// once.
func (l *Lists) Hold(t Type, ns string) (release func()) {
	e, _ := l.entryFresh(t, ns, true)
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			e.holds--
			e.lastUsed = time.Now()
			l.mu.Unlock()
		})
	}
}

// Running returns the number of listings running now and how many were
// started in all, restarts included.
func (l *Lists) Running() (running, started int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries), l.started
}

// Subscribe registers fn to be told whenever a started listing gains or
// loses a name, finishes its first list, or fails. It returns a function
// that removes the subscription.
func (l *Lists) Subscribe(fn func(ListKey)) (unsubscribe func()) { return l.subs.add(fn) }

func (l *Lists) notify(key ListKey) { l.subs.notify(key) }

// Names returns what the listing of t in namespace ns holds now, starting
// its cache if this is the first time it is needed. It never blocks on the
// network.
func (l *Lists) Names(t Type, ns string) Listing {
	return l.entry(t, ns).snapshot()
}

// WaitSynced blocks until the listing of t in ns has completed its first
// list, fails, or ctx ends. It returns the listing's error, if any. A
// failure that a retry has already cleared is no answer: it waits on.
func (l *Lists) WaitSynced(ctx context.Context, t Type, ns string) error {
	e := l.entry(t, ns)
	changed := make(chan struct{}, 1)
	defer l.subs.add(func(k ListKey) {
		if k == e.key {
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	})()
	for {
		// A listing that synced once counts as synced even if a later
		// watch failed, so look at synced on its own first.
		if e.isSynced() {
			return nil
		}
		if err := e.snapshot().Err; err != nil {
			return err
		}
		select {
		case <-e.synced:
			return nil
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// has reports whether the listing of t in ns holds name; known is false
// until the listing has synced, while it fails, and for types without
// watch.
func (l *Lists) has(t Type, ns, name string) (present, known bool) {
	e := l.entry(t, ns)
	if e.store == nil || !e.isSynced() {
		return false, false
	}
	e.mu.Lock()
	failing := e.err != nil
	e.mu.Unlock()
	if failing {
		return false, false
	}
	key := name
	if t.Namespaced {
		key = ns + "/" + name
	}
	return e.store.has(key), true
}

// Refresh lists a non-watchable type again. Watchable listings follow the
// cluster by themselves, so for them it does nothing.
func (l *Lists) Refresh(t Type, ns string) {
	if e, fresh := l.entryFresh(t, ns, false); e.store == nil && !fresh {
		go e.listOnce()
	}
}

// FollowUpdates starts the listing of t in ns like Names and makes it tell
// subscribers about updates to its objects too, not only additions and
// removals. The catalog uses it to see a CRD become Established.
// It holds the listing for as long as the Lists run.
func (l *Lists) FollowUpdates(t Type, ns string) {
	e, _ := l.entryFresh(t, ns, true)
	e.followUpdates.Store(true)
}

// Stop ends every cache. Names still answers afterwards, from what was
// cached, but nothing updates any more.
func (l *Lists) Stop() { l.cancel() }

func (l *Lists) entry(t Type, ns string) *listEntry {
	e, _ := l.entryFresh(t, ns, false)
	return e
}

// entryFresh returns the listing of t in ns, starting it if needed (fresh),
// and if hold counts a hold on it in the same step, so the reaper cannot
// stop it in between.
func (l *Lists) entryFresh(t Type, ns string, hold bool) (e *listEntry, fresh bool) {
	if !t.Namespaced {
		ns = ""
	}
	key := ListKey{GVR: t.GVR, Namespace: ns}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[key]; ok {
		e.lastUsed = time.Now()
		if hold {
			e.holds++
		}
		return e, false
	}
	ctx, cancel := context.WithCancel(l.ctx)
	e = &listEntry{lists: l, key: key, ctx: ctx, cancel: cancel, lastUsed: time.Now(),
		synced: make(chan struct{}), dirty: true}
	if hold {
		e.holds++
	}
	l.entries[key] = e
	l.started++
	if t.Watchable {
		e.startInformer()
	} else {
		go e.listOnce()
	}
	return e, true
}

type listEntry struct {
	lists  *Lists
	key    ListKey
	ctx    context.Context // ends when the listing is stopped
	cancel context.CancelFunc
	store  *nameStore    // nil for non-watchable types
	synced chan struct{} // closed after the first complete list

	followUpdates atomic.Bool
	listing       sync.Mutex // held by listOnce

	// Guarded by lists.mu.
	holds    int
	lastUsed time.Time

	mu         sync.Mutex
	err        error
	names      []string // sorted cache of the store's names
	progress   []string // names of a first list still arriving page by page
	dirty      bool     // names must be rebuilt from the store
	syncedOnce sync.Once
}

func (e *listEntry) startInformer() {
	client := e.lists.md.Resource(e.key.GVR).Namespace(e.key.Namespace)
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
				var list runtime.Object
				var err error
				if e.isSynced() {
					// A relist: the reflector asks from its resource
					// version, which the watch cache serves, so a
					// restarted API server is not answered from etcd by
					// every listing at once. Unpaged: paging these (from
					// that resource version) left listings stuck after an
					// API server restart (TestE2EAPIServerOutageAndRecovery).
					list, err = e.lists.pages.list(ctx, e.key.GVR, e.key.Namespace, opts)
				} else {
					list, err = e.listPages(ctx)
				}
				report(err)
				return list, err
			},
			WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
				w, err := client.Watch(ctx, opts)
				report(err)
				return w, err
			},
		},
	}
	// client-go's reflector lists, watches, resumes and backs off; its
	// store here is a set of names. A listing needs nothing else, so no
	// object is kept, and tens of thousands of cached entries stay small.
	e.store = &nameStore{e: e, keys: map[string]struct{}{}}
	r := cache.NewReflectorWithOptions(lw, &metav1.PartialObjectMetadata{}, e.store, cache.ReflectorOptions{
		Name: e.key.GVR.String() + " in " + e.key.Namespace,
	})
	go r.RunWithContext(e.ctx)
}

// nameStore is a listing's reflector store: the keys (namespace/name) of
// the objects listed and watched, nothing more. It tells the listing when
// a name comes or goes, and when the first complete list arrived.
//
// Concurrency: its methods are safe from any goroutine.
type nameStore struct {
	e    *listEntry
	mu   sync.Mutex
	keys map[string]struct{}
}

func (s *nameStore) put(obj any, update bool) error {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	_, had := s.keys[key]
	s.keys[key] = struct{}{}
	s.mu.Unlock()
	switch {
	case !had:
		s.e.changed()
	case update && s.e.followUpdates.Load():
		// Updates never change a name; only listings that asked hear
		// of them, so busy objects (pods rewrite their status often) do
		// not redraw the tree.
		s.e.lists.notify(s.e.key)
	}
	return nil
}

// Add implements cache.ReflectorStore.
func (s *nameStore) Add(obj any) error { return s.put(obj, false) }

// Update implements cache.ReflectorStore.
func (s *nameStore) Update(obj any) error { return s.put(obj, true) }

// Delete implements cache.ReflectorStore.
func (s *nameStore) Delete(obj any) error {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	_, had := s.keys[key]
	delete(s.keys, key)
	s.mu.Unlock()
	if had {
		s.e.changed()
	}
	return nil
}

// Replace implements cache.ReflectorStore: a complete list arrived.
func (s *nameStore) Replace(list []any, _ string) error {
	keys := make(map[string]struct{}, len(list))
	for _, obj := range list {
		key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
		if err != nil {
			return err
		}
		keys[key] = struct{}{}
	}
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
	s.e.mu.Lock()
	s.e.dirty = true
	s.e.mu.Unlock()
	s.e.markSynced()
	return nil
}

// Resync implements cache.ReflectorStore; there is nothing to resync.
func (s *nameStore) Resync() error { return nil }

// names returns the stored names, unsorted.
func (s *nameStore) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.keys))
	for k := range s.keys {
		// Keys are "namespace/name", or "name" cluster-wide.
		out = append(out, k[strings.IndexByte(k, '/')+1:])
	}
	return out
}

func (s *nameStore) has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.keys[key]
	return ok
}

func (s *nameStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

// changed notes that a name came or went.
func (e *listEntry) changed() {
	e.mu.Lock()
	e.dirty = true
	e.mu.Unlock()
	e.lists.notify(e.key)
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
// Until the listing's first complete list, each page's names are shown at
// once (Names returns them, Loading). The pager reads no more of each
// object than its names, so a big collection is never decoded whole.
func (e *listEntry) listPages(ctx context.Context) (runtime.Object, error) {
	opts := metav1.ListOptions{Limit: firstPage}
	all := &metav1.PartialObjectMetadataList{}
	first := !e.isSynced()
	for {
		page, err := e.lists.pages.list(ctx, e.key.GVR, e.key.Namespace, opts)
		if err != nil {
			e.setProgress(nil)
			return nil, err
		}
		all.TypeMeta, all.ListMeta = page.TypeMeta, page.ListMeta
		all.Items = append(all.Items, page.Items...)
		if first {
			// The last page too: the names show as soon as they are
			// here, while the reflector still files the objects away.
			names := make([]string, len(page.Items))
			for i := range page.Items {
				names[i] = page.Items[i].Name
			}
			e.addProgress(names)
		}
		if page.Continue == "" {
			return all, nil
		}
		// The continue token holds the first page's resource version.
		opts = metav1.ListOptions{Continue: page.Continue, Limit: nextPages}
	}
}

// addProgress shows more names of a first list still under way.
func (e *listEntry) addProgress(names []string) {
	e.mu.Lock()
	e.progress = append(e.progress, names...)
	e.mu.Unlock()
	e.lists.notify(e.key)
}

// setProgress replaces the names of a first list under way (nil: it ended).
func (e *listEntry) setProgress(names []string) {
	e.mu.Lock()
	e.progress = names
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
// names. Runs never overlap, so an older answer cannot replace a newer one.
func (e *listEntry) listOnce() {
	e.listing.Lock()
	defer e.listing.Unlock()
	list, err := e.listPages(e.ctx)
	if err != nil {
		e.setErr(err)
		return
	}
	items := list.(*metav1.PartialObjectMetadataList).Items
	names := make([]string, len(items))
	for i, item := range items {
		names[i] = item.Name
	}
	sort.Strings(names)
	e.mu.Lock()
	e.names, e.dirty, e.err = names, false, nil
	e.mu.Unlock()
	e.markSynced()
}

func (e *listEntry) markSynced() {
	e.syncedOnce.Do(func() { close(e.synced) })
	e.mu.Lock()
	e.err, e.progress = nil, nil
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
	// *v1.PartialObjectMetadata: ..."; the answer itself is what a user
	// can act on.
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
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dirty && e.store != nil {
		names := e.store.names()
		sort.Strings(names)
		e.names, e.dirty = names, false
	}
	synced := false
	select {
	case <-e.synced:
		synced = true
	default:
	}
	if !synced && len(e.progress) > len(e.names) {
		// Pages come in key order, which for one namespace or a
		// cluster-scoped type is name order; sort anyway, on a copy.
		names := slices.Clone(e.progress)
		sort.Strings(names)
		return Listing{Names: names, Synced: false, Err: e.err}
	}
	return Listing{Names: e.names, Synced: synced, Err: e.err}
}

// Names returns the listing of t in ns from its cache; see Lists.Names.
// Safe from any goroutine.
func (c *Conn) Names(t Type, ns string) Listing { return c.lists.Names(t, ns) }

// WaitSynced waits for the listing of t in ns; see Lists.WaitSynced. Safe
// from any goroutine.
func (c *Conn) WaitSynced(ctx context.Context, t Type, ns string) error {
	return c.lists.WaitSynced(ctx, t, ns)
}

// Refresh lists a non-watchable type again; see Lists.Refresh. Safe from
// any goroutine.
func (c *Conn) Refresh(t Type, ns string) { c.lists.Refresh(t, ns) }
