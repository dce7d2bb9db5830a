package model

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pmezard/go-difflib/difflib"
)

// diffContext is how many unchanged lines surround each change, diff -u's
// three.
const diffContext = 3

// UnifiedDiff returns the unified diff (diff -u) that turns text a, named
// aName, into text b, named bName; "" when they are equal. Every changed
// line is shown and no other but the context around them: the matcher
// treats no line as junk, which difflib's default does to lines repeated
// often in long texts (a manifest's "- name:"), at the price of showing
// unchanged ones as changed. A last line without a line break is marked
// as diff marks it.
func UnifiedDiff(aName, a, bName, b string) string {
	if a == b {
		return ""
	}
	al, bl := diffLines(a), diffLines(b)
	// The lines both start and end with, but for the context a hunk shows
	// of them, go to no matcher: without the junk heuristic its work grows
	// with the product of the lengths, and two manifests of one object
	// (a long describe.txt) differ in a few places. GNU diff trims alike.
	pre := 0
	for pre < len(al) && pre < len(bl) && al[pre] == bl[pre] {
		pre++
	}
	suf := 0
	for suf < len(al)-pre && suf < len(bl)-pre && al[len(al)-1-suf] == bl[len(bl)-1-suf] {
		suf++
	}
	off, cut := max(pre-diffContext, 0), max(suf-diffContext, 0)
	al, bl = al[off:len(al)-cut], bl[off:len(bl)-cut]
	m := difflib.NewMatcherWithJunk(al, bl, false, nil)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for _, group := range m.GetGroupedOpCodes(diffContext) {
		first, last := group[0], group[len(group)-1]
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(off+first.I1, off+last.I2), hunkRange(off+first.J1, off+last.J2))
		for _, op := range group {
			switch op.Tag {
			case 'e':
				writeLines(&out, ' ', al[op.I1:op.I2])
			case 'r':
				writeLines(&out, '-', al[op.I1:op.I2])
				writeLines(&out, '+', bl[op.J1:op.J2])
			case 'd':
				writeLines(&out, '-', al[op.I1:op.I2])
			case 'i':
				writeLines(&out, '+', bl[op.J1:op.J2])
			}
		}
	}
	return out.String()
}

// diffLines splits text into lines, each with its line break; a last line
// without one is a line of its own.
func diffLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func writeLines(out *strings.Builder, mark byte, lines []string) {
	for _, l := range lines {
		out.WriteByte(mark)
		out.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange is a hunk header's range of lines start (0-based) to stop
// (exclusive), as diff -u writes it: 1-based, the count left out when it
// is 1, an empty range starting at the line before it.
func hunkRange(start, stop int) string {
	n := stop - start
	switch {
	case n == 1:
		return fmt.Sprint(start + 1)
	case n == 0:
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// DiffSide is one leaf of a diff: the tree it is read from, its path, and
// the name the diff's header gives it.
type DiffSide struct {
	FS   *FS
	Path Path
	Name string
}

// Compared returns the leaves a diff of a against b reads: when both
// are the manifest.yaml of objects, unless raw, their manifest.neat.yaml,
// which differ only where people made them differ, named so; else a and
// b themselves. Only Path and Name are looked at.
func Compared(a, b DiffSide, raw bool) (DiffSide, DiffSide) {
	manifest := func(p Path) bool { return p.Kind == KindLeaf && p.Leaf == LeafManifestYAML && !p.IsHelm() }
	if raw || !manifest(a.Path) || !manifest(b.Path) {
		return a, b
	}
	a.Path.Leaf, a.Name = LeafManifestNeat, NeatName(a.Name)
	b.Path.Leaf, b.Name = LeafManifestNeat, NeatName(b.Name)
	return a, b
}

// NeatName is the name of a manifest.yaml leaf (a path, or CONTEXT:path)
// given to its manifest.neat.yaml.
func NeatName(name string) string {
	return strings.TrimSuffix(name, LeafManifestYAML) + LeafManifestNeat
}

// DiffPair is two leaves to compare: A against B.
type DiffPair struct{ A, B DiffSide }

// DiffLeaves reads the leaves of pairs side by side, each leaf once
// however many pairs name it (D compares one leaf with N contexts'), and
// returns the pairs' unified diffs one after the other; a pair that is
// the same or cannot be compared says so in a line of its own. So the
// terminal's d and D and the web's show them. Two objects' manifest.yaml
// compare as their manifest.neat.yaml (Compared), named so in the
// header, unless raw.
func DiffLeaves(ctx context.Context, pairs []DiffPair, raw bool) string {
	type leafOf struct {
		fs   *FS
		path Path
	}
	type read struct {
		leaf Leaf
		err  error
	}
	reads := map[leafOf]*read{}
	compared := make([]DiffPair, len(pairs))
	var wg sync.WaitGroup
	for i, p := range pairs {
		a, b := Compared(p.A, p.B, raw)
		compared[i] = DiffPair{a, b}
		for _, s := range []DiffSide{a, b} {
			if reads[leafOf{s.FS, s.Path}] != nil {
				continue
			}
			r := &read{}
			reads[leafOf{s.FS, s.Path}] = r
			wg.Go(func() {
				r.leaf, r.err = s.FS.Read(ctx, s.Path)
			})
		}
	}
	wg.Wait()
	named := func(s DiffSide, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		return nil
	}
	var out strings.Builder
	for _, p := range compared {
		ra, rb := reads[leafOf{p.A.FS, p.A.Path}], reads[leafOf{p.B.FS, p.B.Path}]
		if err := cmp.Or(named(p.A, ra.err), named(p.B, rb.err)); err != nil {
			fmt.Fprintf(&out, "=== %s against %s: %s\n", p.A.Name, p.B.Name, OneLine(err))
		} else if d := UnifiedDiff(p.A.Name, ra.leaf.Text, p.B.Name, rb.leaf.Text); d != "" {
			out.WriteString(d)
		} else {
			fmt.Fprintf(&out, "=== %s and %s are the same\n", p.A.Name, p.B.Name)
		}
	}
	return out.String()
}
