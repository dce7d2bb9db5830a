package views

import (
	"strings"
	"testing"

	"github.com/kfsui/kfsui/themes"
)

// tableTree is a tree with one table directory of pods expanded.
func tableTree(t *testing.T, marks bool) *Tree {
	t.Helper()
	tr := NewTree(themes.Dark())
	tr.SetAgeFunc(func(since int64) string { return "AGE" + string(rune('0'+since)) })
	tr.SetExpanded("/", true)
	tr.SetChildren("/", []TreeEntry{{Path: "/pods", Name: "pods", Dir: true, Info: "3 · 1 failing"}}, DirState{})
	tr.SetExpanded("/pods", true)
	mk := func(name, ready, status string, since int64) TreeEntry {
		e := TreeEntry{Path: "/pods/" + name, Name: name, Dir: true,
			Cells: []TreeCell{{Text: ready}, {Text: status}, {Text: "x", Since: since}, {Text: "10.0.0.1"}}}
		if marks {
			e.Mark = " "
			if status != "Running" {
				e.Mark = "!"
			}
		}
		return e
	}
	tr.SetChildren("/pods", []TreeEntry{
		mk("a", "1/1", "Running", 1),
		mk("crashing-long-name", "0/1", "CrashLoopBackOff", 2),
		mk("c", "1/1", "Running", 3),
	}, DirState{NameTitle: "NAME ↑", Columns: []string{"READY", "STATUS", "AGE", "IP"}})
	return tr
}

func TestTreeTableAlignsAndDropsColumnsThatDoNotFit(t *testing.T) {
	tr := tableTree(t, false)
	wide := strings.Join(screenText(t, tr, 90, 8), "\n")
	for _, want := range []string{
		"pods/  3 · 1 failing",
		"│  NAME ↑                READY   STATUS             AGE     IP",
		"├──a/                    1/1     Running            AGE1    10.0.0.1",
		"├──crashing-long-name/   0/1     CrashLoopBackOff   AGE2    10.0.0.1",
	} {
		if !strings.Contains(wide, want) {
			t.Errorf("missing %q in\n%s", want, wide)
		}
	}
	// Narrow: IP goes, then AGE; the names never.
	narrow := strings.Join(screenText(t, tr, 60, 8), "\n")
	if strings.Contains(narrow, "10.0.0.1") || !strings.Contains(narrow, "crashing-long-name/   0/1     CrashLoopBackOff") {
		t.Errorf("at 60 columns:\n%s", narrow)
	}
	tiny := strings.Join(screenText(t, tr, 24, 8), "\n")
	if !strings.Contains(tiny, "crashing-long-") || strings.Contains(tiny, "0/1") {
		t.Errorf("at 24 columns the name is cut, not dropped, and no column shows:\n%s", tiny)
	}
}

func TestTreeTableMarksAndFilterMatchesCells(t *testing.T) {
	tr := tableTree(t, true)
	text := strings.Join(screenText(t, tr, 90, 8), "\n")
	if !strings.Contains(text, "│    NAME ↑") || !strings.Contains(text, "├──! crashing-long-name/") || !strings.Contains(text, "├──  a/") {
		t.Errorf("marks before the names, the header aligned after them:\n%s", text)
	}
	n := tr.SetFilter("/pods", func(s string) bool { return strings.Contains(strings.ToLower(s), "crashloop") })
	if n != 1 {
		t.Errorf("a filter on a status cell matched %d", n)
	}
	// Ages are not matched: their text changes as they count.
	if n := tr.SetFilter("/pods", func(s string) bool { return s == "x" }); n != 0 {
		t.Errorf("a relative time's text was matched %d times", n)
	}
	// A pattern is matched against the name and each cell on its own.
	if n := tr.SetFilter("/pods", func(s string) bool { return strings.HasPrefix(s, "Running") }); n != 2 {
		t.Errorf("a cell's own start matched %d, want 2", n)
	}
	if !tr.ShowsAges() {
		t.Error("ShowsAges is false with ages on screen")
	}
	tr.SetExpanded("/", false)
	if tr.ShowsAges() {
		t.Error("ShowsAges is true with the ages' directory under a collapsed one")
	}
}
