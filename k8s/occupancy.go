package k8s

import (
	"context"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Occupancy says whether a listing holds any object.
type Occupancy int

// Occupancies.
const (
	// OccupancyUnknown: not known yet; a check is under way.
	OccupancyUnknown Occupancy = iota
	// OccupancyEmpty: the listing holds no object.
	OccupancyEmpty
	// OccupancyNonEmpty: the listing holds at least one object.
	OccupancyNonEmpty
	// OccupancyForbidden: the user may not list it.
	OccupancyForbidden
	// OccupancyFailed: the check failed for another reason.
	OccupancyFailed
)

// probeConcurrency bounds the checks in flight at once, so opening a
// namespace on a server with hundreds of types does not queue hundreds of
// requests ahead of the user's own.
const probeConcurrency = 8

// probeSet remembers, per listing, whether a one-item list found anything.
type probeSet struct {
	lists *Lists
	sem   chan struct{}

	mu      sync.Mutex
	results map[ListKey]Occupancy
	gen     map[string]int // per namespace, bumped by Forget
}

func (p *probeSet) init(l *Lists) {
	p.lists = l
	p.sem = make(chan struct{}, probeConcurrency)
	p.results = map[ListKey]Occupancy{}
	p.gen = map[string]int{}
}

// Occupancy tells whether the listing of t in ns holds any object, without
// waiting on the network. A listing whose cache runs and has synced
// answers from it, and so stays current. Otherwise the answer comes from a
// list with limit=1 (a few hundred bytes however big the collection), made
// once and remembered until ForgetOccupancy; until it returns, the answer
// is OccupancyUnknown and subscribers hear the key when it is known.
func (l *Lists) Occupancy(t Type, ns string) Occupancy {
	key, occ, ok := l.cachedOccupancy(t, ns)
	if ok {
		return occ
	}
	return l.probes.get(key)
}

// cachedOccupancy returns the key of t's listing in ns and what its
// cache says, if it runs, has synced and is healthy.
func (l *Lists) cachedOccupancy(t Type, ns string) (ListKey, Occupancy, bool) {
	if !t.Namespaced {
		ns = ""
	}
	key := ListKey{GVR: t.GVR, Namespace: ns}
	l.mu.Lock()
	e := l.entries[key]
	l.mu.Unlock()
	if e == nil {
		return key, OccupancyUnknown, false
	}
	occ, ok := e.occupancy()
	return key, occ, ok
}

// KnownOccupancy is Occupancy without asking: what a synced cache or an
// earlier check says, else OccupancyUnknown, and no check is started.
func (l *Lists) KnownOccupancy(t Type, ns string) Occupancy {
	key, occ, ok := l.cachedOccupancy(t, ns)
	if ok {
		return occ
	}
	p := &l.probes
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.results[key]
}

// noteOccupancy remembers what a complete list of t in ns found, as a
// check would have, unless a check is under way or done.
func (l *Lists) noteOccupancy(t Type, ns string, occ Occupancy) {
	if !t.Namespaced {
		ns = ""
	}
	key := ListKey{GVR: t.GVR, Namespace: ns}
	p := &l.probes
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.results[key]; !ok {
		p.results[key] = occ
	}
}

// ForgetOccupancy drops what the one-item lists found in namespace ns (""
// for cluster-scoped types), so the next Occupancy asks again.
func (l *Lists) ForgetOccupancy(ns string) {
	p := &l.probes
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gen[ns]++
	for key := range p.results {
		if key.Namespace == ns {
			delete(p.results, key)
		}
	}
}

// occupancy answers from a synced, healthy cache.
func (e *listEntry) occupancy() (Occupancy, bool) {
	select {
	case <-e.synced:
	default:
		return OccupancyUnknown, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return OccupancyUnknown, false
	}
	n := len(e.names)
	if e.store != nil {
		n = e.store.len()
	}
	if n > 0 {
		return OccupancyNonEmpty, true
	}
	return OccupancyEmpty, true
}

func (p *probeSet) get(key ListKey) Occupancy {
	p.mu.Lock()
	if occ, ok := p.results[key]; ok {
		p.mu.Unlock()
		return occ
	}
	p.results[key] = OccupancyUnknown
	gen := p.gen[key.Namespace]
	p.mu.Unlock()
	go p.probe(key, gen)
	return OccupancyUnknown
}

// forget drops what a check found for key.
func (p *probeSet) forget(key ListKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.results, key)
}

