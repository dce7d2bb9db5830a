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
}

// Append adds a batch of lines in arrival order. A line from the same
// container as a trailing partial line replaces it.
func (b *LogBuffer) Append(batch []k8s.LogLine) AppendResult {
	var r AppendResult
	for _, l := range batch {
		if i := b.partialOf(l.Container); i >= 0 {
			b.lines[i] = l
			r.Replaced = true
			continue
		}
		r.Added++
		pos := len(b.lines)
		if b.ordered && !l.Time.IsZero() {
			kept := b.lines[b.start:]
			at := sort.Search(len(kept), func(i int) bool { return kept[i].Time.After(l.Time) })
			pos = b.start + at
		}
		if pos == len(b.lines) {
			b.lines = append(b.lines, l)
		} else {
			b.lines = append(b.lines, k8s.LogLine{})
			copy(b.lines[pos+1:], b.lines[pos:])
			b.lines[pos] = l
			r.Reindex = true
		}
	}
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

// partialOf finds a partial line of container near the end, where the
// stream left it; -1 if there is none.
func (b *LogBuffer) partialOf(container string) int {
	for i := len(b.lines) - 1; i >= b.start && i >= len(b.lines)-64; i-- {
		if b.lines[i].Container == container {
			if b.lines[i].Partial {
				return i
			}
			return -1
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

// Evicted is how many lines the bound has dropped so far.
func (b *LogBuffer) Evicted() int64 { return b.evicted }

// Max is the bound.
func (b *LogBuffer) Max() int { return b.max }

// Clear drops every line, as the user asked; that is not eviction, so the
// eviction count stays, and numbering continues.
func (b *LogBuffer) Clear() {
	b.cleared += int64(b.Len())
	clear(b.lines)
	b.lines, b.start = b.lines[:0], 0
}
