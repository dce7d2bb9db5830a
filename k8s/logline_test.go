package k8s

import (
	"strings"
	"testing"
	"time"
)

func TestLineSplitter(t *testing.T) {
	var got []LogLine
	s := NewLineSplitter("app")
	emit := func(l LogLine) { got = append(got, l) }
	s.Write([]byte("2026-01-02T03:04:05.123456789Z first\n2026-01-02T03:04:06Z sec"), emit)
	s.Write([]byte("ond\r\nno timestamp here\n2026-01-02T03:04:07Z \xff\xfe bad utf8\n2026-01-02T03:04:08Z tail"), emit)
	want := []struct {
		text    string
		partial bool
	}{
		{"first", false},
		{"sec", true},
		{"second", false},
		{"no timestamp here", false},
		{"\xff\xfe bad utf8", false},
		{"tail", true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Text != w.text || got[i].Partial != w.partial || got[i].Container != "app" {
			t.Errorf("line %d = %+v, want %q partial=%v", i, got[i], w.text, w.partial)
		}
	}
	if !got[0].Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)) {
		t.Errorf("time = %v", got[0].Time)
	}
	if !got[3].Time.IsZero() {
		t.Errorf("a line without timestamp got %v", got[3].Time)
	}
}

func TestLineSplitterLongLine(t *testing.T) {
	long := strings.Repeat("x", 512<<10)
	var got []LogLine
	s := NewLineSplitter("c")
	data := []byte("2026-01-02T03:04:05Z " + long + "\n")
	for len(data) > 0 {
		n := min(len(data), 4096)
		s.Write(data[:n], func(l LogLine) {
			if !l.Partial {
				got = append(got, l)
			}
		})
		data = data[n:]
	}
	if len(got) != 1 || got[0].Text != long {
		t.Fatalf("long line lost: %d lines", len(got))
	}
}

// A line that never ends is cut at 1 MiB; nothing is lost.
func TestLineSplitterCutsEndlessLines(t *testing.T) {
	huge := strings.Repeat("y", 3<<20)
	var got []LogLine
	s := NewLineSplitter("c")
	data := []byte("2026-01-02T03:04:05Z " + huge + "\n")
	for len(data) > 0 {
		n := min(len(data), 64<<10)
		s.Write(data[:n], func(l LogLine) {
			if !l.Partial {
				got = append(got, l)
			}
		})
		data = data[n:]
	}
	var joined strings.Builder
	for _, l := range got {
		if len(l.Text) > 1<<20 {
			t.Errorf("a %d-byte line got through", len(l.Text))
		}
		joined.WriteString(l.Text)
	}
	if len(got) < 3 || joined.String() != huge {
		t.Errorf("%d pieces, %d bytes in all", len(got), joined.Len())
	}
}
