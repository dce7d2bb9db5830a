package k8s

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Health is whether the API server answers: every request kfsui sends
// reports to it. A request that gets any HTTP answer proves the server
// reachable; one that fails without an answer (refused, reset) marks it
// unreachable until the next answer. A request that timed out may only
// have asked a slow API (an aggregated server that hangs, a huge list), so
// it marks the server unreachable only if a quick GET /version gets no
// answer either. Requests kfsui cancelled itself prove nothing.
//
// Concurrency: safe from any goroutine; subscribers are called from the
// requesting goroutines and must not block.
type Health struct {
	mu      sync.Mutex
	down    bool
	since   time.Time
	lastErr error
	subs    subscribers[struct{}]
}

// HealthState is a snapshot of Health.
type HealthState struct {
	Down  bool      // the last request got no answer
	Since time.Time // when Down last changed
	Err   error     // why the server is unreachable, when Down
}

// State returns the current state.
func (h *Health) State() HealthState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return HealthState{Down: h.down, Since: h.since, Err: h.lastErr}
}

// Subscribe registers fn to be called when the server becomes unreachable
// or reachable again. It returns a function that removes it.
func (h *Health) Subscribe(fn func()) (unsubscribe func()) {
	return h.subs.add(func(struct{}) { fn() })
}

func (h *Health) report(err error) {
	h.mu.Lock()
	down := err != nil
	if down {
		h.lastErr = err
	}
	if down == h.down {
		h.mu.Unlock()
		return
	}
	h.down, h.since = down, time.Now()
	h.mu.Unlock()
	h.subs.notify(struct{}{})
}

type healthTransport struct {
	next     http.RoundTripper
	health   *Health
	ctx      context.Context // the connection's: checks end with it
	version  string          // the URL path of the server's /version, after any prefix of its address
	checking atomic.Bool     // a /version check is under way
}

// confirmTimeout bounds the /version check after a timed-out request.
var confirmTimeout = 5 * time.Second

func (t *healthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	switch {
	case err == nil:
		t.health.report(nil)
	case errors.Is(req.Context().Err(), context.Canceled) || errors.Is(err, context.Canceled):
		// Cancelled by kfsui (a closed directory, a leaf no longer
		// shown): says nothing about the server.
	case isTimeout(err):
		// client-go puts --request-timeout into the request's context.
		go t.confirm(req, unwrapURLError(err))
	default:
		t.health.report(unwrapURLError(err))
	}
	return resp, err
}

// confirm asks the server for its version after req timed out, with req's
// credentials, and reports what that says: an answer means the server is
// there and only req's API was slow; none means it is unreachable, for
// cause. One check at a time; it goes through the read-only guard like
// every other request.
func (t *healthTransport) confirm(req *http.Request, cause error) {
	if !t.checking.CompareAndSwap(false, true) {
		return
	}
	defer t.checking.Store(false)
	ctx, cancel := context.WithTimeout(t.ctx, confirmTimeout)
	defer cancel()
	u := *req.URL
	// The server's address may have a path (a proxy such as Rancher's
	// /k8s/clusters/<id>): /version is below it, not at the host's root.
	u.Path, u.RawPath, u.RawQuery = t.version, "", ""
	check, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		t.health.report(cause)
		return
	}
	check.Header = req.Header.Clone()
	resp, err := ReadOnly(t.next).RoundTrip(check)
	if resp != nil {
		_ = resp.Body.Close()
	}
	switch {
	case t.ctx.Err() != nil:
		return // the connection closed meanwhile
	case err != nil:
		t.health.report(cause)
		return
	}
	t.health.report(nil)
}

// isTimeout reports whether err is a deadline passing rather than the
// connection failing.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Health tells whether the API server answers. Safe from any goroutine.
func (c *Conn) Health() *Health { return c.health }
