package k8s

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
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
	figures map[string]usage // by rowKey
	at      time.Time
	note    string
	caps    map[string]capacity
	version uint64 // changes with figures, caps or note
	watched bool   // the objects' reflector runs

	// The last join, kept until the rows or the figures change.
	joinedFrom  [2]uint64 // the listing's and the feed's versions
	joined      Listing
	joinedValid bool
}

func newMetricsFeed(e *listEntry, src *usageSource, nodes bool) *metricsFeed {
	f := &metricsFeed{e: e, src: src, nodes: nodes, caps: map[string]capacity{}}
	go f.run()
	return f
}

// run reads the figures every interval until the listing stops.
func (f *metricsFeed) run() {
	ctx := f.e.ctx
	for {
		f.read(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(f.src.interval):
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

// list reads the listing's metrics in one request.
func (f *metricsFeed) list(ctx context.Context) (map[string]usage, time.Time, error) {
	figures := map[string]usage{}
	var oldest time.Time
	note := func(t metav1.Time) {
		if oldest.IsZero() || t.Time.Before(oldest) {
			oldest = t.Time
		}
	}
	if f.nodes {
		items, err := f.src.conn.NodeMetrics(ctx, f.e.key.Selector.Label)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, m := range items {
			figures[rowKey("", m.Name)] = usage{cpu: m.Usage.Cpu().MilliValue(), mem: m.Usage.Memory().Value()}
			note(m.Timestamp)
		}
		return figures, oldest, nil
	}
	// metrics-server takes label selectors but few field selectors: the
	// rows a field selector leaves out simply find no figures.
	items, err := f.src.conn.PodMetrics(ctx, f.namespace(), f.e.key.Selector.Label, "")
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, m := range items {
		figures[rowKey(m.Namespace, m.Name)] = podUsage(m)
		note(m.Timestamp)
	}
	return figures, oldest, nil
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

func (f *metricsFeed) set(figures map[string]usage, at time.Time, note string) {
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
func rowKey(namespace, name string) string { return namespace + "/" + name }

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
				return f.listPods(ctx, o)
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

// capacityOf reduces a pod or node to what its figures are measured
// against; the object itself is not kept.
func (f *metricsFeed) capacityOf(obj any) (string, capacity, bool) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return rowKey(o.Namespace, o.Name), podCapacity(o), true
	case *corev1.Node:
		a := o.Status.Allocatable
		return rowKey("", o.Name), capacity{req: usage{cpu: a.Cpu().MilliValue(), mem: a.Memory().Value()}}, true
	case cache.DeletedFinalStateUnknown:
		return f.capacityOf(o.Obj)
	}
	return "", capacity{}, false
}

// podCapacity sums the requests and limits of a pod's containers, as k9s
// does; a sum is -1 when a container leaves it unset (no limit means no
// bound to measure against).
func podCapacity(p *corev1.Pod) capacity {
	c := capacity{}
	add := func(sum *int64, q resource.Quantity, ok bool, milli bool) {
		switch {
		case *sum < 0:
		case !ok:
			*sum = -1
		case milli:
			*sum += q.MilliValue()
		default:
			*sum += q.Value()
		}
	}
	for _, ct := range p.Spec.Containers {
		r, l := ct.Resources.Requests, ct.Resources.Limits
		rc, okRC := r[corev1.ResourceCPU]
		rm, okRM := r[corev1.ResourceMemory]
		lc, okLC := l[corev1.ResourceCPU]
		lm, okLM := l[corev1.ResourceMemory]
		add(&c.req.cpu, rc, okRC, true)
		add(&c.req.mem, rm, okRM, false)
		add(&c.lim.cpu, lc, okLC, true)
		add(&c.lim.mem, lm, okLM, false)
	}
	if len(p.Spec.Containers) == 0 {
		c = capacity{req: usage{-1, -1}, lim: usage{-1, -1}}
	}
	return c
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
	caps := make(map[string]capacity, len(list))
	for _, obj := range list {
		if name, c, ok := s.f.capacityOf(obj); ok {
			caps[name] = c
		}
	}
	s.f.mu.Lock()
	s.f.caps = caps
	s.f.version = versions.Add(1)
	s.f.mu.Unlock()
	s.f.e.lists.notify(s.f.e.key)
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
	for i, r := range l.Rows {
		cells := make([]Cell, 0, len(r.Cells)+len(extra))
		cells = append(cells, r.Cells[:min(at, len(r.Cells))]...)
		cells = append(cells, f.cells(rowKey(r.Namespace, r.Name))...)
		if at < len(r.Cells) {
			cells = append(cells, r.Cells[at:]...)
		}
		out.Rows[i] = Row{Name: r.Name, Namespace: r.Namespace, Cells: cells}
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

// cells are a row's metrics cells; empty while metrics-server has no
// figures for it (a pod just started), "n/a" for a percentage without a
// request or limit to measure against. f.mu must be held.
func (f *metricsFeed) cells(name string) []Cell {
	u, ok := f.figures[name]
	n := len(podMetricsColumns)
	if f.nodes {
		n = len(nodeMetricsColumns)
	}
	if !ok {
		return make([]Cell, n)
	}
	c, known := f.caps[name]
	cpu, mem := Cell{Text: milliCPU(u.cpu)}, Cell{Text: mebibytes(u.mem)}
	if f.nodes {
		if !known {
			c.req = usage{-1, -1}
		}
		return []Cell{cpu, percent(u.cpu, c.req.cpu), mem, percent(u.mem, c.req.mem)}
	}
	if !known {
		c = capacity{req: usage{-1, -1}, lim: usage{-1, -1}}
	}
	return []Cell{cpu, mem,
		percent(u.cpu, c.req.cpu), percent(u.cpu, c.lim.cpu),
		percent(u.mem, c.req.mem), percent(u.mem, c.lim.mem)}
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
