package k8s

import (
	"context"
	"errors"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// startHelm starts e's reflectors over the metadata of Helm's Secrets and
// ConfigMaps.
func (e *listEntry) startHelm() {
	s := &helmState{e: e, records: map[helmKey]HelmRecord{}, charts: map[helmKey]helmChart{}, asked: map[helmKey]string{}}
	e.helm = s
	e.mu.Lock()
	e.columns = helmColumns
	e.mu.Unlock()
	ns := e.key.Namespace
	if ns == AllNamespaces {
		ns = ""
	}
	for side, gvr := range []schema.GroupVersionResource{secretsGVR, configMapsGVR} {
		res := e.lists.md.Resource(gvr).Namespace(ns)
		narrow := func(opts metav1.ListOptions) metav1.ListOptions {
			opts.LabelSelector = HelmSelector
			return opts
		}
		lw := &pagedListWatch{ListWatch: cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
				l, err := res.List(ctx, narrow(opts))
				s.report(side, err)
				if err != nil {
					return nil, err
				}
				return l, nil
			},
			WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
				w, err := res.Watch(ctx, narrow(opts))
				s.report(side, err)
				return w, err
			},
		}}
		store := &helmSide{s: s, configMap: side == 1}
		r := cache.NewReflectorWithOptions(lw, &metav1.PartialObjectMetadata{}, store, cache.ReflectorOptions{
			Name: "helm " + gvr.Resource + " in " + e.key.Namespace,
		})
		go r.RunWithContext(e.ctx)
	}
}

// report records how side's last list or watch went, and tells the
// listing the error the two sides make together.
func (s *helmState) report(side int, err error) {
	var status *apierrors.StatusError
	if errors.As(err, &status) {
		err = status
	}
	s.mu.Lock()
	s.errs[side] = err
	combined := s.errLocked()
	synced := s.syncedLocked()
	s.mu.Unlock()
	if combined != nil {
		s.e.setErr(combined)
	} else {
		s.e.clearErr()
	}
	if synced && !s.e.isSynced() {
		// The side that failed was all the listing waited for (a user
		// who may list Secrets and not ConfigMaps).
		s.changed()
	}
}

// errLocked is the listing's error: the Secrets', where Helm keeps
// releases by default; a ConfigMap failure only when it is not RBAC (a
// user may read Secrets and not ConfigMaps). s.mu must be held.
func (s *helmState) errLocked() error {
	if s.errs[0] != nil {
		return s.errs[0]
	}
	if s.errs[1] != nil && !apierrors.IsForbidden(s.errs[1]) {
		return s.errs[1]
	}
	return nil
}

// syncedLocked reports whether both sides have listed, or the side that
// has not fails (a forbidden ConfigMap listing must not keep the Secrets'
// releases from showing). s.mu must be held.
func (s *helmState) syncedLocked() bool {
	done := func(i int) bool { return s.listed[i] || s.errs[i] != nil }
	return (s.listed[0] || s.listed[1]) && done(0) && done(1)
}

// helmSide is the reflector store of one side of a helmState.
type helmSide struct {
	s         *helmState
	configMap bool
}

func (h *helmSide) put(obj any) error {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return nil
	}
	r, ok := helmRecordOf(m, h.configMap)
	h.s.mu.Lock()
	if ok {
		h.s.records[r.key()] = r
	} else {
		delete(h.s.records, helmKey{h.configMap, m.Namespace, m.Name})
	}
	h.s.mu.Unlock()
	h.s.changed()
	return nil
}

// Add implements cache.ReflectorStore.
func (h *helmSide) Add(obj any) error { return h.put(obj) }

// Update implements cache.ReflectorStore.
func (h *helmSide) Update(obj any) error { return h.put(obj) }

// Delete implements cache.ReflectorStore.
func (h *helmSide) Delete(obj any) error {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return nil
	}
	h.s.mu.Lock()
	delete(h.s.records, helmKey{h.configMap, m.Namespace, m.Name})
	h.s.mu.Unlock()
	h.s.changed()
	return nil
}

// Replace implements cache.ReflectorStore: a complete list arrived.
func (h *helmSide) Replace(list []any, _ string) error {
	side := 0
	if h.configMap {
		side = 1
	}
	h.s.mu.Lock()
	for k := range h.s.records {
		if k.configMap == h.configMap {
			delete(h.s.records, k)
		}
	}
	for _, obj := range list {
		if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
			if r, ok := helmRecordOf(m, h.configMap); ok {
				h.s.records[r.key()] = r
			}
		}
	}
	h.s.listed[side] = true
	h.s.mu.Unlock()
	h.s.changed()
	return nil
}

// Resync implements cache.ReflectorStore; there is nothing to resync.
func (h *helmSide) Resync() error { return nil }

