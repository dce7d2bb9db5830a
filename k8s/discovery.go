package k8s

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// discover reads the server's whole type catalog. Against a server with
// aggregated discovery (apidiscovery.k8s.io/v2) that is two requests, /api
// and /apis; otherwise client-go falls back to one request per
// group-version. A failed group-version leaves the rest usable and is
// recorded in Catalog.Failed; a failure of /api or /apis is an error.
func discover(dc discovery.DiscoveryInterface) (*Catalog, error) {
	groups, lists, err := discovery.ServerGroupsAndResources(dc)
	var failed []GroupVersionError
	if err != nil {
		byGV, partial := discovery.GroupDiscoveryFailedErrorGroups(err)
		if !partial {
			return nil, err
		}
		for gv, gerr := range byGV {
			failed = append(failed, GroupVersionError{GroupVersion: gv, Err: gerr})
		}
		sort.Slice(failed, func(i, j int) bool { return failed[i].GroupVersion.String() < failed[j].GroupVersion.String() })
	}
	if len(groups) == 0 {
		return nil, errors.New("the server reported no API groups")
	}
	cat := NewCatalog(groups, lists)
	cat.Failed = failed
	return cat, nil
}

// Catalog returns the latest discovered catalog.
//
// Safe from any goroutine.
func (c *Conn) Catalog() *Catalog { return c.catalog.Load() }

// SubscribeCatalog registers fn to receive every new catalog after a
// rediscovery. It returns a function that removes the subscription.
//
// Safe from any goroutine; fn runs on a background goroutine.
func (c *Conn) SubscribeCatalog(fn func(*Catalog)) (unsubscribe func()) {
	return c.catSubs.add(fn)
}

// Rediscover reads the catalog again now and tells subscribers. On failure
// the previous catalog stays.
//
// Safe from any goroutine; it blocks for the discovery requests.
func (c *Conn) Rediscover() error {
	cat, err := discover(c.discovery)
	if err != nil {
		return err
	}
	c.catalog.Store(cat)
	c.catSubs.notify(cat)
	return nil
}

// Types whose objects add or remove served types: a new CRD or aggregated
// APIService changes what discovery returns.
var catalogSources = []schema.GroupResource{
	{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"},
	{Group: "apiregistration.k8s.io", Resource: "apiservices"},
}

const (
	rediscoverDelay    = 300 * time.Millisecond
	rediscoverRetryMin = 2 * time.Second
	rediscoverRetryMax = time.Minute
)

// FollowCatalog keeps the catalog current without polling until stop is
// called or the connection closes: it watches CRDs and APIServices through
// the same listings the tree uses and rediscovers shortly after either
// changes (a CRD is served a moment after it is created, when it becomes
// Established, which is itself a change). Failed group-versions are
// retried with backoff. The UI calls it while it shows the connection's
// cluster; one-shot commands have no use for it. After stop, the two
// listings are released and stop after the idle timeout like any other;
// following again starts them again, and rediscovers if the catalog
// changed meanwhile.
//
// Safe from any goroutine; call stop before following again.
func (c *Conn) FollowCatalog() (stop func()) {
	ctx, cancel := context.WithCancel(c.ctx)
	kick := make(chan struct{}, 1)
	trigger := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	cat := c.Catalog()
	watched := map[ListKey]Type{}
	var releases []func()
	for _, gr := range catalogSources {
		for _, t := range append(cat.ClusterScoped(), cat.Namespaced()...) {
			if t.GVR.GroupResource() == gr && t.Watchable {
				watched[ListKey{GVR: t.GVR}] = t
				releases = append(releases, c.lists.FollowUpdates(t, ""))
			}
		}
	}
	var mu sync.Mutex
	synced := map[ListKey]bool{}
	unsub := c.lists.Subscribe(func(k ListKey) {
		t, ok := watched[k]
		if !ok {
			return
		}
		// A listing that fails (a user who may not list CRDs) notifies on
		// every retry of its reflector, and one under way on every page;
		// only changes call for discovery.
		n := c.lists.Names(t, "")
		if n.Err != nil || !n.Synced {
			return
		}
		mu.Lock()
		first := !synced[k]
		synced[k] = true
		mu.Unlock()
		// The first complete list is what discovery at connect saw,
		// unless something came in between: rediscovering anyway would
		// cost every start-up two requests and a catalog rebuild, just
		// while the user opens the first directories.
		if first && c.Catalog().Explains(t.GVR.GroupResource(), n.Names) {
			return
		}
		trigger()
	})
	go func() {
		defer func() {
			unsub()
			for _, release := range releases {
				release()
			}
		}()
		retry := rediscoverRetryMin
		var timer *time.Timer
		var timerC <-chan time.Time
		if len(cat.Failed) > 0 {
			timer = time.NewTimer(retry)
			timerC = timer.C
		}
		for {
			select {
			case <-ctx.Done():
				if timer != nil {
					timer.Stop()
				}
				return
			case <-kick:
				// Let a burst of changes (kubectl apply of many CRDs) settle.
				select {
				case <-time.After(rediscoverDelay):
				case <-ctx.Done():
					return
				}
			case <-timerC:
			}
			err := c.Rediscover()
			if err == nil && len(c.Catalog().Failed) == 0 {
				retry = rediscoverRetryMin
				timerC = nil
				continue
			}
			if timer == nil {
				timer = time.NewTimer(retry)
			} else {
				timer.Reset(retry)
			}
			timerC = timer.C
			retry = min(retry*2, rediscoverRetryMax)
		}
	}()
	return cancel
}
