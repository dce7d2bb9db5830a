package k8s

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Health is whether the API server answers: every request kfsui sends
// reports to it. A request that gets any HTTP answer proves the server
// reachable; one that fails without an answer (refused, reset, timed out)
// marks it unreachable until the next answer. Requests kfsui cancelled
// itself prove nothing.
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
	next   http.RoundTripper
	health *Health
}

func (t *healthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	switch {
	case err == nil:
		t.health.report(nil)
	case errors.Is(req.Context().Err(), context.Canceled) || errors.Is(err, context.Canceled):
		// Cancelled by kfsui (a closed directory, a leaf no longer
		// shown): says nothing about the server. A timeout does: client-go
		// puts --request-timeout into the request's context.
	default:
		t.health.report(unwrapURLError(err))
	}
	return resp, err
}

// Health tells whether the API server answers. Safe from any goroutine.
func (c *Conn) Health() *Health { return c.health }
