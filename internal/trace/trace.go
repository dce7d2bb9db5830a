// Package trace records kfsui's timing events (KFSUI_TRACE) for the scale
// benchmark and for performance reports: the first frame, listings and
// leaves as drawn, each key's latency, and the requests sent.
//
// Concurrency: a Tracer's methods are safe from any goroutine, and do
// nothing on a nil *Tracer, so callers need not check whether tracing is on.
package trace

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/kfsui/kfsui/internal/readclose"
)

// Env names a file to which kfsui appends timing events as JSON lines:
// the first frame, each directory listing as drawn, each key's latency to
// the redraw that follows it, and at exit the requests sent. The scale
// benchmark reads it; users can attach it to a performance report.
const Env = "KFSUI_TRACE"

// Tracer records timing events. Its methods are no-ops on a nil Tracer,
// so callers call them unconditionally.
type Tracer struct {
	mu     sync.Mutex
	f      *os.File
	enc    *json.Encoder
	keys   []traceKey  // keys handled since the last draw
	dirs   []traceDir  // listings applied since the last draw
	leaves []traceLeaf // leaves shown since the last draw
	drew   bool

	reqs requestCounter

	cpuProfile *os.File // KFSUI_CPUPROFILE, nil if unset
	stopStats  chan struct{}
}

// StatsEnv, set to a duration with Env, makes the trace record the
// live heap (after a collection) and the goroutines that often, for the
// soak bench.
const StatsEnv = "KFSUI_TRACE_STATS"

type traceKey struct {
	name    string
	when    time.Time // tcell read it
	handled time.Time // the UI goroutine took it
}

type traceDir struct {
	path    string
	entries int
	loading bool
	pending int
}

// traceLeaf is a leaf put in the viewer: loading, or its text's size, or
// the error shown instead.
type traceLeaf struct {
	path    string
	bytes   int
	err     string
	loading bool
}

// New opens the file named by KFSUI_TRACE; nil if it is unset or cannot
// be opened (tracing is best effort and never stops kfsui).
func New() *Tracer {
	name := os.Getenv(Env)
	if name == "" {
		return nil
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil
	}
	t := &Tracer{f: f, enc: json.NewEncoder(f), stopStats: make(chan struct{})}
	if every, err := time.ParseDuration(os.Getenv(StatsEnv)); err == nil && every > 0 {
		go t.stats(every)
	}
	if p := os.Getenv("KFSUI_CPUPROFILE"); p != "" {
		if pf, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(pf) == nil {
				t.cpuProfile = pf
			} else {
				_ = pf.Close()
			}
		}
	}
	return t
}

// stats records the live heap and the goroutines every period until close.
func (t *Tracer) stats(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-t.stopStats:
			return
		case <-tick.C:
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.mu.Lock()
		t.emit(map[string]any{"ev": "stats", "heap_live": ms.HeapAlloc, "heap_sys": ms.HeapSys, "goroutines": runtime.NumGoroutine()})
		t.mu.Unlock()
	}
}

func (t *Tracer) emit(ev map[string]any) {
	ev["t"] = time.Now().UnixNano()
	_ = t.enc.Encode(ev)
}

// Key notes a key event about to be handled: its name, and when the
// terminal library read it.
func (t *Tracer) Key(name string, when time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.keys = append(t.keys, traceKey{name: name, when: when, handled: time.Now()})
	t.mu.Unlock()
}

// Dir notes a directory listing put in the tree, with how many of its
// entries' cells are still to come (Helm's CHART).
func (t *Tracer) Dir(path string, entries int, loading bool, pending int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.dirs = append(t.dirs, traceDir{path, entries, loading, pending})
	t.mu.Unlock()
}

// Leaf notes a leaf put in the viewer: its text, bytes long, or when err
// is not nil the error shown instead, so that a failure is not mistaken
// for slowness.
func (t *Tracer) Leaf(path string, bytes int, err error) {
	if t == nil {
		return
	}
	l := traceLeaf{path: path, bytes: bytes}
	if err != nil {
		l.err = err.Error()
	}
	t.mu.Lock()
	t.leaves = append(t.leaves, l)
	t.mu.Unlock()
}

// LeafLoading notes that the viewer began fetching leaf path.
func (t *Tracer) LeafLoading(path string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.leaves = append(t.leaves, traceLeaf{path: path, loading: true})
	t.mu.Unlock()
}

