package k8s

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

type failingTransport struct{}

func (failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// A request that times out (client-go puts --request-timeout into the
// request's context) says the server does not answer; one kfsui cancelled
// says nothing.
func TestHealthCountsTimeoutsButNotCancellations(t *testing.T) {
	h := &Health{}
	rt := &healthTransport{next: failingTransport{}, health: h}
	send := func(ctx context.Context) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://example.invalid/api", nil)
		_, _ = rt.RoundTrip(req)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	send(ctx)
	if h.State().Down {
		t.Fatal("a cancelled request marked the server down")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	send(ctx)
	if st := h.State(); !st.Down || !errors.Is(st.Err, context.DeadlineExceeded) {
		t.Fatalf("a timed-out request: %+v, want down with the deadline", st)
	}
}
