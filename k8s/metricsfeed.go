package k8s

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// DefaultMetricsInterval is how often an open pods or nodes directory
// reads metrics-server's figures: the resolution its upstream manifests
// give it, so every read brings a new scrape.
const DefaultMetricsInterval = 15 * time.Second

// The metrics columns, k9s's names: usage, and usage as a percentage of
// the pod's requests and limits (summed over its containers) or of the
// node's allocatable.
var (
	podMetricsColumns = []Column{
		{Name: "CPU", Type: "string"}, {Name: "MEM", Type: "string"},
		{Name: "%CPU/R", Type: "string"}, {Name: "%CPU/L", Type: "string"},
		{Name: "%MEM/R", Type: "string"}, {Name: "%MEM/L", Type: "string"},
	}
	nodeMetricsColumns = []Column{
		{Name: "CPU", Type: "string"}, {Name: "%CPU", Type: "string"},
		{Name: "MEM", Type: "string"}, {Name: "%MEM", Type: "string"},
	}
)

// Metrics says how a listing's metrics columns stand, for the header and
// the footer.
type Metrics struct {
	// At is when metrics-server scraped the figures shown (the oldest of
	// them); zero while none are shown.
	At time.Time
	// Note says why there are no metrics columns ("metrics.k8s.io is not
	// served", "forbidden: ..."); "" when they show or are on their way.
	Note string
}

// usageSource is what the metrics feeds of a connection share: the
// clients they read with, their interval, and whether the metrics API is
// served, asked at most once an interval for all of them.
type usageSource struct {
	interval time.Duration
	conn     *Conn
	// objects lists and watches whole pods and nodes, in protobuf, for
	// their requests, limits and allocatable.
	objects kubernetes.Interface

	mu      sync.Mutex
	served  bool
	err     error
	askedAt time.Time
}

