package testcluster

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Usage is what one container uses, as a test scripts it for the fake
// kubelet's resource metrics: CPU in millicores, memory (the working set)
// in bytes.
type Usage struct {
	MilliCPU int64
	Memory   int64
}

// Node-level usage beside the containers': what the system itself uses.
const (
	nodeSystemMilliCPU = 250
	nodeSystemMemory   = 512 << 20
)

// resourceMetrics is what the fake kubelet serves at /metrics/resource,
// the endpoint metrics-server scrapes: for each running container a
// cumulative CPU counter in core-seconds, its memory working set and its
// start time, and the node's totals, in the Prometheus text format the
// real kubelet writes. A container's CPU counter grows at the rate its
// Usage gives, so metrics-server's rate over two scrapes is that Usage.
type resourceMetrics struct {
	mu         sync.Mutex
	start      time.Time
	containers map[containerKey]*meter
}

// containerKey names a container on the node.
type containerKey struct{ namespace, pod, container string }

// meter turns a container's CPU rate into the counter the kubelet serves.
type meter struct {
	started    time.Time
	usage      Usage
	cpuSeconds float64   // the counter as of since
	since      time.Time // when usage last changed
}

func newResourceMetrics(now time.Time) *resourceMetrics {
	return &resourceMetrics{start: now, containers: map[containerKey]*meter{}}
}

// cpuAt is the counter at now.
func (m *meter) cpuAt(now time.Time) float64 {
	return m.cpuSeconds + float64(m.usage.MilliCPU)/1000*now.Sub(m.since).Seconds()
}

// run starts metering the containers of a pod the node now runs, each at a
// usage of its own derived from its name (so that a demo's or bench's
// pods differ), unless one was scripted already.
func (r *resourceMetrics) run(namespace, pod string, containers []string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range containers {
		key := containerKey{namespace, pod, c}
		if r.containers[key] == nil {
			r.containers[key] = &meter{started: now, usage: defaultUsage(key), since: now}
		}
	}
}

// forget stops metering a pod the node no longer runs.
func (r *resourceMetrics) forget(namespace, pod string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for key := range r.containers {
		if key.namespace == namespace && key.pod == pod {
			delete(r.containers, key)
		}
	}
}

// set scripts a container's usage from now on; its counter keeps what it
// counted so far.
func (r *resourceMetrics) set(key containerKey, u Usage, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.containers[key]
	if m == nil {
		m = &meter{started: now, since: now}
		r.containers[key] = m
	}
	m.cpuSeconds, m.since, m.usage = m.cpuAt(now), now, u
}

// defaultUsage is a container's usage until a test scripts one: 1–200
// millicores and 4–131 MiB, fixed by its name.
func defaultUsage(key containerKey) Usage {
	h := fnv.New32a()
	_, _ = io.WriteString(h, key.namespace+"/"+key.pod+"/"+key.container)
	v := int64(h.Sum32())
	return Usage{MilliCPU: 1 + v%200, Memory: (4 + v%128) << 20}
}

// write writes the metrics as of now in the kubelet's text format.
func (r *resourceMetrics) write(w io.Writer, now time.Time) error {
	r.mu.Lock()
	keys := make([]containerKey, 0, len(r.containers))
	meters := make(map[containerKey]meter, len(r.containers))
	for k, m := range r.containers {
		keys = append(keys, k)
		meters[k] = *m
	}
	start := r.start
	r.mu.Unlock()
	slices.SortFunc(keys, func(a, b containerKey) int {
		return cmp.Or(cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.pod, b.pod), cmp.Compare(a.container, b.container))
	})
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	nodeCPU := float64(nodeSystemMilliCPU) / 1000 * now.Sub(start).Seconds()
	nodeMem := int64(nodeSystemMemory)
	var b []byte
	series := func(name, help, kind string, each func(k containerKey, m meter) string) {
		b = fmt.Appendf(b, "# HELP %s [STABLE] %s\n# TYPE %s %s\n", name, help, name, kind)
		for _, k := range keys {
			b = fmt.Appendf(b, "%s{container=%q,namespace=%q,pod=%q} %s %s\n", name, k.container, k.namespace, k.pod, each(k, meters[k]), ts)
		}
	}
	series("container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter",
		func(_ containerKey, m meter) string { return num(m.cpuAt(now)) })
	series("container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge",
		func(_ containerKey, m meter) string { return strconv.FormatInt(m.usage.Memory, 10) })
	series("container_start_time_seconds", "Start time of the container since unix epoch in seconds", "gauge",
		func(_ containerKey, m meter) string { return num(float64(m.started.UnixNano()) / 1e9) })
	for _, m := range meters {
		nodeCPU += m.cpuAt(now)
		nodeMem += m.usage.Memory
	}
	b = fmt.Appendf(b, "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n"+
		"# TYPE node_cpu_usage_seconds_total counter\nnode_cpu_usage_seconds_total %s %s\n", num(nodeCPU), ts)
	b = fmt.Appendf(b, "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n"+
		"# TYPE node_memory_working_set_bytes gauge\nnode_memory_working_set_bytes %d %s\n", nodeMem, ts)
	b = append(b, "# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise\n# TYPE scrape_error gauge\nscrape_error 0\n"...)
	_, err := w.Write(b)
	return err
}

// serveResourceMetrics answers GET /metrics/resource.
func (k *Kubelet) serveResourceMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_ = k.metrics.write(w, time.Now())
}

// SetUsage scripts what a container uses from now on, as metrics-server
// will see it from its next scrape but one (it takes CPU as the rate
// between two). A container the node does not run yet is metered from
// now. Safe from any goroutine.
func (k *Kubelet) SetUsage(namespace, pod, container string, u Usage) {
	k.metrics.set(containerKey{namespace, pod, container}, u, time.Now())
}
