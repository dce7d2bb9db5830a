package testcluster

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Bounds on one container run's log. A Flood of millions of lines must not
// keep them all: past either bound the oldest quarter is dropped, the way
// a node's log rotation drops old files. A follower that falls that far
// behind skips the dropped lines, as it would on a real node.
const (
	maxLogLines = 1 << 20
	maxLogBytes = 128 << 20
)

// logEntry is one record of a container's log as a container runtime keeps
// it: a piece of output and the time the runtime received it. text is
// never empty and ends in a newline unless the container had not finished
// the line (a CRI "partial" record), in which case the next entry
// continues it.
type logEntry struct {
	unixNano int64
	text     string
}

// partial reports whether the entry ends without a newline.
func (e logEntry) partial() bool {
	return !strings.HasSuffix(e.text, "\n")
}

// run is the log of one run of a container. Entries are only ever
// appended (or dropped from the front when trimming), never changed, so a
// follower may keep a sub-slice of entries and read it without the lock.
type run struct {
	entries []logEntry
	// base is the index, counted from the run's first entry ever, of
	// entries[0]; it grows when old entries are trimmed, so followers can
	// keep positions that stay valid across trims.
	base  int64
	bytes int
	// done means the run has ended: followers write what is left and end,
	// like the kubelet's follow of a container that exited.
	done bool
	// wake is closed at the next change; nil while nobody waits.
	wake    chan struct{}
	streams map[*followStream]struct{}
}

// followStream is one open follow request.
type followStream struct {
	// dropped is closed by DropStreams to make the handler abort its
	// connection.
	dropped chan struct{}
}

func newRun(done bool) *run {
	return &run{done: done, streams: make(map[*followStream]struct{})}
}

// end returns the position after the run's last entry.
func (r *run) end() int64 {
	return r.base + int64(len(r.entries))
}

// add appends entries, trims, and wakes followers.
func (r *run) add(entries []logEntry) {
	if len(entries) == 0 {
		return
	}
	r.entries = append(r.entries, entries...)
	for _, e := range entries {
		r.bytes += len(e.text)
	}
	if len(r.entries) > maxLogLines || r.bytes > maxLogBytes {
		drop := len(r.entries) / 4
		for _, e := range r.entries[:drop] {
			r.bytes -= len(e.text)
		}
		// A fresh array, so that the dropped entries can be freed once
		// no follower holds a slice of the old one.
		r.entries = slices.Clone(r.entries[drop:])
		r.base += int64(drop)
	}
	r.signal()
}

// signal wakes every waiting follower.
func (r *run) signal() {
	if r.wake != nil {
		close(r.wake)
		r.wake = nil
	}
}

// waiter returns a channel closed at the run's next change.
func (r *run) waiter() <-chan struct{} {
	if r.wake == nil {
		r.wake = make(chan struct{})
	}
	return r.wake
}

// since returns the entries from position pos on; a position already
// trimmed away continues at the oldest entry kept.
func (r *run) since(pos int64) []logEntry {
	pos = max(pos, r.base)
	return r.entries[pos-r.base:]
}

// containerLog holds the logs of one container: its current run and, once
// it has restarted, the run before.
type containerLog struct {
	mu       sync.Mutex
	current  *run
	previous *run // nil: no earlier run, so previous=true is an error
}

// newContainerLog returns an empty log. A terminated container (an init
// container that completed) has a current run that is already done.
func newContainerLog(terminated bool) *containerLog {
	return &containerLog{current: newRun(terminated)}
}

func (c *containerLog) append(entries []logEntry) {
	c.mu.Lock()
	c.current.add(entries)
	c.mu.Unlock()
}

// appendNow stamps entries with consecutive timestamps from clock and
// appends them. Stamping under the lock keeps concurrent writers' lines
// in timestamp order in the log.
func (c *containerLog) appendNow(clock *logClock, entries []logEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := clock.reserve(len(entries))
	for i := range entries {
		entries[i].unixNano = first + int64(i)
	}
	c.current.add(entries)
}

// restart ends the current run and starts an empty one.
func (c *containerLog) restart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.current
	old.done = true
	clear(old.streams) // they end on their own once they drain old
	old.signal()
	c.previous = old
	c.current = newRun(false)
}

// setPrevious replaces the previous run's log with entries.
func (c *containerLog) setPrevious(entries []logEntry) {
	prev := newRun(true)
	prev.add(entries)
	c.mu.Lock()
	c.previous = prev
	c.mu.Unlock()
}

// firstTime returns the current run's oldest timestamp, or false when the
// run is empty.
func (c *containerLog) firstTime() (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.current.entries) == 0 {
		return 0, false
	}
	return c.current.entries[0].unixNano, true
}

// dropStreams makes every follower of the current run abort and forgets
// them at once, so OpenStreams is 0 as soon as it returns.
func (c *containerLog) dropStreams() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.current.streams)
	for s := range c.current.streams {
		close(s.dropped)
	}
	clear(c.current.streams)
	return n
}

// end marks the run done, forgetting its followers; they drain and end.
// Used when a pod is registered again under the same name.
func (c *containerLog) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current.done = true
	clear(c.current.streams)
	c.current.signal()
}

func (c *containerLog) openStreams() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.current.streams)
}

// logClock hands out the timestamps of written lines: the current time,
// but never the same or an earlier one than the last handed out, so lines
// written in one burst still have distinct, increasing timestamps (and
// merging logs by timestamp is stable).
type logClock struct {
	mu   sync.Mutex
	last int64
}

// reserve returns the first of n consecutive unused timestamps.
func (c *logClock) reserve(n int) int64 {
	now := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	first := max(now, c.last+1)
	c.last = first + int64(n) - 1
	return first
}

// splitEntries cuts data into entries at its newlines, as a container
// runtime does with a container's output; a last piece without a newline
// becomes a partial entry. Entries get timestamps first, first+1, ...
func splitEntries(data string, first int64) []logEntry {
	entries := make([]logEntry, 0, strings.Count(data, "\n")+1)
	for data != "" {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			i = len(data) - 1
		}
		entries = append(entries, logEntry{unixNano: first + int64(len(entries)), text: data[:i+1]})
		data = data[i+1:]
	}
	return entries
}
