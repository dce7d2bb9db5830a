package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// runningPod creates a pod of containers in ns and waits until it runs.
func runningPod(t *testing.T, ns, name string, containers ...string) {
	t.Helper()
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pod, err := c.CreatePod(ctx, ns, name, containers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitRunning(ctx, pod); err != nil {
		t.Fatal(err)
	}
}

// dial opens the log socket of path with query, as the page would.
func dial(t *testing.T, ctx context.Context, srv *Server, base, path, query string) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + path + "?" + query
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + srv.Token()}}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (%d)", u, err, status)
	}
	return conn
}

// readLines reads frames until n lines came, and returns them.
func readLines(t *testing.T, ctx context.Context, conn *websocket.Conn, n int) []logFrame {
	t.Helper()
	var got []logFrame
	for len(got) < n {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("after %d lines: %v", len(got), err)
		}
		var f logFrame
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("frame %q: %v", b, err)
		}
		if f.Dropped != 0 {
			t.Fatalf("%d lines dropped for a client that keeps up", f.Dropped)
		}
		if f.TS != "" {
			got = append(got, f)
		}
	}
	return got
}

// A container's log over a WebSocket: one frame a line with its time;
// a client whose socket dropped reconnects with since= the last time it
// got and receives every line written since, none twice.
func TestWebLogSocketResumesWithoutLoss(t *testing.T) {
	srv, hs, _, ns := serve(t)
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runningPod(t, ns, "talker", []string{"app"}...)
	line := func(i int) string { return fmt.Sprintf("line %03d <b>\x1b[31m", i) }
	for i := 1; i <= 5; i++ {
		c.Kubelet().Write(ns, "talker", "app", line(i))
	}
	path := "/namespaces/" + ns + "/pods/talker/logs/app.log"

	conn := dial(t, ctx, srv, hs.URL, path, "follow")
	got := readLines(t, ctx, conn, 3)
	conn.CloseNow() // dropped, with lines 4 and 5 perhaps on their way
	for i := 6; i <= 8; i++ {
		c.Kubelet().Write(ns, "talker", "app", line(i))
	}
	conn = dial(t, ctx, srv, hs.URL, path, "follow&since="+got[2].TS)
	defer conn.CloseNow()
	got = append(got, readLines(t, ctx, conn, 5)...)
	for i, f := range got {
		if f.Line != line(i+1) {
			t.Errorf("line %d: %q, want %q", i+1, f.Line, line(i+1))
		}
		if _, err := time.Parse(time.RFC3339Nano, f.TS); err != nil {
			t.Errorf("line %d's time %q: %v", i+1, f.TS, err)
		}
	}
	// Nothing more: no line twice.
	c.Kubelet().Write(ns, "talker", "app", "last")
	if more := readLines(t, ctx, conn, 1); more[0].Line != "last" {
		t.Errorf("after line 8: %q, want the next line written", more[0].Line)
	}

	// tailLines as kubectl's --tail; without follow the socket closes.
	conn = dial(t, ctx, srv, hs.URL, path, "tailLines=2")
	defer conn.CloseNow()
	tail := readLines(t, ctx, conn, 2)
	if tail[0].Line != line(8) || tail[1].Line != "last" {
		t.Errorf("tailLines=2: %q, %q", tail[0].Line, tail[1].Line)
	}
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Errorf("the end of a log without follow: %v", err)
			}
			break
		}
	}
}