// Drawn is called after each frame reached the terminal, with the time
// writing it began: what was noted since is now on screen.
func (t *Tracer) Drawn(show time.Time) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if !t.drew {
		t.drew = true
		t.emit(map[string]any{"ev": "first-frame", "pid": os.Getpid()})
	}
	if len(t.keys) > 0 {
		t.reqs.mu.Lock()
		total := t.reqs.total
		t.reqs.mu.Unlock()
		for _, k := range t.keys {
			// The latency in three parts: waiting for the UI goroutine,
			// handling the key and drawing, writing to the terminal.
			t.emit(map[string]any{"ev": "key", "key": k.name, "when": k.when.UnixNano(),
				"latency_ns": now.Sub(k.when).Nanoseconds(), "queue_ns": k.handled.Sub(k.when).Nanoseconds(),
				"show_ns": now.Sub(show).Nanoseconds(), "total": total})
		}
	}
	for _, d := range t.dirs {
		t.emit(map[string]any{"ev": "dir", "path": d.path, "entries": d.entries, "loading": d.loading, "pending": d.pending})
	}
	for _, l := range t.leaves {
		e := map[string]any{"ev": "leaf", "path": l.path, "bytes": l.bytes, "loading": l.loading}
		if l.err != "" {
			e["error"] = l.err
		}
		t.emit(e)
	}
	t.keys, t.dirs, t.leaves = t.keys[:0], t.dirs[:0], t.leaves[:0]
}

// Close writes the request counts and closes the file.
func (t *Tracer) Close() {
	if t == nil {
		return
	}
	close(t.stopStats)
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &t.reqs
	r.mu.Lock()
	t.emit(map[string]any{"ev": "requests", "total": r.total, "lists": r.lists, "watches": r.watches, "gets": r.gets,
		"watched": r.watched, "open_watches": r.open})
	r.mu.Unlock()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.emit(map[string]any{"ev": "runtime", "gcs": ms.NumGC, "gc_pause_ns": ms.PauseTotalNs,
		"heap_alloc": ms.HeapAlloc, "heap_sys": ms.HeapSys, "total_alloc": ms.TotalAlloc, "sys": ms.Sys})
	if t.cpuProfile != nil {
		pprof.StopCPUProfile()
		_ = t.cpuProfile.Close()
	}
	if p := os.Getenv("KFSUI_HEAPPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
	_ = t.f.Close()
}

// requestCounter counts what reaches the API server, by kind.
type requestCounter struct {
	mu      sync.Mutex
	total   int
	lists   int
	watches int
	gets    int
	watched map[string]int // path → watches opened on it
	open    map[string]int // server host → watch streams open now
}

// countingTransport counts each request in c and passes it to next. Each
// client kfsui builds gets its own, on its own transport.
type countingTransport struct {
	c    *requestCounter
	t    *Tracer
	next http.RoundTripper
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.c.count(r)
	began := time.Now()
	resp, err := t.next.RoundTrip(r)
	if q := r.URL.Query(); err != nil || (q.Get("watch") != "true" && q.Get("watch") != "1") {
		if err == nil {
			t.timeRequest(r, resp, began)
		}
		return resp, err
	}
	host := r.URL.Host
	t.c.mu.Lock()
	if t.c.open == nil {
		t.c.open = map[string]int{}
	}
	t.c.open[host]++
	t.c.mu.Unlock()
	resp.Body = readclose.OnClose(resp.Body, func() {
		t.c.mu.Lock()
		t.c.open[host]--
		t.c.mu.Unlock()
	})
	return resp, nil
}

// timeRequest records, once its answer is read and closed, one request
// but a watch: what it asked for, and when its headers and its last byte
// came, in milliseconds from its start.
func (t countingTransport) timeRequest(r *http.Request, resp *http.Response, began time.Time) {
	headers := time.Since(began)
	counted := &countingReader{r: resp.Body}
	resp.Body = readclose.OnClose(struct {
		io.Reader
		io.Closer
	}{counted, resp.Body}, func() {
		t.t.mu.Lock()
		defer t.t.mu.Unlock()
		t.t.emit(map[string]any{"ev": "request", "path": r.URL.Path, "query": r.URL.RawQuery,
			"accept": r.Header.Get("Accept"), "status": resp.StatusCode, "bytes": counted.n,
			"start": began.UnixNano(), "headers_ms": headers.Milliseconds(), "done_ms": time.Since(began).Milliseconds()})
	})
}

// countingReader counts what is read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *requestCounter) count(r *http.Request) {
	q := r.URL.Query()
	c.mu.Lock()
	c.total++
	switch {
	case q.Get("watch") == "true" || q.Get("watch") == "1":
		c.watches++
		if c.watched == nil {
			c.watched = map[string]int{}
		}
		c.watched[r.URL.Path]++
	case q.Has("limit"): // every list kfsui sends is paged or a one-item check
		c.lists++
	default:
		c.gets++
	}
	c.mu.Unlock()
}

// Wrap returns the transport wrapper that counts requests, nil without
// tracing.
func (t *Tracer) Wrap() func(http.RoundTripper) http.RoundTripper {
	if t == nil {
		return nil
	}
	return func(rt http.RoundTripper) http.RoundTripper { return countingTransport{c: &t.reqs, t: t, next: rt} }
}
