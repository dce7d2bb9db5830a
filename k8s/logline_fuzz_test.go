package k8s

import (
	"bytes"
	"testing"
)

// FuzzLineSplitter: however a stream is cut into chunks, the complete lines
// are the stream's lines (timestamps parsed off, carriage returns before
// newlines dropped), each at most the cut length, and a partial line only
// ever stands for the unfinished end.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("2026-01-02T03:04:05.123456789Z hello\n2026-01-02T03:04:06Z world\r\npartial"), uint8(7))
	f.Add([]byte("no timestamp\n\n\x1b[31m\xff\n"), uint8(1))
	f.Add([]byte("2026-13-45T99:99:99Z bad date\n"), uint8(3))
	f.Fuzz(func(t *testing.T, stream []byte, cut uint8) {
		if len(stream) >= maxLine {
			return // lines this long are cut; TestLineSplitter covers that
		}
		size := int(cut)%64 + 1
		s := NewLineSplitter("c")
		var complete []LogLine
		emit := func(l LogLine) {
			if l.Container != "c" {
				t.Fatalf("line labelled %q", l.Container)
			}
			if !l.Partial {
				complete = append(complete, l)
			}
		}
		for i := 0; i < len(stream); i += size {
			s.Write(stream[i:min(i+size, len(stream))], emit)
		}
		want := bytes.Count(stream, []byte("\n"))
		if len(complete) != want {
			t.Fatalf("%d complete lines from a stream with %d newlines", len(complete), want)
		}
		for i, raw := range bytes.Split(stream, []byte("\n"))[:want] {
			raw = bytes.TrimSuffix(raw, []byte("\r"))
			ts, text := ParseLogLine(raw)
			if text != complete[i].Text || !ts.Equal(complete[i].Time) {
				t.Fatalf("line %d: got %q at %v, want %q at %v", i, complete[i].Text, complete[i].Time, text, ts)
			}
		}
	})
}