// metricsServed answers whether metrics.k8s.io is served: at once when
// the connection's discovery found it, else by asking the server (it may
// have come since), at most once an interval.
func (u *usageSource) metricsServed(ctx context.Context) (bool, error) {
	if catalogServes(u.conn.Catalog()) {
		return true, nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.askedAt.IsZero() && time.Since(u.askedAt) < u.interval {
		return u.served, u.err
	}
	u.served, u.err = u.conn.MetricsServed(ctx)
	u.askedAt = time.Now()
	return u.served, u.err
}

// catalogServes reports whether discovery found the metrics API.
func catalogServes(cat *Catalog) bool {
	if cat == nil {
		return false
	}
	for _, t := range cat.Namespaced() {
		if t.GVR.Group == MetricsGroup {
			return true
		}
	}
	return false
}

// forget makes the next metricsServed ask again: a read failed as if the
// API had gone.
func (u *usageSource) forget() {
	u.mu.Lock()
	u.askedAt = time.Time{}
	u.mu.Unlock()
}

// usage is one object's figures: CPU in millicores, memory in bytes.
type usage struct{ cpu, mem int64 }

// capacity is what a pod's figures are measured against (its requests
// and limits summed over its containers; -1 where a container sets none)
// or a node's (allocatable, in req).
type capacity struct{ req, lim usage }

// metricsFeed joins metrics-server's figures to the rows of an open pods
// or nodes listing: one LIST of PodMetrics (or NodeMetrics) an interval
// for the whole listing, and a watch of the objects themselves for what
// the figures are measured against, started once metrics are served.
type metricsFeed struct {
	e     *listEntry
	src   *usageSource
	nodes bool

	mu      sync.Mutex
	figures map[objectName]usage // by rowKey
	at      time.Time
	note    string
	caps    map[objectName]capacity
	version uint64 // changes with figures, caps or note
	watched bool   // the objects' reflector runs
	// primed is a list of the pods made to name the rows of a listing
	// across namespaces (prime), until the reflector takes it as its
	// first list.
	primed *reducedPodList

	// The last join, kept until the rows or the figures change.
	joinedFrom  [2]uint64 // the listing's and the feed's versions
	joined      Listing
	joinedValid bool
}

func newMetricsFeed(e *listEntry, src *usageSource, nodes bool) *metricsFeed {
	f := &metricsFeed{e: e, src: src, nodes: nodes, caps: map[objectName]capacity{}}
	go f.run()
	return f
}

// run reads the figures every interval until the listing stops. The
// interval runs from one reading's start to the next's: a reading of
// tens of thousands of pods takes seconds, and counted after it the
// figures would age by that much more each time.
func (f *metricsFeed) run() {
	ctx := f.e.ctx
	tick := time.NewTicker(f.src.interval)
	defer tick.Stop()
	for {
		f.read(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// read takes one reading, or notes why there is none. While readings
// succeed, each is one request: whether the API is served is asked only
// before the first and after a failure.
func (f *metricsFeed) read(ctx context.Context) {
	f.mu.Lock()
	reading := f.figures != nil
	f.mu.Unlock()
	if !reading {
		served, err := f.src.metricsServed(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			f.set(nil, time.Time{}, "metrics: cannot tell whether metrics.k8s.io is served: "+err.Error())
			return
		case !served:
			f.set(nil, time.Time{}, "metrics: "+MetricsGroup+" is not served (no metrics-server)")
			return
		}
	}
	figures, at, err := f.list(ctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		var note string
		switch {
		case apierrors.IsForbidden(err):
			note = "metrics: forbidden: " + err.Error()
		case apierrors.IsNotFound(err), apierrors.IsServiceUnavailable(err):
			f.src.forget()
			note = "metrics: " + MetricsGroup + " is unavailable: " + err.Error()
		default:
			note = "metrics: " + err.Error()
		}
		f.set(nil, time.Time{}, note)
		return
	}
	f.watchObjects()
	f.set(figures, at, "")
}

// list reads the listing's metrics in one request. metrics-server takes
// label selectors but few field selectors: the rows a field selector
// leaves out simply find no figures.
func (f *metricsFeed) list(ctx context.Context) (map[objectName]usage, time.Time, error) {
	got, err := f.src.conn.readUsage(ctx, f.nodes, f.namespace(), f.e.key.Selector.Label)
	return got.figures, got.oldest, err
}

// podUsage sums a pod's containers, as kubectl top does.
func podUsage(m metricsv1beta1.PodMetrics) usage {
	var u usage
	for _, c := range m.Containers {
		u.cpu += c.Usage.Cpu().MilliValue()
		u.mem += c.Usage.Memory().Value()
	}
	return u
}

func (f *metricsFeed) set(figures map[objectName]usage, at time.Time, note string) {
	f.mu.Lock()
	same := figures == nil && f.figures == nil && note == f.note
	if !same {
		f.figures, f.at, f.note = figures, at, note
		f.version = versions.Add(1)
	}
	f.mu.Unlock()
	if !same {
		f.e.lists.notify(f.e.key)
	}
}

// namespace is the namespace the feed reads in, "" for all.
func (f *metricsFeed) namespace() string {
	if f.e.key.Namespace == AllNamespaces {
		return ""
	}
	return f.e.key.Namespace
}

// rowKey identifies a row among those of every namespace.
func rowKey(namespace, name string) objectName { return objectName{namespace: namespace, name: name} }

// watchObjects starts, once, the reflector of the listing's pods or nodes
// that keeps what their figures are measured against: once the listing
// has its rows, so that its whole objects, the heavier list, do not slow
// the rows down.
func (f *metricsFeed) watchObjects() {
	f.mu.Lock()
	started := f.watched
	f.watched = true
	f.mu.Unlock()
	if started {
		return
	}
	go func() {
		select {
		case <-f.e.synced:
			f.reflectObjects()
		case <-f.e.ctx.Done():
		}
	}()
}

// reflectObjects runs the reflector of watchObjects.
func (f *metricsFeed) reflectObjects() {
	ns := f.namespace()
	var lw *cache.ListWatch
	var expected runtime.Object
	if f.nodes {
		nodes := f.src.objects.CoreV1().Nodes()
		expected = &corev1.Node{}
		lw = &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return nodes.List(ctx, f.e.narrow(o))
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return nodes.Watch(ctx, f.e.narrow(o))
			},
		}
	} else {
		pods := f.src.objects.CoreV1().Pods(ns)
		expected = &corev1.Pod{}
		lw = &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				if primed := f.takePrimed(); primed != nil {
					return primed, nil
				}
				return f.listPods(ctx, o, "0")
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return pods.Watch(ctx, f.e.narrow(o))
			},
		}
	}
	store := &capacityStore{f: f}
	r := cache.NewReflectorWithOptions(lw, expected, store, cache.ReflectorOptions{
		Name: "capacity of " + f.e.key.GVR.Resource + " in " + ns,
	})
	go r.RunWithContext(f.e.ctx)
}

