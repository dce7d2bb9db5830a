package testcluster

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// LogRequest is one container log request the fake kubelet received: the
// container, and the query parsed the way the kubelet parses it (absent
// options are nil or false). It shows what the apiserver forwarded, which
// is not always what the client asked for: sinceTime, for one, arrives
// with whole seconds only.
type LogRequest struct {
	Namespace, Pod, Container string

	Follow     bool
	Previous   bool
	Timestamps bool
	TailLines  *int64
	LimitBytes *int64
	// SinceSeconds and SinceTime, at most one of which is valid.
	SinceSeconds *int64
	SinceTime    *time.Time
	// Stream is "All", "Stdout" or "Stderr" when the apiserver's
	// PodLogsQuerySplitStreams feature adds it, else "". The fake's
	// containers write only to stdout.
	Stream string

	// RawQuery is the query string exactly as received.
	RawQuery string
}

// valid reports whether the kubelet accepts the options, by the rules of
// the apiserver's ValidatePodLogOptions, which the kubelet applies again.
func (r LogRequest) valid() bool {
	switch {
	case r.TailLines != nil && *r.TailLines < 0,
		r.LimitBytes != nil && *r.LimitBytes < 1,
		r.SinceSeconds != nil && r.SinceTime != nil,
		r.SinceSeconds != nil && *r.SinceSeconds < 1:
		return false
	}
	switch r.Stream {
	case "", "All":
		return true
	case "Stdout", "Stderr":
		return r.TailLines == nil
	}
	return false
}

// parseLogRequest reads a containerLogs query as the kubelet's parameter
// codec does: a flag is true when present with any value other than
// "false" or "0", and the legacy "tail" parameter stands for tailLines.
func parseLogRequest(q url.Values) (LogRequest, error) {
	r := LogRequest{
		Follow:     queryBool(q, "follow"),
		Previous:   queryBool(q, "previous"),
		Timestamps: queryBool(q, "timestamps"),
		Stream:     q.Get("stream"),
	}
	if tail := q.Get("tail"); tail != "" {
		q.Del("tailLines")
		if tail != "all" {
			q.Set("tailLines", tail)
		}
	}
	var errs []error
	for name, dst := range map[string]**int64{
		"tailLines":    &r.TailLines,
		"limitBytes":   &r.LimitBytes,
		"sinceSeconds": &r.SinceSeconds,
	} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			errs = append(errs, err)
			*dst = &n
		}
	}
	if v := q.Get("sinceTime"); v != "" && v != "null" {
		t, err := time.Parse(time.RFC3339, v)
		errs = append(errs, err)
		r.SinceTime = &t
	}
	return r, errors.Join(errs...)
}

func queryBool(q url.Values, name string) bool {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return false
	}
	return vs[0] != "0" && !strings.EqualFold(vs[0], "false")
}

// serveContainerLogs answers GET /containerLogs/{namespace}/{pod}/{container}
// with the status codes and messages of the kubelet's getContainerLogs.
func (k *Kubelet) serveContainerLogs(w http.ResponseWriter, r *http.Request) {
	req, err := parseLogRequest(r.URL.Query())
	req.Namespace, req.Pod, req.Container = r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	req.RawQuery = r.URL.RawQuery
	k.record(req)
	if err != nil {
		writeKubeletError(w, http.StatusBadRequest, `{"message": "Unable to decode query."}`)
		return
	}
	if !req.valid() {
		writeKubeletError(w, http.StatusUnprocessableEntity, `{"message": "Invalid request."}`)
		return
	}
	c, notFound := k.lookup(req.Namespace, req.Pod, req.Container)
	if c == nil {
		writeKubeletError(w, http.StatusNotFound, notFound)
		return
	}
	k.streamLog(w, r, c, req)
}

// writeKubeletError answers as the kubelet's go-restful WriteError does:
// the status and the bare message, which the apiserver then quotes as the
// message of its own error.
func writeKubeletError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg)
}

