package mount

import (
	"bytes"
	"context"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/kfsui/kfsui/k8s"
)

// A .log holds a container's last lines (the model's log tail, --tail)
// and, while a reader holds it open, grows as the container writes: tail
// -f sees its size grow and reads on. The history comes from one request
// of its own, so an open returns with it in place; the live stream then
// resumes after its last line, as a log pane reconnects, without
// repeating or losing a line. Only complete lines are in the file: an
// unfinished last line comes once its newline does, or when the log ends.

// logResume is where a log's history ends: the last line's timestamp, and
// how many lines carried exactly it; since is when the history was asked
// for, from where a stream resumes after an empty history.
type logResume struct {
	last  time.Time
	lastN int
	since time.Time
}

// fetchLog reads the log's history: the last lines, complete ones only.
func (f *file) fetchLog(ctx context.Context) (*text, error) {
	target, err := f.tree.FS.LogTarget(ctx, f.path)
	if err != nil {
		return nil, err
	}
	t := &text{resume: logResume{since: time.Now()}}
	var buf bytes.Buffer
	s := k8s.NewStream(f.tree.Logs, target, k8s.LogOptions{TailLines: f.tree.FS.LogTailLines()}, func(l k8s.LogLine) {
		if l.Partial {
			return
		}
		buf.WriteString(l.Text)
		buf.WriteByte('\n')
		t.resume.record(l)
	})
	s.Start(ctx)
	<-s.Done()
	if err := s.Err(); err != nil {
		return nil, err
	}
	t.data, t.mtime = buf.Bytes(), t.resume.last
	return t, nil
}

func (r *logResume) record(l k8s.LogLine) {
	switch {
	case l.Time.IsZero():
	case l.Time.Equal(r.last):
		r.lastN++
	default:
		r.last, r.lastN = l.Time, 1
	}
}

// liveLog is a log growing while it is open: its bytes from offset base
// on, at most the mount's LogBytes of them.
//
// Concurrency: safe from any goroutine.
type liveLog struct {
	max      int
	follower *k8s.Follower

	mu      sync.Mutex
	buf     []byte
	base    int64
	mtime   time.Time
	pending string // an unfinished last line, written when the log ends
}

// startLive starts following f's log after history t.
func startLive(f *file, t *text) *liveLog {
	l := &liveLog{max: f.m.o.LogBytes, buf: append([]byte(nil), t.data...), mtime: t.mtime}
	target := k8s.LogTarget{Namespace: f.path.Namespace, Pod: f.path.PodName(), Container: f.path.Container}
	o := k8s.FollowOptions{Follow: true, After: t.resume.last, AfterN: t.resume.lastN}
	if t.resume.last.IsZero() {
		// Nothing before: every line since the history was asked for
		// is new.
		o.SinceTime = t.resume.since
	}
	l.follower = k8s.NewFollower(f.tree.Logs, f.tree.Logs, target, o, l.add, func(st k8s.FollowState, detail string) {
		switch st {
		case k8s.StateEnded:
			l.end()
		case k8s.StateFailed:
			l.end()
			f.m.tell(f.tree, f.path, errorString(detail))
		}
	})
	l.follower.Start(f.m.ctx)
	return l
}

type errorString string

func (e errorString) Error() string { return string(e) }

func (l *liveLog) add(line k8s.LogLine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if line.Partial {
		l.pending = line.Text
		return
	}
	l.pending = ""
	l.appendLocked(line.Text)
	if !line.Time.IsZero() {
		l.mtime = line.Time
	}
}

// end writes out an unfinished last line: the log will not finish it.
func (l *liveLog) end() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending != "" {
		l.appendLocked(l.pending)
		l.pending = ""
	}
}

func (l *liveLog) appendLocked(text string) {
	l.buf = append(l.buf, text...)
	l.buf = append(l.buf, '\n')
	if len(l.buf) <= l.max {
		return
	}
	// Keep the newer half, from a line's start.
	cut := len(l.buf) - l.max/2
	if i := bytes.IndexByte(l.buf[cut:], '\n'); i >= 0 {
		cut += i + 1
	}
	l.buf = append([]byte(nil), l.buf[cut:]...)
	l.base += int64(cut)
}

func (l *liveLog) size() (int64, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.base + int64(len(l.buf)), l.mtime
}

// read copies what is at off into dest. A reader so far behind that its
// bytes were dropped gets EIO.
func (l *liveLog) read(dest []byte, off int64) (int, syscall.Errno) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if off < l.base {
		return 0, syscall.EIO
	}
	i := off - l.base
	if i >= int64(len(l.buf)) {
		return 0, 0
	}
	return copy(dest, l.buf[i:]), 0
}

func (l *liveLog) close() { l.follower.Close() }

// logHandle reads a live log.
type logHandle struct {
	f    *file
	live *liveLog
}

func (h *logHandle) Read(_ context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n, errno := h.live.read(dest, off)
	if errno != 0 {
		return nil, errno
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (h *logHandle) Getattr(_ context.Context, out *fuse.AttrOut) syscall.Errno {
	size, mtime := h.live.size()
	h.f.m.fileAttr(&out.Attr, size, mtime)
	return 0
}

func (h *logHandle) Release(context.Context) syscall.Errno {
	h.f.release()
	return 0
}