// canPrime reports whether an /all listing should name its rows with the
// pods' capacities (prime): the feed's reflector is still to list them,
// and will, as discovery says metrics are served.
func (f *metricsFeed) canPrime() bool {
	if f == nil || f.nodes || !catalogServes(f.src.conn.Catalog()) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.watched && f.primed == nil
}

// prime lists the feed's pods at resource version rv (see at) and returns
// their names, for a listing across namespaces to name its bare rows
// with (objectnames.go) instead of listing their metadata; the reflector
// then takes the list as its first, at no cost. One list of the pods
// thus serves both.
func (f *metricsFeed) prime(ctx context.Context, rv string) ([]objectName, error) {
	list, err := f.listPods(ctx, metav1.ListOptions{}, rv)
	if err != nil {
		return nil, err
	}
	names := make([]objectName, len(list.Items))
	caps := make(map[objectName]capacity, len(list.Items))
	for i, p := range list.Items {
		names[i] = objectName{namespace: p.namespace, name: p.name}
		caps[rowKey(p.namespace, p.name)] = p.capacity
	}
	// The capacities count from now: the rows and their shares then
	// show together, and the reflector's first list changes nothing.
	f.mu.Lock()
	f.primed, f.caps = list, caps
	f.version = versions.Add(1)
	f.mu.Unlock()
	return names, nil
}

// takePrimed returns the list prime made, once.
func (f *metricsFeed) takePrimed() *reducedPodList {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.primed
	f.primed = nil
	return p
}

// capacityOf reduces a pod or node to what its figures are measured
// against; the object itself is not kept.
func (f *metricsFeed) capacityOf(obj any) (objectName, capacity, bool) {
	switch o := obj.(type) {
	case *reducedPod:
		return rowKey(o.namespace, o.name), o.capacity, true
	case *corev1.Pod:
		return rowKey(o.Namespace, o.Name), podCapacity(o), true
	case *corev1.Node:
		a := o.Status.Allocatable
		return rowKey("", o.Name), capacity{req: usage{cpu: a.Cpu().MilliValue(), mem: a.Memory().Value()}}, true
	case cache.DeletedFinalStateUnknown:
		return f.capacityOf(o.Obj)
	}
	return objectName{}, capacity{}, false
}

// capacityStore is the reflector's store of a metricsFeed: it keeps each
// object's capacity, nothing else.
type capacityStore struct{ f *metricsFeed }

func (s *capacityStore) put(obj any) error {
	name, c, ok := s.f.capacityOf(obj)
	if !ok {
		return fmt.Errorf("unexpected object %T", obj)
	}
	s.f.mu.Lock()
	changed := s.f.caps[name] != c
	s.f.caps[name] = c
	if changed {
		s.f.version = versions.Add(1)
	}
	s.f.mu.Unlock()
	if changed {
		s.f.e.lists.notify(s.f.e.key)
	}
	return nil
}

func (s *capacityStore) Add(obj any) error    { return s.put(obj) }
func (s *capacityStore) Update(obj any) error { return s.put(obj) }
func (s *capacityStore) Delete(obj any) error {
	name, _, ok := s.f.capacityOf(obj)
	if !ok {
		return nil
	}
	s.f.mu.Lock()
	delete(s.f.caps, name)
	s.f.mu.Unlock()
	return nil
}

func (s *capacityStore) Replace(list []any, _ string) error {
	caps := make(map[objectName]capacity, len(list))
	for _, obj := range list {
		if name, c, ok := s.f.capacityOf(obj); ok {
			caps[name] = c
		}
	}
	s.f.mu.Lock()
	same := maps.Equal(caps, s.f.caps)
	if !same {
		s.f.caps = caps
		s.f.version = versions.Add(1)
	}
	s.f.mu.Unlock()
	if !same {
		s.f.e.lists.notify(s.f.e.key)
	}
	return nil
}