// The socket is refused to a page of another origin (cross-site
// WebSocket hijacking), to a container the pod does not have, and for
// bad options; a directory or a leaf other than a log is no socket.
func TestWebLogSocketRefusals(t *testing.T) {
	srv, hs, _, ns := serve(t)
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.CreatePod(ctx, ns, "quiet", []string{"app"}, nil); err != nil {
		t.Fatal(err)
	}
	base := "ws" + strings.TrimPrefix(hs.URL, "http")
	auth := http.Header{"Authorization": {"Bearer " + srv.Token()}}
	for _, tc := range []struct {
		path, origin string
		status       int
	}{
		{"/namespaces/" + ns + "/pods/quiet/logs/app.log?follow", "https://evil.example", http.StatusForbidden},
		{"/namespaces/" + ns + "/pods/quiet/logs/nosuch.log?follow", "", http.StatusNotFound},
		{"/namespaces/" + ns + "/pods/quiet/logs/app.log?tailLines=-3", "", http.StatusBadRequest},
		{"/namespaces/" + ns + "/pods/quiet/logs/app.log?since=yesterday", "", http.StatusBadRequest},
		{"/namespaces/" + ns + "/pods/quiet/manifest.yaml", "", http.StatusNotFound},
	} {
		h := auth.Clone()
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		conn, resp, err := websocket.Dial(ctx, base+tc.path, &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			conn.CloseNow()
			t.Errorf("%s from %q: upgraded, want %d", tc.path, tc.origin, tc.status)
			continue
		}
		if resp == nil || resp.StatusCode != tc.status {
			t.Errorf("%s from %q: %v, want %d", tc.path, tc.origin, err, tc.status)
		}
	}
	if _, resp, err := websocket.Dial(ctx, base+"/namespaces/"+ns+"/pods/quiet/logs/app.log", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %v", err)
	}
}

// A pod's logs/ directory streams its containers over one socket, merged
// by time, each line naming its container.
func TestWebLogSocketMergesALogsDirectory(t *testing.T) {
	srv, hs, _, ns := serve(t)
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runningPod(t, ns, "pair", []string{"front", "back"}...)
	var want []logFrame
	for i := range 6 {
		src := []string{"front", "back"}[i%2]
		text := fmt.Sprintf("%s says %d", src, i)
		c.Kubelet().Write(ns, "pair", src, text)
		want = append(want, logFrame{Src: src, Line: text})
	}
	conn := dial(t, ctx, srv, hs.URL, "/namespaces/"+ns+"/pods/pair/logs", "follow")
	defer conn.CloseNow()
	got := readLines(t, ctx, conn, len(want))
	for i := range want {
		if got[i].Src != want[i].Src || got[i].Line != want[i].Line {
			t.Errorf("line %d: %s %q, want %s %q", i, got[i].Src, got[i].Line, want[i].Src, want[i].Line)
		}
	}
	c.Kubelet().Write(ns, "pair", "back", "later")
	if more := readLines(t, ctx, conn, 1); more[0].Src != "back" || more[0].Line != "later" {
		t.Errorf("a line written later: %+v", more[0])
	}
}

// A client that does not read while a container floods its log: the
// server keeps at most sendBuffer lines for it and lets the rest go; when
// the client reads again it gets, in order and none twice, the lines
// kept, and frames counting the lines let go, which with them add up to
// every line written.
func TestWebLogSocketBoundsASlowClient(t *testing.T) {
	srv, hs, _, ns := serve(t)
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runningPod(t, ns, "flood", "app")
	conn := dial(t, ctx, srv, hs.URL, "/namespaces/"+ns+"/pods/flood/logs/app.log", "follow&tailLines=0")
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	waitStreams(t, ns, "flood", "app")
	const n = 100000
	c.Kubelet().Flood(ns, "flood", "app", n, 200)
	// Not reading until the server has let lines go: its buffer is full.
	for deadline := time.Now().Add(time.Minute); srv.dropped.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server let no line go for a client that reads nothing")
		}
	}
	got, dropped, last := 0, 0, 0
	for got+dropped < n {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("after %d lines and %d dropped: %v", got, dropped, err)
		}
		var f logFrame
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		switch {
		case f.Dropped > 0:
			dropped += f.Dropped
		case f.TS != "":
			num, _ := strconv.Atoi(f.Line[:9])
			if num <= last {
				t.Fatalf("line %d after line %d", num, last)
			}
			last = num
			got++
		}
	}
	if got+dropped != n || dropped == 0 {
		t.Errorf("%d lines and %d dropped, want %d in all", got, dropped, n)
	}
	t.Logf("a client that stalled: %d lines received, %d let go (the server keeps %d)", got, dropped, sendBuffer)
}
