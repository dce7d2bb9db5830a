package model

import (
	"fmt"
	"strings"
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

// A merged pane's second container arriving with older lines is merged in
// one pass: not one copy of the buffer per line.
func TestLogBufferOrderedMergeIsLinear(t *testing.T) {
	b := NewLogBuffer(DefaultLogBuffer, true)
	var a, s []k8s.LogLine
	for i := 0; i < DefaultLogBuffer; i++ {
		a = append(a, line("app", 2*i+1, "a"))
	}
	for i := 0; i < 20000; i++ {
		s = append(s, line("side", 2*i, "s"))
	}
	b.Append(a)
	start := time.Now()
	r := b.Append(s)
	if took := time.Since(start); took > time.Second {
		t.Errorf("merging 20,000 older lines took %v", took)
	}
	if !r.Reindex || b.Len() != DefaultLogBuffer || b.Evicted() != 20000 {
		t.Errorf("append = %+v, len %d, evicted %d", r, b.Len(), b.Evicted())
	}
	prev := time.Time{}
	for seq := b.First(); seq < b.End(); seq++ {
		l, _ := b.Line(seq)
		if l.Time.Before(prev) {
			t.Fatalf("line %d out of order", seq)
		}
		prev = l.Time
	}
}

// In a merged pane a partial line is completed where it is, even after a
// chatty sibling wrote many lines behind it.
func TestLogBufferOrderedCompletesPartialFarBack(t *testing.T) {
	b := NewLogBuffer(0, true)
	p := line("app", 10, "hal")
	p.Partial = true
	b.Append([]k8s.LogLine{p})
	var side []k8s.LogLine
	for i := 0; i < 200; i++ {
		side = append(side, line("side", 11+i, "s"))
	}
	b.Append(side)
	r := b.Append([]k8s.LogLine{line("app", 10, "half done")})
	if !r.Replaced || r.Added != 0 {
		t.Fatalf("append = %+v", r)
	}
	if l, _ := b.Line(b.First()); l.Text != "half done" || l.Partial {
		t.Errorf("first line = %+v", l)
	}
}

// A partial line and the line completing it can arrive in the same batch
// (the flush took both from the stream at once): only the complete one
// stays, in either kind of buffer.
func TestLogBufferPartialCompletedInTheSameBatch(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		b := NewLogBuffer(10, ordered)
		p := line("a", 1, "half")
		p.Partial = true
		b.Append([]k8s.LogLine{line("a", 0, "first"), p, line("a", 1, "half done"), line("a", 2, "next")})
		var got []string
		for i := 0; i < b.Len(); i++ {
			l, _ := b.Line(int64(i))
			got = append(got, l.Text)
		}
		if strings.Join(got, "|") != "first|half done|next" {
			t.Errorf("ordered %v: %q", ordered, got)
		}
	}
}

// From tells where an append changed lines, so a filter rechecks only from
// there: a completed partial line, a line merged in near the end.
func TestLogBufferAppendSaysWhereLinesChanged(t *testing.T) {
	b := NewLogBuffer(100, true)
	p := line("a", 5, "hal")
	p.Partial = true
	b.Append([]k8s.LogLine{line("a", 1, "one"), line("a", 2, "two"), line("a", 4, "four"), p})
	if r := b.Append([]k8s.LogLine{line("a", 6, "six")}); r.From != 4 || r.Reindex || r.Replaced {
		t.Errorf("plain append: %+v, want From 4 (where it added)", r)
	}
	if r := b.Append([]k8s.LogLine{line("a", 5, "half done")}); !r.Replaced || r.From != 3 {
		t.Errorf("completed partial: %+v, want From 3", r)
	}
	r := b.Append([]k8s.LogLine{line("b", 3, "three")})
	if !r.Reindex || r.From != 2 {
		t.Errorf("merge: %+v, want From 2, where four was", r)
	}
	var got []string
	for seq := b.First(); seq < b.End(); seq++ {
		l, _ := b.Line(seq)
		got = append(got, l.Text)
	}
	if strings.Join(got, " ") != "one two three four half done six" {
		t.Errorf("lines: %q", got)
	}
}
