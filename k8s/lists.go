package k8s

import (
	"context"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
)

// ListKey names one listing: a type in one namespace, or cluster-wide when
// Namespace is "".
type ListKey struct {
	GVR       schema.GroupVersionResource
	Namespace string
	// Selector narrows the listing on the server; zero for all objects.
	Selector Selector
}

// Selector is a label and a field selector, as kubectl get's -l and
// --field-selector take them; either may be "".
type Selector struct {
	Label, Field string
}

// IsZero reports whether the selector selects everything.
func (s Selector) IsZero() bool { return s == Selector{} }

// String is the selector as kubectl's flags say it:
// "-l app=web --field-selector status.phase!=Running".
func (s Selector) String() string {
	var parts []string
	if s.Label != "" {
		parts = append(parts, "-l "+s.Label)
	}
	if s.Field != "" {
		parts = append(parts, "--field-selector "+s.Field)
	}
	return strings.Join(parts, " ")
}

// Listing is a snapshot of one listing: its objects' names and the rows
// `kubectl get` prints for them.
type Listing struct {
	Names   []string // sorted; do not modify
	Rows    []Row    // Rows[i] is the row of Names[i]; do not modify
	Columns []Column // the server's columns for the type; nil until a page arrived
	Synced  bool     // the first complete list has arrived
	Err     error    // the last list or watch failure, nil once one succeeds
	// Version changes whenever Rows do, so that what is computed from a
	// listing can be kept until it changes.
	Version uint64
	// Metrics is how the metrics columns of a pods or nodes listing
	// stand (see Options.MetricsInterval); zero for other listings.
	Metrics Metrics
	// Pending counts the rows whose columns are still being filled in
	// the background: Helm releases whose chart is being decoded. 0
	// for every other listing.
	Pending int
}

// Lists keeps one cache of table rows per listing, started the first time
// the listing is asked for. Watchable types are fed by an informer; the others
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

	// usage, when set, gives pods and nodes listings their metrics
	// columns.
	usage *usageSource
	// helm decodes Helm releases for the helm listings' CHART columns.
	helm *helmDecoder
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
	return l.HoldOf(t, ns, Selector{})
}