// decodeChart decodes r's release in the background, at most
// helmDecoders at a time per connection, and fills its row.
func (s *helmState) decodeChart(r HelmRecord) {
	d := s.e.lists.helm
	if d == nil {
		return
	}
	select {
	case d.sem <- struct{}{}:
	case <-s.e.ctx.Done():
		return
	}
	defer func() { <-d.sem }()
	s.mu.Lock()
	current := s.records[r.key()].ResourceVersion == r.ResourceVersion
	if !current && s.asked[r.key()] == r.ResourceVersion {
		delete(s.asked, r.key()) // the record is gone
	}
	s.mu.Unlock()
	if !current {
		s.e.lists.notify(s.e.key)
		return // overtaken, or gone
	}
	rel, err := d.Release(s.e.ctx, r)
	// A release that cannot be decoded keeps its columns empty, until
	// its record changes.
	c := helmChart{resourceVersion: r.ResourceVersion}
	if err == nil {
		c.chart, c.app, c.updated = rel.ChartName(), rel.AppVersion(), rel.Updated()
		if c.updated != "" {
			c.updatedAt = rel.Info.LastDeployed.Unix()
		}
	} else if s.e.ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	s.charts[r.key()] = c
	delete(s.asked, r.key())
	if s.redraw == nil {
		// Decodes end a few a millisecond: one rebuild, and one redraw,
		// for those of the next helmBatch.
		s.redraw = time.AfterFunc(helmBatch, func() {
			s.mu.Lock()
			s.redraw = nil
			s.mu.Unlock()
			if s.e.ctx.Err() == nil { // not for a listing stopped meanwhile
				s.changed()
			}
		})
	}
	s.mu.Unlock()
}

// pending reports whether charts are still being decoded.
func (s *helmState) pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.asked) > 0
}

// WaitHelmCharts waits until the helm listing of ns (AllNamespaces for
// every namespace) has synced and decoded the chart of each release it
// holds, or failed to, or ctx ends: for headless listings, which print
// once. Safe from any goroutine.
func (c *Conn) WaitHelmCharts(ctx context.Context, ns string) error {
	t := helmType()
	if err := c.lists.WaitSynced(ctx, t, ns); err != nil {
		return err
	}
	e := c.lists.entryOf(t, ns, Selector{})
	changed := make(chan struct{}, 1)
	defer c.lists.subs.add(func(k ListKey) {
		if k == e.key {
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	})()
	for e.helm != nil && e.helm.pending() {
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// records returns the records of release name (every revision kept),
// oldest first; known is false until the listing has synced.
func (s *helmState) recordsOf(ns, name string) (out []HelmRecord, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records {
		if r.Namespace == ns && r.Release == name {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b HelmRecord) int { return int(a.Revision - b.Revision) })
	return out, s.syncedLocked()
}

// HelmRecords returns the revisions kept of release name in namespace ns,
// oldest first, from the running helm listing of ns (started if it does
// not run). known is false until that listing has synced. Safe from any
// goroutine.
func (c *Conn) HelmRecords(ns, name string) (records []HelmRecord, known bool) {
	e := c.lists.entryOf(helmType(), ns, Selector{})
	if e.helm == nil {
		return nil, false
	}
	return e.helm.recordsOf(ns, name)
}

// helmProbe tells whether namespace ns (or every namespace, for "") holds
// a Helm release: Secrets first, then ConfigMaps.
func (l *Lists) helmProbe(ctx context.Context, ns string) Occupancy {
	occ := OccupancyEmpty
	for _, gvr := range []schema.GroupVersionResource{secretsGVR, configMapsGVR} {
		list, err := l.md.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: HelmSelector, Limit: 1})
		switch {
		case apierrors.IsForbidden(err):
			if gvr == secretsGVR {
				occ = OccupancyForbidden
			}
		case err != nil:
			return OccupancyFailed
		case len(list.Items) > 0 || list.Continue != "":
			return OccupancyNonEmpty
		}
	}
	return occ
}

// helmCount counts the releases in ns from their records' metadata.
func (l *Lists) helmCount(ctx context.Context, ns string) (int, error) {
	names := map[string]bool{}
	for _, gvr := range []schema.GroupVersionResource{secretsGVR, configMapsGVR} {
		list, err := l.md.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: HelmSelector})
		if err != nil {
			if gvr == configMapsGVR && apierrors.IsForbidden(err) {
				continue
			}
			return 0, err
		}
		for i := range list.Items {
			if r, ok := helmRecordOf(&list.Items[i], gvr == configMapsGVR); ok {
				names[r.Namespace+"/"+r.Release] = true
			}
		}
	}
	return len(names), nil
}
