package model

import (
	"sort"

	"github.com/kfsui/kfsui/k8s"
)

// DefaultLogBuffer is how many lines a log pane keeps unless told otherwise.
const DefaultLogBuffer = 50000

// LogBuffer holds a log pane's lines, at most max of them: the oldest go
// first, and every line that goes is counted. Lines are addressed by
// sequence number: the first line ever kept is 0, and a line keeps its
// number until evicted (an ordered buffer renumbers the lines after an
// insertion in the middle, and says so).
//
// Concurrency: not safe for concurrent use; the log pane owns it.
type LogBuffer struct {
	max     int
	ordered bool
	lines   []k8s.LogLine
	start   int   // lines[start:] are kept; the rest wait for compaction
	evicted int64 // lines dropped because of max
	cleared int64 // lines the user cleared
	lost    int64 // lines dropped before they reached the buffer (Drop)
}

// NewLogBuffer returns an empty buffer of at most max lines (max <= 0 means
// DefaultLogBuffer). An ordered buffer keeps its lines sorted by time, for
// panes that merge several containers.
func NewLogBuffer(max int, ordered bool) *LogBuffer {
	if max <= 0 {
		max = DefaultLogBuffer
	}
	return &LogBuffer{max: max, ordered: ordered}
}

// AppendResult says what an Append did.
type AppendResult struct {
	Added    int  // new lines (a completed partial line is not new)
	Evicted  int  // lines dropped to stay within the bound
	Reindex  bool // lines were inserted before the end: numbers shifted
	Replaced bool // a partial line was replaced
	// From is the first sequence number whose line changed (replaced, or
	// moved by an insertion); lines before it are as they were. Without
	// Reindex or Replaced it is where the added lines start.
	From int64
}

// Append adds a batch of lines in arrival order. A line from the same
// container as a partial line still open replaces it. An ordered buffer
// merges the batch in by time in one pass, however old its lines are.
func (b *LogBuffer) Append(batch []k8s.LogLine) AppendResult {
	r := AppendResult{From: b.End()}
	fresh := make([]k8s.LogLine, 0, len(batch))
	for _, l := range batch {
		// The partial line l completes may have come in this same batch.
		if i := partialIn(fresh, l, b.ordered); i >= 0 {
			fresh[i] = l
			continue
		}
		if i := b.partialOf(l); i >= 0 {
			b.lines[i] = l
			r.Replaced = true
			r.From = min(r.From, b.seqOf(i))
			continue
		}
		fresh = append(fresh, l)
	}
	r.Added = len(fresh)
	if b.ordered && len(fresh) > 0 {
		sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].Time.Before(fresh[j].Time) })
		if n := len(b.lines); n > b.start && fresh[0].Time.Before(b.lines[n-1].Time) {
			r.From = min(r.From, b.seqOf(b.merge(fresh)))
			r.Reindex = true
			fresh = nil
		}
	}
	b.lines = append(b.lines, fresh...)
	if over := b.Len() - b.max; over > 0 {
		b.start += over
		b.evicted += int64(over)
		r.Evicted = over
		if b.start > len(b.lines)/2 {
			n := copy(b.lines, b.lines[b.start:])
			clear(b.lines[n:])
			b.lines, b.start = b.lines[:n], 0
		}
	}
	return r
}

// merge merges sorted lines into the kept lines by time, in one pass over
// the kept lines after the last one not younger than sorted[0]: in a merged
// pane new lines land near the end, so the rest is left alone. Lines
// without a time stay where they arrived relative to their neighbours. It
// returns the index of the first line that moved.
func (b *LogBuffer) merge(sorted []k8s.LogLine) int {
	kept := b.lines[b.start:]
	// Back from the end over the lines the merge can move: younger than
	// sorted[0], or without a time (which the merge would pass by).
	at := len(kept)
	for at > 0 && (sorted[0].Time.Before(kept[at-1].Time) || kept[at-1].Time.IsZero()) {
		at--
	}
	tail := kept[at:]
	out := make([]k8s.LogLine, 0, len(tail)+len(sorted))
	i, j := 0, 0
	for i < len(tail) && j < len(sorted) {
		if sorted[j].Time.Before(tail[i].Time) {
			out = append(out, sorted[j])
			j++
		} else {
			out = append(out, tail[i])
			i++
		}
	}
	out = append(append(out, tail[i:]...), sorted[j:]...)
	b.lines = append(b.lines[:b.start+at], out...)
	return b.start + at
}

// seqOf is the sequence number of the line at index i of b.lines.
func (b *LogBuffer) seqOf(i int) int64 { return b.First() + int64(i-b.start) }

// partialOf finds the partial line l completes: the same container's, at
// the same time (the kubelet stamps a line when it starts); -1 if none.
// Only the last lines of a stream can be partial, so the search looks at
// the end of an unordered buffer and around l's time in an ordered one.
func (b *LogBuffer) partialOf(l k8s.LogLine) int {
	lo, hi := max(b.start, len(b.lines)-64), len(b.lines)
	if b.ordered && !l.Time.IsZero() {
		kept := b.lines[b.start:]
		at := b.start + sort.Search(len(kept), func(i int) bool { return !kept[i].Time.Before(l.Time) })
		lo, hi = at, min(at+64, len(b.lines))
	}
	for i := hi - 1; i >= lo; i-- {
		if c := b.lines[i]; c.Partial && c.Container == l.Container && (c.Time.Equal(l.Time) || c.Time.IsZero() || !b.ordered) {
			return i
		}
	}
	return -1
}

// partialIn finds, among the last lines of a batch, the partial line l
// completes; -1 if none.
func partialIn(lines []k8s.LogLine, l k8s.LogLine, ordered bool) int {
	for i := len(lines) - 1; i >= max(0, len(lines)-64); i-- {
		if c := lines[i]; c.Partial && c.Container == l.Container && (c.Time.Equal(l.Time) || c.Time.IsZero() || !ordered) {
			return i
		}
	}
	return -1
}

// Len is the number of lines kept.
func (b *LogBuffer) Len() int { return len(b.lines) - b.start }

// First is the sequence number of the oldest kept line.
func (b *LogBuffer) First() int64 { return b.evicted + b.cleared }

// End is one past the sequence number of the newest line.
func (b *LogBuffer) End() int64 { return b.First() + int64(b.Len()) }

// Line returns line seq; ok is false if it was evicted or does not exist.
func (b *LogBuffer) Line(seq int64) (k8s.LogLine, bool) {
	if seq < b.First() || seq >= b.End() {
		return k8s.LogLine{}, false
	}
	return b.lines[b.start+int(seq-b.First())], true
}

// Evicted is how many lines the bound has dropped so far, with those
// dropped before they arrived (Drop).
func (b *LogBuffer) Evicted() int64 { return b.evicted + b.lost }

// Drop counts n lines as evicted that never reached the buffer: its owner
// dropped them, oldest first, to stay within the bound while it could not
// keep up.
func (b *LogBuffer) Drop(n int64) {
	b.lost += n
}

// Max is the bound.
func (b *LogBuffer) Max() int { return b.max }

// Clear drops every line, as the user asked; that is not eviction, so the
// eviction count stays, and numbering continues.
func (b *LogBuffer) Clear() {
	b.cleared += int64(b.Len())
	clear(b.lines)
	b.lines, b.start = b.lines[:0], 0
}