// HoldOf is Hold for the listing narrowed by sel.
func (l *Lists) HoldOf(t Type, ns string, sel Selector) (release func()) {
	e, _ := l.entryFresh(t, ns, sel, true)
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
// loses a name, a row's cells change, it finishes its first list, or it
// fails. It returns a function
// that removes the subscription.
func (l *Lists) Subscribe(fn func(ListKey)) (unsubscribe func()) { return l.subs.add(fn) }

func (l *Lists) notify(key ListKey) { l.subs.notify(key) }

// Names returns what the listing of t in namespace ns holds now, starting
// its cache if this is the first time it is needed. It never blocks on the
// network.
func (l *Lists) Names(t Type, ns string) Listing {
	return l.NamesOf(t, ns, Selector{})
}

// NamesOf is Names for the listing narrowed by sel.
func (l *Lists) NamesOf(t Type, ns string, sel Selector) Listing {
	return l.entryOf(t, ns, sel).snapshot()
}

// Peek returns what the listing of t in ns holds now if it runs, without
// starting it or counting as a use: counts shown beside a type cost no
// listing of their own.
func (l *Lists) Peek(t Type, ns string) (Listing, bool) {
	return l.PeekOf(t, ns, Selector{})
}

// PeekOf is Peek for the listing narrowed by sel.
func (l *Lists) PeekOf(t Type, ns string, sel Selector) (Listing, bool) {
	if !t.Namespaced {
		ns = ""
	}
	l.mu.Lock()
	e := l.entries[ListKey{GVR: t.GVR, Namespace: ns, Selector: sel}]
	l.mu.Unlock()
	if e == nil {
		return Listing{}, false
	}
	return e.snapshot(), true
}

// WaitSynced blocks until the listing of t in ns has completed its first
// list, fails, or ctx ends. It returns the listing's error, if any. A
// failure that a retry has already cleared is no answer: it waits on.
func (l *Lists) WaitSynced(ctx context.Context, t Type, ns string) error {
	return l.WaitSyncedOf(ctx, t, ns, Selector{})
}

// WaitSyncedOf is WaitSynced for the listing narrowed by sel.
func (l *Lists) WaitSyncedOf(ctx context.Context, t Type, ns string, sel Selector) error {
	e := l.entryOf(t, ns, sel)
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
	l.RefreshOf(t, ns, Selector{})
}

// RefreshOf is Refresh for the listing narrowed by sel.
func (l *Lists) RefreshOf(t Type, ns string, sel Selector) {
	if e, fresh := l.entryFresh(t, ns, sel, false); e.store == nil && e.helm == nil && !fresh {
		go e.listOnce()
	}
}

// FollowUpdates starts the listing of t in ns like Names and makes it tell
// subscribers about updates to its objects too, not only additions and
// removals. The catalog uses it to see a CRD become Established. It holds
// the listing, as Hold does, until release.
func (l *Lists) FollowUpdates(t Type, ns string) (release func()) {
	release = l.Hold(t, ns)
	l.entry(t, ns).followUpdates.Store(true)
	return release
}

// Stop ends every cache. Names still answers afterwards, from what was
// cached, but nothing updates any more.
func (l *Lists) Stop() { l.cancel() }

func (l *Lists) entry(t Type, ns string) *listEntry {
	return l.entryOf(t, ns, Selector{})
}

func (l *Lists) entryOf(t Type, ns string, sel Selector) *listEntry {
	e, _ := l.entryFresh(t, ns, sel, false)
	return e
}

// entryFresh returns the listing of t in ns, starting it if needed (fresh),
// and if hold counts a hold on it in the same step, so the reaper cannot
// stop it in between.
func (l *Lists) entryFresh(t Type, ns string, sel Selector, hold bool) (e *listEntry, fresh bool) {
	if !t.Namespaced {
		ns = ""
	}
	key := ListKey{GVR: t.GVR, Namespace: ns, Selector: sel}
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
	// The feed first: the listing's first list may prime it.
	if l.usage != nil && t.GVR.Group == "" && (t.GVR.Resource == "pods" || t.GVR.Resource == "nodes") {
		e.feed = newMetricsFeed(e, l.usage, t.GVR.Resource == "nodes")
	}
	switch {
	case t.IsHelm():
		e.startHelm()
	case t.Watchable:
		e.startInformer()
	default:
		go e.listOnce()
	}
	return e, true
}

// Names returns the listing of t in ns from its cache; see Lists.Names.
// Safe from any goroutine.
func (c *Conn) Names(t Type, ns string) Listing { return c.lists.Names(t, ns) }

// Peek returns the listing of t in ns if it runs; see Lists.Peek. Safe
// from any goroutine.
func (c *Conn) Peek(t Type, ns string) (Listing, bool) { return c.lists.Peek(t, ns) }

// WaitSynced waits for the listing of t in ns; see Lists.WaitSynced. Safe
// from any goroutine.
func (c *Conn) WaitSynced(ctx context.Context, t Type, ns string) error {
	return c.lists.WaitSynced(ctx, t, ns)
}

// Refresh lists a non-watchable type again; see Lists.Refresh. Safe from
// any goroutine.
func (c *Conn) Refresh(t Type, ns string) { c.lists.Refresh(t, ns) }

// NamesOf, PeekOf, HoldOf, WaitSyncedOf and RefreshOf are Names, Peek,
// Hold, WaitSynced and Refresh for a listing narrowed by a selector on
// the server. Safe from any goroutine.
func (c *Conn) NamesOf(t Type, ns string, sel Selector) Listing { return c.lists.NamesOf(t, ns, sel) }

// PeekOf: see NamesOf.
func (c *Conn) PeekOf(t Type, ns string, sel Selector) (Listing, bool) {
	return c.lists.PeekOf(t, ns, sel)
}

// HoldOf: see NamesOf.
func (c *Conn) HoldOf(t Type, ns string, sel Selector) (release func()) {
	return c.lists.HoldOf(t, ns, sel)
}

// WaitSyncedOf: see NamesOf.
func (c *Conn) WaitSyncedOf(ctx context.Context, t Type, ns string, sel Selector) error {
	return c.lists.WaitSyncedOf(ctx, t, ns, sel)
}

// RefreshOf: see NamesOf.
func (c *Conn) RefreshOf(t Type, ns string, sel Selector) { c.lists.RefreshOf(t, ns, sel) }
