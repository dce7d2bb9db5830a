package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// A container's log as a WebSocket: GET <path of a .log leaf> with the
// Upgrade header, and kubectl logs's options as query parameters (a
// logs/ directory streams all its logs merged by time, as kfsui tail
// prints them, each frame naming its source in "src"; since= then
// resumes every source after T):
//
//	follow           keep streaming (reconnecting to the cluster as the
//	                 log panes do, without repeating a line)
//	tailLines=N      the last N lines first (kubectl's --tail)
//	sinceSeconds=N   lines of the last N seconds
//	since=T          resume: the lines after the one stamped T (RFC 3339,
//	                 the "ts" of the last frame received); sinceCount=K
//	                 when the client has K lines stamped exactly T (1 if
//	                 not given)
//	previous         the container's previous instance
//	timestamps       accepted for kubectl's sake: every frame has its time
//	batch            the lines that wait together go as one frame by
//	                 column, {"ts": [...], "line": [...], "src": [...]}
//	                 (at most maxBatch lines): for a browser's page, which
//	                 takes a frame in tens of microseconds and so could
//	                 not take a flood's lines one frame each
//
// Each line is one text frame, {"ts": "<RFC 3339 with nanoseconds>",
// "line": "<text>"}. Other frames say what happened: {"dropped": N} when
// the client read too slowly and N lines were let go (the server keeps at
// most sendBuffer lines for a socket, never more), {"state": "...",
// "detail": "..."} as the follower's state changes (following,
// reconnecting, ended: pod deleted, error: forbidden).

// sendBuffer is how many lines a socket holds for a client that reads
// slower than the container writes.
const sendBuffer = 10000

// logFrame is one frame sent.
type logFrame struct {
	Src     string `json:"src,omitempty"` // in a logs/ directory's stream
	TS      string `json:"ts,omitempty"`
	Line    string `json:"line,omitempty"`
	Dropped int    `json:"dropped,omitempty"`
	State   string `json:"state,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// isUpgrade reports whether a request asks for a WebSocket.
func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// followOptions reads kubectl logs's options from a query.
func followOptions(q url.Values) (k8s.FollowOptions, error) {
	o := k8s.FollowOptions{Follow: q.Has("follow"), Previous: q.Has("previous")}
	if v := q.Get("tailLines"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return o, fmt.Errorf("tailLines=%q: want a number of lines", v)
		}
		o.TailLines, o.NoHistory = n, n == 0
	}
	if v := q.Get("sinceSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("sinceSeconds=%q: want a positive number of seconds", v)
		}
		o.Since = time.Duration(n) * time.Second
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return o, fmt.Errorf("since=%q: want an RFC 3339 time such as 2026-12-04T06:00:00.123456789Z", v)
		}
		o.After, o.AfterN = t, 1
		o.TailLines, o.NoHistory, o.Since = 0, false, 0
		if c := q.Get("sinceCount"); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 0 {
				return o, fmt.Errorf("sinceCount=%q: want a number of lines", c)
			}
			o.AfterN = n
		}
	}
	return o, nil
}

// serveLogSocket streams a .log leaf, or every log below a logs/
// directory merged by time (each line naming its source), over a
// WebSocket.
func (s *Server) serveLogSocket(w http.ResponseWriter, r *http.Request, t target) {
	merged := t.path.Kind == model.KindLogsDir || t.path.Kind == model.KindPodLogsDir
	if t.path.Kind != model.KindLog && !merged {
		http.Error(w, "kfsui web: "+t.path.String()+": only a .log leaf or a logs/ directory streams over a WebSocket", http.StatusNotFound)
		return
	}
	opts, err := followOptions(r.URL.Query())
	if err != nil {
		http.Error(w, "kfsui web: "+err.Error(), http.StatusBadRequest)
		return
	}
	src := t.tree.Logs
	if src == nil {
		http.Error(w, "kfsui web: no logs for this context", http.StatusNotFound)
		return
	}
	// The same checks as the tree: the pod, the container; a logs/
	// directory's object from the caches (its follower lists the pods).
	ctx, cancel := context.WithTimeout(r.Context(), s.wait)
	err = t.tree.FS.Exists(ctx, t.path)
	cancel()
	if err != nil {
		http.Error(w, "kfsui web: "+model.OneLine(err), statusOf(err))
		return
	}
	// coder/websocket refuses an Origin other than the Host: a page of
	// another site cannot open the socket with the user's cookie. A
	// client that offers permessage-deflate (a browser) gets its large
	// frames compressed, each on its own with a pooled compressor: a
	// page's batches of log lines shrink tenfold, which keeps a flood
	// within what the browser takes.
	cw := &corking{ResponseWriter: w}
	conn, err := websocket.Accept(cw, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	// The client sends nothing; its close ends ctx. The followers end
	// with ctx, and are waited for before the handler returns.
	ctx, stop := context.WithCancel(conn.CloseRead(r.Context()))
	q := newLineQueue(sendBuffer)
	send := func(f logFrame) {
		if !q.put(f) {
			s.dropped.Add(1)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if merged {
			followMerged(ctx, t, src, opts, send)
		} else {
			followOne(ctx, t.path, src, opts, send)
		}
	}()
	defer func() {
		stop()
		<-done
	}()
	err = writeFrames(ctx, conn, cw.conn, q, done, r.URL.Query().Has("batch"))
	if err == nil || errors.Is(err, context.Canceled) {
		conn.Close(websocket.StatusNormalClosure, "")
	}
}

// followOne sends the lines of .log leaf p until the log ends or ctx
// does.
func followOne(ctx context.Context, p model.Path, src k8s.FollowSource, opts k8s.FollowOptions, send func(logFrame)) {
	target := k8s.LogTarget{Namespace: p.Namespace, Pod: p.PodName(), Container: p.Container}
	f := k8s.NewFollower(src, src, target, opts,
		func(l k8s.LogLine) {
			if !l.Partial {
				send(logFrame{TS: k8s.FormatTimestamp(l.Time), Line: l.Text})
			}
		},
		func(st k8s.FollowState, detail string) { send(logFrame{State: st.String(), Detail: detail}) })
	f.Start(ctx)
	<-f.Done()
}

// followMerged sends the lines of every log below t's logs/ directory,
// merged by time, each naming its source, until they end or ctx does.
func followMerged(ctx context.Context, t target, src k8s.FollowSource, opts k8s.FollowOptions, send func(logFrame)) {
	err := t.tree.FS.FollowLogsDir(ctx, src, t.path, opts, model.MergeSink{
		Lines: func(lines []model.MergedLine) {
			for _, l := range lines {
				send(logFrame{Src: l.Source, TS: k8s.FormatTimestamp(l.Line.Time), Line: l.Line.Text})
			}
		},
		State: func(source string, st k8s.FollowState, detail string) {
			send(logFrame{Src: source, State: st.String(), Detail: detail})
		},
		Gone: func(model.Path) { send(logFrame{State: k8s.StateEnded.String(), Detail: "deleted"}) },
	})
	if err != nil && ctx.Err() == nil {
		send(logFrame{State: k8s.StateFailed.String(), Detail: model.OneLine(err)})
	}
}
