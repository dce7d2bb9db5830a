package model

import (
	"fmt"
	"testing"
	"time"

	"github.com/kfsui/kfsui/k8s"
)

func line(c string, sec int, text string) k8s.LogLine {
	return k8s.LogLine{Container: c, Time: time.Unix(int64(sec), 0), Text: text}
}

func TestLogBufferBoundsAndCounts(t *testing.T) {
	b := NewLogBuffer(10, false)
	var batch []k8s.LogLine
	for i := 0; i < 25; i++ {
		batch = append(batch, line("a", i, fmt.Sprint(i)))
	}
	r := b.Append(batch)
	if r.Added != 25 || r.Evicted != 15 || b.Len() != 10 || b.Evicted() != 15 {
		t.Fatalf("append = %+v, len %d, evicted %d", r, b.Len(), b.Evicted())
	}
	if l, _ := b.Line(b.First()); l.Text != "15" {
		t.Errorf("oldest kept = %q, want 15", l.Text)
	}
	if _, ok := b.Line(3); ok {
		t.Error("an evicted line is still readable")
	}
	b.Clear()
	if b.Len() != 0 || b.Evicted() != 15 || b.First() != 25 {
		t.Errorf("after clear: len %d evicted %d first %d", b.Len(), b.Evicted(), b.First())
	}
}

func TestLogBufferReplacesPartialLines(t *testing.T) {
	b := NewLogBuffer(0, false)
	p := line("a", 1, "hal")
	p.Partial = true
	b.Append([]k8s.LogLine{line("a", 0, "first"), p})
	r := b.Append([]k8s.LogLine{line("a", 1, "half done")})
	if !r.Replaced || r.Added != 0 || b.Len() != 2 {
		t.Fatalf("append = %+v, len %d", r, b.Len())
	}
	if l, _ := b.Line(1); l.Text != "half done" || l.Partial {
		t.Errorf("line 1 = %+v", l)
	}
}

func TestLogBufferOrderedMergesByTime(t *testing.T) {
	b := NewLogBuffer(0, true)
	b.Append([]k8s.LogLine{line("app", 1, "a1"), line("app", 5, "a5")})
	r := b.Append([]k8s.LogLine{line("side", 3, "s3"), line("side", 7, "s7")})
	if !r.Reindex {
		t.Error("an insertion before the end was not reported")
	}
	var got []string
	for seq := b.First(); seq < b.End(); seq++ {
		l, _ := b.Line(seq)
		got = append(got, l.Text)
	}
	if fmt.Sprint(got) != "[a1 s3 a5 s7]" {
		t.Errorf("order = %v", got)
	}
}