// probeTimeout bounds one check: the listings' client has no overall
// timeout (watches must not have one), and a hung check would hold one of
// the few slots.
const probeTimeout = 10 * time.Second

func (p *probeSet) probe(key ListKey, gen int) {
	l := p.lists
	select {
	case p.sem <- struct{}{}:
	case <-l.ctx.Done():
		return
	}
	defer func() { <-p.sem }()
	p.mu.Lock()
	stale := p.gen[key.Namespace] != gen
	p.mu.Unlock()
	if stale {
		return // forgotten while it queued: a newer check is on its way
	}
	ctx, cancel := context.WithTimeout(l.ctx, probeTimeout)
	defer cancel()
	occ := OccupancyEmpty
	var list *metav1.PartialObjectMetadataList
	var err error
	if key.GVR == HelmGVR {
		occ = l.helmProbe(ctx, key.Namespace)
	} else {
		list, err = l.md.Resource(key.GVR).Namespace(key.Namespace).List(ctx, metav1.ListOptions{Limit: 1})
	}
	switch {
	case key.GVR == HelmGVR:
	case apierrors.IsForbidden(err):
		occ = OccupancyForbidden
	case err != nil:
		occ = OccupancyFailed
	case len(list.Items) > 0 || list.Continue != "":
		// A page may come back short of its limit with more to follow;
		// only an empty last page proves the listing empty.
		occ = OccupancyNonEmpty
	}
	p.mu.Lock()
	current := p.gen[key.Namespace] == gen
	if current {
		p.results[key] = occ
	}
	p.mu.Unlock()
	if current {
		l.notify(key)
	}
}

// Occupancy tells whether the listing of t in ns holds any object; see
// Lists.Occupancy. Safe from any goroutine.
func (c *Conn) Occupancy(t Type, ns string) Occupancy { return c.lists.Occupancy(t, ns) }

// KnownOccupancy tells what is known of the listing of t in ns without
// asking; see Lists.KnownOccupancy. Safe from any goroutine.
func (c *Conn) KnownOccupancy(t Type, ns string) Occupancy { return c.lists.KnownOccupancy(t, ns) }

// ForgetOccupancy drops remembered checks of namespace ns; see
// Lists.ForgetOccupancy. Safe from any goroutine.
func (c *Conn) ForgetOccupancy(ns string) { c.lists.ForgetOccupancy(ns) }

// Hold keeps the listing of t in ns running until release; see Lists.Hold.
// Safe from any goroutine.
func (c *Conn) Hold(t Type, ns string) (release func()) { return c.lists.Hold(t, ns) }

// Count returns how many objects the listing of t in ns holds, from a
// one-item list and the count of those remaining that the server gives
// with it; where it gives none, by walking the collection's metadata in
// pages. For headless listings, which run no cache. Safe from any
// goroutine.
func (c *Conn) Count(ctx context.Context, t Type, ns string) (int, error) {
	if !t.Namespaced {
		ns = ""
	}
	if t.IsHelm() {
		return c.lists.helmCount(ctx, ns)
	}
	client := c.lists.md.Resource(t.GVR).Namespace(ns)
	opts := metav1.ListOptions{Limit: 1}
	n := 0
	for {
		list, err := client.List(ctx, opts)
		if err != nil {
			return 0, err
		}
		n += len(list.Items)
		switch {
		case list.Continue == "":
			return n, nil
		case list.RemainingItemCount != nil:
			return n + int(*list.RemainingItemCount), nil
		}
		if err := sameContinue(opts.Continue, list.Continue); err != nil {
			return 0, err
		}
		opts = metav1.ListOptions{Limit: nextPages, Continue: list.Continue}
	}
}
