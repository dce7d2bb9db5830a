package testcluster

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// newTestKubelet starts a kubelet for tests that call its handler directly,
// without TLS or an apiserver.
func newTestKubelet(t *testing.T) *Kubelet {
	t.Helper()
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	k, err := startKubelet(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.stop() })
	return k
}

// serve sends a request for target to k's handler and returns the response.
func serve(t *testing.T, k *Kubelet, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	k.srv.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestKubeletErrors(t *testing.T) {
	k := newTestKubelet(t)
	k.registerPod("ns", "p", []string{"app"}, []string{"init"})
	tests := []struct {
		target string
		status int
		body   string
	}{
		{"/containerLogs/ns/nope/app", http.StatusNotFound, `pod "nope" does not exist`},
		{"/containerLogs/ns/p/ghost", http.StatusNotFound, `container "ghost" not found in pod "p"`},
		{"/containerLogs/ns/p/app?previous=true", http.StatusBadRequest, `previous terminated container "app" in pod "p" not found`},
		{"/containerLogs/ns/p/app?tailLines=x", http.StatusBadRequest, `{"message": "Unable to decode query."}`},
		{"/containerLogs/ns/p/app?tailLines=-1", http.StatusUnprocessableEntity, `{"message": "Invalid request."}`},
		{"/containerLogs/ns/p/app?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z", http.StatusUnprocessableEntity, `{"message": "Invalid request."}`},
		{"/containerLogs/ns/p/app?limitBytes=0", http.StatusUnprocessableEntity, `{"message": "Invalid request."}`},
		{"/containerLogs/ns/p/app?stream=Stderr&tailLines=1", http.StatusUnprocessableEntity, `{"message": "Invalid request."}`},
		{"/containerLogs/ns/p/app", http.StatusOK, ""},
		// A completed init container's log is served; following it ends.
		{"/containerLogs/ns/p/init?follow=true", http.StatusOK, ""},
		{"/somethingElse", http.StatusNotFound, "404 page not found\n"},
	}
	for _, tt := range tests {
		rec := serve(t, k, tt.target)
		if rec.Code != tt.status || rec.Body.String() != tt.body {
			t.Errorf("GET %s = %d %q, want %d %q", tt.target, rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}

func TestParseLogRequest(t *testing.T) {
	tests := []struct {
		query string
		check func(LogRequest) bool
	}{
		{"follow=true&previous=1&timestamps=yes", func(r LogRequest) bool { return r.Follow && r.Previous && r.Timestamps }},
		{"follow=false&previous=0&timestamps=FALSE", func(r LogRequest) bool { return !r.Follow && !r.Previous && !r.Timestamps }},
		{"tail=7", func(r LogRequest) bool { return r.TailLines != nil && *r.TailLines == 7 }},
		{"tail=all&tailLines=3", func(r LogRequest) bool { return r.TailLines == nil }},
		{"limitBytes=9&sinceSeconds=60", func(r LogRequest) bool { return *r.LimitBytes == 9 && *r.SinceSeconds == 60 }},
		{"sinceTime=2024-05-06T07:08:09Z", func(r LogRequest) bool {
			return r.SinceTime.Equal(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
		}},
		{"stream=All", func(r LogRequest) bool { return r.Stream == "All" }},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		r, err := parseLogRequest(q)
		if err != nil || !tt.check(r) {
			t.Errorf("parseLogRequest(%q) = %+v, %v", tt.query, r, err)
		}
	}
}

func TestLogWriterRendering(t *testing.T) {
	base := time.Date(2024, 5, 6, 7, 8, 9, 100_000_000, time.UTC)
	at := func(d time.Duration) int64 { return base.Add(d).UnixNano() }
	entries := []logEntry{
		{at(0), "first\n"},
		{at(time.Second), "sec"},
		{at(2 * time.Second), "ond\n"},
		{at(3 * time.Second), "third\n"},
	}
	tests := []struct {
		name string
		req  LogRequest
		want string
	}{
		{"plain", LogRequest{}, "first\nsecond\nthird\n"},
		// RFC3339Nano drops trailing zeros, as in the kubelet's output.
		{"timestamps", LogRequest{Timestamps: true},
			"2024-05-06T07:08:09.1Z first\n2024-05-06T07:08:10.1Z second\n2024-05-06T07:08:12.1Z third\n"},
		{"limit counts the timestamps", LogRequest{Timestamps: true, LimitBytes: new(int64(30))},
			"2024-05-06T07:08:09.1Z first\n2"},
		{"since drops older pieces", LogRequest{SinceTime: new(base.Add(1500 * time.Millisecond))}, "ond\nthird\n"},
		{"stderr only", LogRequest{Stream: "Stderr"}, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		lw := newLogWriter(rec, tt.req, base.Add(time.Hour))
		err := lw.write(entries)
		if got := rec.Body.String(); got != tt.want {
			t.Errorf("%s: wrote %q, want %q", tt.name, got, tt.want)
		}
		if wantLimit := tt.req.LimitBytes != nil; (err == errLimitReached) != wantLimit {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestStoreTrimsOldLines(t *testing.T) {
	k := newTestKubelet(t)
	k.Flood("ns", "p", "app", maxLogLines+floodBatch, 9)
	c, _ := k.lookup("ns", "p", "app")
	c.mu.Lock()
	kept, base := len(c.current.entries), c.current.base
	last := c.current.entries[kept-1].text
	c.mu.Unlock()
	if kept > maxLogLines || base == 0 || base+int64(kept) != maxLogLines+floodBatch {
		t.Errorf("kept %d lines from %d, want at most %d ending at line %d", kept, base, maxLogLines, maxLogLines+floodBatch)
	}
	if want := "001052672\n"; last != want {
		t.Errorf("last line %q, want %q", last, want)
	}
	// A tail reaching into the dropped part starts at the oldest kept.
	body := serve(t, k, "/containerLogs/ns/p/app?tailLines=2000000").Body.String()
	if n := strings.Count(body, "\n"); n != kept {
		t.Errorf("tail of everything returned %d lines, want the %d kept", n, kept)
	}
}

func TestConcurrentWritesStayInTimestampOrder(t *testing.T) {
	k := newTestKubelet(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				k.Write("ns", "p", "app", fmt.Sprintf("writer %d line %d", w, i))
			}
		})
	}
	wg.Go(func() { k.Flood("ns", "p", "app", 10000, 20) })
	wg.Wait()
	c, _ := k.lookup("ns", "p", "app")
	c.mu.Lock()
	defer c.mu.Unlock()
	entries := c.current.entries
	if len(entries) != 4*500+10000 {
		t.Fatalf("log has %d lines, want %d", len(entries), 4*500+10000)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].unixNano <= entries[i-1].unixNano {
			t.Fatalf("line %d (%q) is stamped no later than the line before it", i, entries[i].text)
		}
	}
}
