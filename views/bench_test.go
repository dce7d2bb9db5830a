package views

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/themes"
)

// podNames makes n rows like the pods of a large Deployment, with the
// columns kubectl get prints for pods.
func podNames(dir string, n int) []TreeEntry {
	out := make([]TreeEntry, n)
	for i := range out {
		name := fmt.Sprintf("web-7d9f8b6c5d-%05d", i)
		out[i] = TreeEntry{Path: dir + "/" + name, Name: name, Dir: true, Cells: []TreeCell{
			{Text: "1/1"}, {Text: "Running"}, {Text: fmt.Sprint(i % 7)}, {Text: "3d4h", Since: 1_700_000_000 - int64(i)},
		}}
	}
	return out
}

// podColumns is the table state of a pod directory.
var podColumns = DirState{NameTitle: "NAME ↑", Columns: []string{"READY", "STATUS", "RESTARTS", "AGE"}}

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
	t.SetAgeFunc(func(int64) string { return "3d4h" })
	t.SetChildren(dir, podNames(dir, n), podColumns)
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
	bb[5000] = TreeEntry{Path: dir + "/web-new", Name: "web-new", Dir: true, Cells: a[5000].Cells}
	t.SetChildren(dir, a, podColumns)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			t.SetChildren(dir, bb, podColumns)
		} else {
			t.SetChildren(dir, a, podColumns)
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
		t.SetChildren(dir, entries, podColumns)
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

// BenchmarkTreeDraw10k lays out and draws a screen of rows of a
// 10,000-pod table directory (names, cells, ages worked out), as every
// keystroke that moves the selection does.
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