func (s *capacityStore) Resync() error { return nil }

// join returns l with the metrics columns and cells added, or l as it is
// (with the note) while there are no figures. The result is kept until l
// or the figures change.
func (f *metricsFeed) join(l Listing) Listing {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.figures == nil || l.Columns == nil {
		l.Metrics = Metrics{Note: f.note}
		return l
	}
	from := [2]uint64{l.Version, f.version}
	if f.joinedValid && f.joinedFrom == from {
		out := l
		out.Columns, out.Rows, out.Version, out.Metrics = f.joined.Columns, f.joined.Rows, f.joined.Version, f.joined.Metrics
		return out
	}
	extra := podMetricsColumns
	if f.nodes {
		extra = nodeMetricsColumns
	}
	at := metricsInsertAt(l.Columns)
	out := l
	out.Columns = spliceColumns(l.Columns, at, extra)
	out.Rows = make([]Row, len(l.Rows))
	// Every row's cells in one allocation: one object for the collector
	// instead of one a row.
	total := 0
	for _, r := range l.Rows {
		total += len(r.Cells) + len(extra)
	}
	all := make([]Cell, 0, total)
	for i, r := range l.Rows {
		start := len(all)
		all = append(all, r.Cells[:min(at, len(r.Cells))]...)
		all = f.appendCells(all, rowKey(r.Namespace, r.Name))
		if at < len(r.Cells) {
			all = append(all, r.Cells[at:]...)
		}
		out.Rows[i] = Row{Name: r.Name, Namespace: r.Namespace, Cells: all[start:len(all):len(all)]}
	}
	out.Version = versions.Add(1)
	out.Metrics = Metrics{At: f.at}
	f.joined, f.joinedFrom, f.joinedValid = out, from, true
	return out
}

// metricsInsertAt is where the metrics columns go: before AGE, as k9s
// shows them, or at the end of the columns always shown.
func metricsInsertAt(columns []Column) int {
	for i, c := range columns {
		if c.Name == "Age" {
			return i
		}
	}
	for i, c := range columns {
		if c.Priority > 0 {
			return i
		}
	}
	return len(columns)
}

func spliceColumns(columns []Column, at int, extra []Column) []Column {
	out := make([]Column, 0, len(columns)+len(extra))
	out = append(out, columns[:at]...)
	out = append(out, extra...)
	return append(out, columns[at:]...)
}

// appendCells appends a row's metrics cells to dst: empty while
// metrics-server has no figures for it (a pod just started), "n/a" for a
// percentage without a request or limit to measure against. f.mu must be
// held.
func (f *metricsFeed) appendCells(dst []Cell, name objectName) []Cell {
	u, ok := f.figures[name]
	n := len(podMetricsColumns)
	if f.nodes {
		n = len(nodeMetricsColumns)
	}
	if !ok {
		return append(dst, make([]Cell, n, len(podMetricsColumns))...)
	}
	c, known := f.caps[name]
	cpu, mem := Cell{Text: milliCPU(u.cpu)}, Cell{Text: mebibytes(u.mem)}
	if f.nodes {
		if !known {
			c.req = usage{-1, -1}
		}
		return append(dst, cpu, percent(u.cpu, c.req.cpu), mem, percent(u.mem, c.req.mem))
	}
	if !known {
		c = capacity{req: usage{-1, -1}, lim: usage{-1, -1}}
	}
	return append(dst, cpu, mem,
		percent(u.cpu, c.req.cpu), percent(u.cpu, c.lim.cpu),
		percent(u.mem, c.req.mem), percent(u.mem, c.lim.mem))
}

// milliCPU prints CPU as kubectl top does: "250m".
func milliCPU(m int64) string { return strconv.FormatInt(m, 10) + "m" }

// mebibytes prints memory as kubectl top does: "80Mi".
func mebibytes(b int64) string { return strconv.FormatInt(b/(1<<20), 10) + "Mi" }

// percent is used as a whole percentage of of, "n/a" when there is
// nothing to measure against.
func percent(used, of int64) Cell {
	if of <= 0 {
		return Cell{Text: "n/a"}
	}
	return Cell{Text: strconv.FormatInt(used*100/of, 10)}
}
