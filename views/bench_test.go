package views

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/themes"
)

// podNames makes n names like the pods of a large Deployment.
func podNames(dir string, n int) []TreeEntry {
	out := make([]TreeEntry, n)
	for i := range out {
		name := fmt.Sprintf("web-7d9f8b6c5d-%05d", i)
		out[i] = TreeEntry{Path: dir + "/" + name, Name: name, Dir: true}
	}
	return out
}

// treeDownTo returns a tree with every directory down to dir expanded.
func treeDownTo(dir string) *Tree {
	t := NewTree(themes.Dark())
	parent := "/"
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		p := strings.TrimSuffix(parent, "/") + "/" + seg
		t.SetChildren(parent, []TreeEntry{{Path: p, Name: seg, Dir: true}}, DirState{})
		t.SetExpanded(parent, true)
		parent = p
	}
	t.SetExpanded(dir, true)
	return t
}

// podTree returns a tree down to dir holding n pods, drawn on a w×h
// simulation screen, the tree filling it.
func podTree(tb testing.TB, dir string, n, w, h int) (*Tree, tcell.Screen) {
	tb.Helper()
	t := treeDownTo(dir)
	t.SetChildren(dir, podNames(dir, n), DirState{})
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Fini)
	s.SetSize(w, h)
	t.SetRect(0, 0, w, h)
	return t, s
}

// BenchmarkTreeSetChildren10k rebuilds a directory of 10,000 pods, as a
// live update does: one pod replaced by another, the rest reused.
func BenchmarkTreeSetChildren10k(b *testing.B) {
	const dir = "/namespaces/big/pods"
	t := treeDownTo(dir)
	a := podNames(dir, 10000)
	bb := append([]TreeEntry(nil), a...)
	bb[5000] = TreeEntry{Path: dir + "/web-new", Name: "web-new", Dir: true}
	t.SetChildren(dir, a, DirState{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			t.SetChildren(dir, bb, DirState{})
		} else {
			t.SetChildren(dir, a, DirState{})
		}
	}
}

// BenchmarkTreeFirstFill10k fills a directory with 10,000 new nodes, as the
// first listing of a big namespace does.
func BenchmarkTreeFirstFill10k(b *testing.B) {
	const dir = "/namespaces/big/pods"
	entries := podNames(dir, 10000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t := treeDownTo(dir)
		b.StartTimer()
		t.SetChildren(dir, entries, DirState{})
	}
}

// manifest makes a YAML manifest of about size bytes: a ConfigMap with
// many keys, the shape of the large objects people open.
func manifest(size int) string {
	var s strings.Builder
	s.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: team-a\n  labels:\n    app: web\ndata:\n")
	for i := 0; s.Len() < size; i++ {
		fmt.Fprintf(&s, "  key-%06d: \"value %d with some text, a number 3.14 and true\"\n", i, i)
	}
	return s.String()
}

// BenchmarkHighlight1MiB highlights a 1 MiB manifest for the viewer.
func BenchmarkHighlight1MiB(b *testing.B) {
	text := manifest(1 << 20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Highlight(text, SyntaxYAML, "monokai")
	}
}

// BenchmarkTreeDraw10k draws the tree with a 10,000-child directory
// expanded, as every keystroke that moves the selection does.
func BenchmarkTreeDraw10k(b *testing.B) {
	const dir = "/namespaces/big/pods"
	t, s := podTree(b, dir, 10000, 80, 48)
	t.Select(dir + "/web-7d9f8b6c5d-05000")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t.Move(1)
		t.Draw(s)
	}
}

// BenchmarkTreeFilter10k is one keystroke of a tree filter over 10,000
// pods, alternating between a pattern all names match and one a tenth
// match, with the redraw that follows.
func BenchmarkTreeFilter10k(b *testing.B) {
	const dir = "/namespaces/big/pods"
	t, s := podTree(b, dir, 10000, 80, 48)
	all := func(name string) bool { return strings.Contains(name, "web-") }
	tenth := func(name string) bool { return strings.Contains(name, "-01") }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			t.SetFilter(dir, all)
		} else {
			t.SetFilter(dir, tenth)
		}
		t.Draw(s)
	}
}
