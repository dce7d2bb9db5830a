package k8s

import (
	"bytes"
	"time"
)

// TimestampFormat is how log panes, saved logs and kfsui tail write a
// line's time: RFC 3339 in UTC with nanoseconds, every digit kept,
// so that lines of several streams sort as text too.
const TimestampFormat = "2006-01-02T15:04:05.000000000Z07:00"

// FormatTimestamp writes t as TimestampFormat in UTC.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(TimestampFormat) }

// LogLine is one line of a container's log.
type LogLine struct {
	// Time is the kubelet's timestamp for the line; zero if the line had
	// none (kfsui always asks for timestamps, so only a malformed line).
	Time time.Time
	// Text is the line without its timestamp and newline, byte for byte:
	// it may hold ANSI sequences or invalid UTF-8.
	Text string
	// Container names the container the line came from.
	Container string
	// Partial marks the unfinished end of a stream so far: a line whose
	// newline has not arrived (yet). A later line from the same stream
	// with Partial set again, or complete, replaces it.
	Partial bool
}

// ParseLogLine splits a line as the kubelet sends it with timestamps=true,
// "<RFC3339Nano> <text>", without its newline. A line whose prefix is not a
// timestamp is kept whole, with a zero Time.
//
// Safe from any goroutine.
func ParseLogLine(raw []byte) (time.Time, string) {
	sp := bytes.IndexByte(raw, ' ')
	if sp <= 0 || sp > len("2006-01-02T15:04:05.999999999Z07:00") {
		return time.Time{}, string(raw)
	}
	t, err := time.Parse(time.RFC3339Nano, string(raw[:sp]))
	if err != nil {
		return time.Time{}, string(raw)
	}
	return t, string(raw[sp+1:])
}

// LineSplitter turns a byte stream into LogLines: complete lines as their
// newline arrives, and after each chunk the unfinished rest as a Partial
// line, so a last line without a newline still shows. Carriage returns
// before a newline are dropped.
//
// Not safe for concurrent use; one per stream.
type LineSplitter struct {
	container string
	pending   []byte
	shown     int // length of pending when last emitted as Partial
}

// NewLineSplitter returns a splitter labelling lines with container.
func NewLineSplitter(container string) *LineSplitter {
	return &LineSplitter{container: container}
}

// Write splits chunk and calls emit for each line, in order.
func (s *LineSplitter) Write(chunk []byte, emit func(LogLine)) {
	for len(chunk) > 0 {
		nl := bytes.IndexByte(chunk, '\n')
		if nl < 0 {
			s.pending = append(s.pending, chunk...)
			break
		}
		var line []byte
		if len(s.pending) > 0 {
			s.pending = append(s.pending, chunk[:nl]...)
			line = s.pending
		} else {
			line = chunk[:nl]
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		t, text := ParseLogLine(line)
		emit(LogLine{Time: t, Text: text, Container: s.container})
		s.pending, s.shown = s.pending[:0], 0
		chunk = chunk[nl+1:]
	}
	// A line that never ends would grow without bound: past maxLine it is
	// cut, and the rest continues as a line of its own.
	if len(s.pending) >= maxLine {
		t, text := ParseLogLine(s.pending)
		emit(LogLine{Time: t, Text: text, Container: s.container})
		s.pending, s.shown = s.pending[:0], 0
	}
	// Show an unfinished line as it grows, but not a huge one (re-emitting
	// it after every chunk would cost quadratic time), and not before its
	// timestamp is complete. Flush shows any rest when the stream ends.
	if len(s.pending) > 0 && len(s.pending) <= maxPartial && bytes.IndexByte(s.pending, ' ') > 0 {
		s.Flush(emit)
	}
}

// maxPartial bounds the unfinished line that Write re-emits after each
// chunk; maxLine bounds any line.
const (
	maxPartial = 64 << 10
	maxLine    = 1 << 20
)

// Flush emits the unfinished rest, if any, as a Partial line, as at the end
// of a stream.
func (s *LineSplitter) Flush(emit func(LogLine)) {
	if len(s.pending) == 0 || len(s.pending) == s.shown {
		return
	}
	s.shown = len(s.pending)
	t, text := ParseLogLine(s.pending)
	emit(LogLine{Time: t, Text: text, Container: s.container, Partial: true})
}
