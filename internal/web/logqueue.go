package web

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// A log socket's lines wait in a lineQueue between the follower and the
// client: at most sendBuffer of them, and memory for only as many as wait
// (a socket whose client keeps up holds a few). The writer takes all that
// wait at once and writes them corked: each line is a WebSocket message
// of its own, and a burst of them is one write to the network.

// lineQueue is the frames waiting for a socket's client.
type lineQueue struct {
	mu     sync.Mutex
	frames []logFrame
	lost   int           // lines let go since the client last heard of it
	ready  chan struct{} // holds a token while frames or lost wait
	max    int
}

func newLineQueue(max int) *lineQueue {
	return &lineQueue{ready: make(chan struct{}, 1), max: max}
}

// put queues f, or counts it lost when max frames wait already. It
// reports whether f was queued.
func (q *lineQueue) put(f logFrame) bool {
	q.mu.Lock()
	queued := len(q.frames) < q.max
	if queued {
		q.frames = append(q.frames, f)
	} else {
		q.lost++
	}
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return queued
}

// take returns every frame waiting and the count of those let go since
// the last take, reusing spare's memory for what comes next.
func (q *lineQueue) take(spare []logFrame) ([]logFrame, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out, lost := q.frames, q.lost
	if cap(spare) > 4096 {
		spare = nil // a burst's memory goes back once it has passed
	}
	q.frames, q.lost = spare[:0], 0
	return out, lost
}

// corkedConn is a log socket's connection. While corked, what the socket
// writes collects in memory; uncork sends it in one write.
type corkedConn struct {
	net.Conn
	mu     sync.Mutex
	buf    []byte
	corked bool
}

func (c *corkedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		c.buf = append(c.buf, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *corkedConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork sends what collected, within timeout.
func (c *corkedConn) uncork(timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	if len(c.buf) == 0 {
		return nil
	}
	_ = c.Conn.SetWriteDeadline(time.Now().Add(timeout))
	_, err := c.Conn.Write(c.buf)
	_ = c.Conn.SetWriteDeadline(time.Time{})
	if cap(c.buf) > 1<<20 {
		c.buf = nil
	} else {
		c.buf = c.buf[:0]
	}
	return err
}

// corking is a ResponseWriter whose hijacked connection is a corkedConn,
// for websocket.Accept.
type corking struct {
	http.ResponseWriter
	conn *corkedConn
}

func (w *corking) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// The switch of protocols may still be in the server's buffer.
	if err := brw.Writer.Flush(); err != nil {
		c.Close()
		return nil, nil, err
	}
	w.conn = &corkedConn{Conn: c}
	return w.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(w.conn, 32<<10)), nil
}

// writeTimeout bounds one write to a client: one that takes nothing for
// this long is gone.
const writeTimeout = 30 * time.Second

// maxBatch bounds the lines of one frame of a batching socket, and
// batchEvery is the least time between two of its bursts: a person sees
// no delay of 10 ms, and a flood comes a thousand lines a frame.
const (
	maxBatch   = 1000
	batchEvery = 10 * time.Millisecond
)

// writeFrames writes the queue's frames as they come, each burst corked,
// with a count of the lines let go after the lines queued before them,
// until the follower is done and every frame is written, or the socket
// fails. When batch, the lines queued together go as one frame by
// column, {"ts": [...], "line": [...], "src": [...]} ("src" in a logs/
// directory's stream), at most maxBatch a frame; other frames go as they
// are, in their order among the lines.
func writeFrames(ctx context.Context, conn *websocket.Conn, cc *corkedConn, q *lineQueue, done <-chan struct{}, batch bool) error {
	var frames []logFrame
	var b []byte
	write := func() error { return conn.Write(ctx, websocket.MessageText, b) }
	one := func(f logFrame) error {
		b = appendFrame(b[:0], f)
		return write()
	}
	// lines writes fs, all lines, as one frame by column:
	// {"ts": [...], "line": [...], "src": [...]}.
	lines := func(fs []logFrame) error {
		b = append(b[:0], '{')
		column := func(name string, of func(logFrame) string) {
			b = append(b, '"')
			b = append(b, name...)
			b = append(b, '"', ':', '[')
			for k, f := range fs {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, of(f))
			}
			b = append(b, ']')
		}
		column("ts", func(f logFrame) string { return f.TS })
		b = append(b, ',')
		column("line", func(f logFrame) string { return f.Line })
		if fs[0].Src != "" {
			b = append(b, ',')
			column("src", func(f logFrame) string { return f.Src })
		}
		b = append(b, '}')
		return write()
	}
	flush := func() error {
		var lost int
		frames, lost = q.take(frames)
		if len(frames) == 0 && lost == 0 {
			return nil
		}
		cc.cork()
		for i := 0; i < len(frames); {
			if !batch || frames[i].TS == "" {
				if err := one(frames[i]); err != nil {
					return err
				}
				i++
				continue
			}
			j := i
			for j < len(frames) && j-i < maxBatch && frames[j].TS != "" {
				j++
			}
			if err := lines(frames[i:j]); err != nil {
				return err
			}
			i = j
		}
		if lost > 0 {
			if err := one(logFrame{Dropped: lost}); err != nil {
				return err
			}
		}
		return cc.uncork(writeTimeout)
	}
	for {
		select {
		case <-q.ready:
			if err := flush(); err != nil {
				return err
			}
		case <-done:
			return flush()
		case <-ctx.Done():
			return ctx.Err()
		}
		if batch {
			// A page's frame costs it tens of microseconds whatever it
			// holds: what comes in the next moment waits to come with
			// the lines after it, at most batchEvery late.
			select {
			case <-time.After(batchEvery):
			case <-done:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// appendFrame appends f's JSON to b, as encoding/json writes it (empty
// fields left out) but without its reflection: a flood's lines are
// encoded a hundred thousand a second.
func appendFrame(b []byte, f logFrame) []byte {
	b = append(b, '{')
	n := len(b)
	field := func(name, v string) {
		if v == "" {
			return
		}
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendJSONString(b, v)
	}
	field("src", f.Src)
	field("ts", f.TS)
	field("line", f.Line)
	if f.Dropped != 0 {
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, `"dropped":`...)
		b = strconv.AppendInt(b, int64(f.Dropped), 10)
	}
	field("state", f.State)
	field("detail", f.Detail)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped (as encoding/json does, for JavaScript's sake).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