// streamLog writes the requested part of c's log and, when following a
// running container, everything appended later, until the run ends, the
// client leaves, DropStreams aborts the stream, or the kubelet stops.
//
// Nothing, not even the response headers, is sent before the first byte
// of log, as with the real kubelet.
func (k *Kubelet) streamLog(w http.ResponseWriter, r *http.Request, c *containerLog, req LogRequest) {
	lw := newLogWriter(w, req, time.Now())

	c.mu.Lock()
	run := c.current
	if req.Previous {
		run = c.previous
		if run == nil {
			c.mu.Unlock()
			writeKubeletError(w, http.StatusBadRequest,
				fmt.Sprintf("previous terminated container %q in pod %q not found", req.Container, req.Pod))
			return
		}
	}
	start := run.base
	if req.TailLines != nil {
		start = max(start, run.end()-*req.TailLines)
	}
	pending, pos := run.since(start), run.end()
	var stream *followStream
	if req.Follow && !run.done {
		stream = &followStream{dropped: make(chan struct{})}
		run.streams[stream] = struct{}{}
	}
	c.mu.Unlock()
	if stream != nil {
		defer func() {
			c.mu.Lock()
			delete(run.streams, stream)
			c.mu.Unlock()
		}()
	}

	for {
		if stream != nil {
			select {
			case <-stream.dropped:
				// net/http aborts the connection (HTTP/1) or resets the
				// stream (HTTP/2) without logging anything.
				panic(http.ErrAbortHandler)
			default:
			}
		}
		if err := lw.write(pending); err != nil || stream == nil {
			return
		}
		c.mu.Lock()
		pending, pos = run.since(pos), run.end()
		done := run.done
		var wake <-chan struct{}
		if len(pending) == 0 && !done {
			wake = run.waiter()
		}
		c.mu.Unlock()
		if len(pending) > 0 {
			continue
		}
		if done {
			return
		}
		select {
		case <-wake:
		case <-stream.dropped:
			panic(http.ErrAbortHandler)
		case <-r.Context().Done():
			return
		case <-k.done:
			return
		}
	}
}

// flushSize is how much output logWriter collects before writing and
// flushing: the kubelet flushes every write, and this keeps a flood from
// becoming one tiny TLS record per line.
const flushSize = 32 << 10

// errLimitReached ends a stream at limitBytes, like the kubelet's
// errMaximumWrite.
var errLimitReached = errors.New("limitBytes reached")

// logWriter renders entries the way the kubelet's log writer does.
type logWriter struct {
	w       io.Writer
	flusher http.Flusher
	// stdout is false when only stderr was asked for, which the fake's
	// containers never write.
	stdout     bool
	timestamps bool
	since      int64 // skip entries older than this (Unix ns); 0: none
	remain     int64 // bytes left under limitBytes; negative: no limit
	// lineStart is true when the next entry begins a line, which is
	// where a timestamp goes; a partial entry's continuation gets none.
	lineStart bool
	buf       []byte
}

// newLogWriter sets w up for req, received at now, with the kubelet's
// rules: sinceSeconds counts back from now, and of sinceSeconds and
// sinceTime the later wins.
func newLogWriter(w http.ResponseWriter, req LogRequest, now time.Time) *logWriter {
	lw := &logWriter{
		w:          w,
		stdout:     req.Stream != "Stderr",
		timestamps: req.Timestamps,
		remain:     -1,
		lineStart:  true,
	}
	lw.flusher, _ = w.(http.Flusher)
	if req.LimitBytes != nil {
		lw.remain = *req.LimitBytes
	}
	var since time.Time
	if req.SinceSeconds != nil {
		since = now.Add(-time.Duration(*req.SinceSeconds) * time.Second)
	}
	if req.SinceTime != nil && req.SinceTime.After(since) {
		since = *req.SinceTime
	}
	if !since.IsZero() {
		lw.since = since.UnixNano()
	}
	return lw
}

// write renders entries and sends them, flushing as it goes. It returns
// errLimitReached once limitBytes are sent (cutting the last line short,
// as the kubelet does) and the client's error when it has gone.
func (lw *logWriter) write(entries []logEntry) error {
	if !lw.stdout {
		return nil
	}
	for _, e := range entries {
		if e.unixNano < lw.since {
			continue
		}
		start := len(lw.buf)
		if lw.timestamps && lw.lineStart {
			lw.buf = time.Unix(0, e.unixNano).UTC().AppendFormat(lw.buf, time.RFC3339Nano)
			lw.buf = append(lw.buf, ' ')
		}
		lw.buf = append(lw.buf, e.text...)
		lw.lineStart = !e.partial()
		if lw.remain >= 0 {
			n := int64(len(lw.buf) - start)
			if n >= lw.remain {
				lw.buf = lw.buf[:start+int(lw.remain)]
				if err := lw.flush(); err != nil {
					return err
				}
				return errLimitReached
			}
			lw.remain -= n
		}
		if len(lw.buf) >= flushSize {
			if err := lw.flush(); err != nil {
				return err
			}
		}
	}
	return lw.flush()
}

// flush sends what is buffered and flushes it to the client.
func (lw *logWriter) flush() error {
	if len(lw.buf) == 0 {
		return nil
	}
	_, err := lw.w.Write(lw.buf)
	lw.buf = lw.buf[:0]
	if err != nil {
		return err
	}
	if lw.flusher != nil {
		lw.flusher.Flush()
	}
	return nil
}
