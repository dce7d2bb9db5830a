package trace

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A nil tracer, tracing being off, records nothing and never fails.
func TestNilTracerDoesNothing(t *testing.T) {
	var tr *Tracer
	tr.Key("j", time.Now())
	tr.Dir("/namespaces", 3, false, 0)
	tr.Leaf("/x", 10, nil)
	tr.LeafLoading("/x")
	tr.Drawn(time.Now())
	tr.Close()
	if tr.Wrap() != nil {
		t.Error("a nil tracer wraps transports")
	}
}

// What the scale bench reads: the first frame once, a key's latency, a
// listing as drawn, and at the end the requests counted by kind.
func TestTracerWritesEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	t.Setenv(Env, path)
	tr := New()
	if tr == nil {
		t.Fatal("New returned nil with KFSUI_TRACE set")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	client := &http.Client{Transport: tr.Wrap()(http.DefaultTransport)}
	for _, q := range []string{"?limit=500", "?watch=true", ""} {
		resp, err := client.Get(srv.URL + "/api/v1/pods" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	tr.Key("Enter", time.Now().Add(-time.Millisecond))
	tr.Dir("/namespaces", 7, false, 0)
	tr.Drawn(time.Now())
	tr.Drawn(time.Now())
	tr.Close()

	counts := map[string]int{}
	var requests map[string]any
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		counts[ev["ev"].(string)]++
		if ev["ev"] == "requests" {
			requests = ev
		}
	}
	if counts["first-frame"] != 1 || counts["key"] != 1 || counts["dir"] != 1 || counts["requests"] != 1 {
		t.Errorf("events %v, want one first-frame, key, dir and requests", counts)
	}
	for k, want := range map[string]float64{"total": 3, "lists": 1, "watches": 1, "gets": 1} {
		if requests[k] != want {
			t.Errorf("requests %s = %v, want %v", k, requests[k], want)
		}
	}
}
