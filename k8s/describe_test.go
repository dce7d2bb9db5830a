package k8s

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A describe's requests end with the leaf's context and with the client's
// own timeout, whichever comes first; an answer is read whole.
func TestContextTransportEndsRequests(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/quick" {
			_, _ = io.WriteString(w, "answer")
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	client := func(ctx context.Context, timeout time.Duration) *http.Client {
		return &http.Client{Timeout: timeout, Transport: &contextTransport{next: http.DefaultTransport, ctx: ctx}}
	}
	resp, err := client(context.Background(), time.Minute).Get(srv.URL + "/quick")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "answer" {
		t.Fatalf("body %q, %v", body, err)
	}

	// The client's timeout holds although ctx never ends.
	start := time.Now()
	if _, err := client(context.Background(), 200*time.Millisecond).Get(srv.URL + "/hang"); err == nil {
		t.Fatal("a hanging request outlived the client's timeout")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the client's timeout ended the request after %v", d)
	}

	// ctx ending ends the request, with no timeout at all.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err = client(ctx, 0).Get(srv.URL + "/hang")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("with ctx cancelled: %v, want context.Canceled", err)
	}
	// Once ended, no request goes out.
	if _, err := client(ctx, 0).Get(srv.URL + "/quick"); !errors.Is(err, context.Canceled) {
		t.Fatalf("after ctx ended: %v, want context.Canceled", err)
	}
}
