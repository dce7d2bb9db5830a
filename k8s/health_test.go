package k8s

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// hangingTransport never answers but, when version is set, GET on that
// path, as a server whose one API hangs does.
type hangingTransport struct{ version string }

func (h hangingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if h.version != "" && r.URL.Path == h.version {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// A request that times out (client-go puts --request-timeout into the
// request's context) says the server does not answer only if /version
// does not answer either: one slow API must not mark the whole server
// down. A request kfsui cancelled says nothing. The server's address may
// have a path (a proxy's), under which /version is.
func TestHealthCountsTimeoutsButNotCancellations(t *testing.T) {
	defer func(d time.Duration) { confirmTimeout = d }(confirmTimeout)
	confirmTimeout = 50 * time.Millisecond
	send := func(rt http.RoundTripper, ctx context.Context) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://example.invalid/k8s/clusters/c-1/apis/metrics.k8s.io/v1beta1/pods", nil)
		_, _ = rt.RoundTrip(req)
	}
	timedOut := func(rt http.RoundTripper) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		send(rt, ctx)
	}

	const version = "/k8s/clusters/c-1/version"
	h := &Health{}
	rt := &healthTransport{next: hangingTransport{}, health: h, ctx: context.Background(), version: version}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	send(rt, ctx)
	if h.State().Down {
		t.Fatal("a cancelled request marked the server down")
	}
	timedOut(rt)
	deadline := time.Now().Add(5 * time.Second)
	for !h.State().Down && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := h.State(); !st.Down || !errors.Is(st.Err, context.DeadlineExceeded) {
		t.Fatalf("a timed-out request, /version silent too: %+v, want down with the deadline", st)
	}

	h = &Health{}
	rt = &healthTransport{next: hangingTransport{version: version}, health: h, ctx: context.Background(), version: version}
	timedOut(rt)
	time.Sleep(200 * time.Millisecond) // the check answers at once
	if rt.checking.Load() || h.State().Down {
		t.Fatalf("a timed-out request while /version answers marked the server down: %+v", h.State())
	}

	// A check still running when the connection closes reports nothing.
	h = &Health{}
	closed, closeConn := context.WithCancel(context.Background())
	rt = &healthTransport{next: hangingTransport{}, health: h, ctx: closed, version: version}
	timedOut(rt)
	closeConn()
	time.Sleep(200 * time.Millisecond)
	if rt.checking.Load() || h.State().Down {
		t.Fatalf("a check outlived its connection: %+v", h.State())
	}
}
