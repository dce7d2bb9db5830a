package views

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

func entries(dir string, names ...string) []TreeEntry {
	var out []TreeEntry
	for _, n := range names {
		out = append(out, TreeEntry{Path: dir + "/" + n, Name: n, Dir: true})
	}
	return out
}

func TestTreeSetChildrenKeepsSelectionAndExpansion(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetChildren("/", []TreeEntry{{Path: "/namespaces", Name: "namespaces", Dir: true}}, DirState{})
	tr.SetExpanded("/", true)
	tr.SetExpanded("/namespaces", true)
	tr.SetChildren("/namespaces", entries("/namespaces", "a", "b", "c"), DirState{})
	tr.SetExpanded("/namespaces/b", true)
	tr.SetChildren("/namespaces/b", entries("/namespaces/b", "pods"), DirState{})
	tr.Select("/namespaces/b/pods")

	// A namespace appears before the selection: the selection stays put.
	tr.SetChildren("/namespaces", entries("/namespaces", "0", "a", "b", "c"), DirState{})
	if p, _ := tr.Selected(); p != "/namespaces/b/pods" {
		t.Errorf("selection moved to %q", p)
	}
	if !tr.IsExpanded("/namespaces/b") {
		t.Error("b lost its expansion")
	}

	// The selection's ancestor disappears: the entry now at its place is
	// selected and the removed subtree is forgotten.
	tr.SetChildren("/namespaces", entries("/namespaces", "0", "a", "c"), DirState{})
	if p, _ := tr.Selected(); p != "/namespaces/c" {
		t.Errorf("after removal selection = %q, want /namespaces/c", p)
	}
	if tr.Has("/namespaces/b/pods") {
		t.Error("removed subtree still indexed")
	}

	// Everything goes: the directory itself is selected.
	tr.SetChildren("/namespaces", nil, DirState{})
	if p, _ := tr.Selected(); p != "/namespaces" {
		t.Errorf("after emptying selection = %q", p)
	}
}

func TestTreeShowsStateAndEscapesNames(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetExpanded("/", true)
	tr.SetChildren("/", []TreeEntry{
		{Path: "/x", Name: "[red]x[-]", Dir: true},
		{Path: "/y", Name: "[:::https://e.example]y"},
	}, DirState{Loading: true, Err: "forbidden:\n[::b]no"})
	rows := screenText(t, tr, 60, 8)
	joined := ""
	for _, r := range rows {
		joined += r + "\n"
	}
	for _, want := range []string{"[red]x[-]/", "[:::https://e.example]y", "⚠ forbidden: [::b]no", "loading…"} {
		if !strings.Contains(joined, want) {
			t.Errorf("screen lacks %q:\n%s", want, joined)
		}
	}
}

// The tree draws its lines as a tree of paths reads: a branch per entry,
// a bar for each ancestor with entries still below it.
func TestTreeDrawsBranches(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetExpanded("/", true)
	tr.SetChildren("/", entries("", "cluster", "namespaces"), DirState{})
	tr.SetExpanded("/cluster", true)
	tr.SetChildren("/cluster", entries("/cluster", "nodes"), DirState{})
	tr.SetExpanded("/namespaces", true)
	tr.SetChildren("/namespaces", entries("/namespaces", "a"), DirState{Note: "2 empty types hidden"})
	rows := screenText(t, tr, 40, 8)
	want := []string{
		"│/",
		"│├──cluster/",
		"││  └──nodes/",
		"│└──namespaces/",
		"│   ├──a/",
		"│   └──2 empty types hidden",
	}
	for i, w := range want {
		if got := strings.TrimRight(rows[i+1], " │"); got != strings.TrimRight(w, " │") {
			t.Errorf("row %d = %q, want %q\n%s", i+1, rows[i+1], w, strings.Join(rows, "\n"))
		}
	}
}

// Moving skips status lines and stops at the ends; a selection hidden by
// collapsing a directory moves up to that directory.
func TestTreeMovesOverEntriesOnly(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetExpanded("/", true)
	tr.SetChildren("/", entries("", "namespaces"), DirState{})
	tr.SetExpanded("/namespaces", true)
	tr.SetChildren("/namespaces", entries("/namespaces", "a", "b"), DirState{Err: "forbidden", Loading: true})
	tr.Select("/namespaces")
	tr.Move(1) // over "⚠ forbidden"
	if p, _ := tr.Selected(); p != "/namespaces/a" {
		t.Fatalf("down from /namespaces: %q", p)
	}
	tr.Move(5) // past "loading…" and the end
	if p, _ := tr.Selected(); p != "/namespaces/b" {
		t.Fatalf("down to the end: %q", p)
	}
	tr.Move(-10)
	if p, _ := tr.Selected(); p != "/" {
		t.Fatalf("up to the top: %q", p)
	}
	tr.Bottom()
	if p, _ := tr.Selected(); p != "/namespaces/b" {
		t.Fatalf("bottom: %q", p)
	}
	tr.SetExpanded("/namespaces", false)
	if p, _ := tr.Selected(); p != "/namespaces" {
		t.Fatalf("after collapsing its directory the selection is %q", p)
	}
}

// A click selects the entry under the pointer and calls the click
// function; the wheel scrolls the rows and leaves the selection alone,
// until a key moves it back into view.
func TestTreeMouse(t *testing.T) {
	const dir = "/namespaces/big/pods"
	tr, s := podTree(t, dir, 100, 60, 12) // 10 rows inside the border
	// Names only: a table's header row would take a row.
	plain := podNames(dir, 100)
	for i := range plain {
		plain[i].Cells = nil
	}
	tr.SetChildren(dir, plain, DirState{})
	tr.Draw(s)
	clicks := 0
	tr.SetSelectedFunc(func() { clicks++ })
	mouse := func(action tview.MouseAction, y int) {
		tr.MouseHandler()(action, tcell.NewEventMouse(5, y, tcell.Button1, 0), func(tview.Primitive) {})
		tr.Draw(s)
	}
	mouse(tview.MouseLeftClick, 1+5) // row 5: "/", namespaces, big, pods, then pod 0 at 4
	if p, _ := tr.Selected(); p != dir+"/web-7d9f8b6c5d-00001" || clicks != 1 {
		t.Fatalf("click selected %q, %d clicks", p, clicks)
	}
	for range 20 {
		mouse(tview.MouseScrollDown, 3)
	}
	if p, _ := tr.Selected(); p != dir+"/web-7d9f8b6c5d-00001" {
		t.Fatalf("the wheel moved the selection to %q", p)
	}
	mouse(tview.MouseLeftClick, 1)
	if p, _ := tr.Selected(); p != dir+"/web-7d9f8b6c5d-00016" {
		t.Fatalf("a click on the scrolled rows selected %q", p)
	}
	// The border and title are no rows: a click there selects nothing.
	for _, y := range []int{0, 11} {
		mouse(tview.MouseLeftClick, y)
		if p, _ := tr.Selected(); p != dir+"/web-7d9f8b6c5d-00016" || clicks != 2 {
			t.Fatalf("a click on the border (y %d) selected %q, %d clicks", y, p, clicks)
		}
	}
	mouse(tview.MouseScrollUp, 3)
	tr.Select(dir + "/web-7d9f8b6c5d-00099")
	tr.Draw(s)
	if rows := screenText(t, tr, 60, 12); !strings.Contains(strings.Join(rows, "\n"), "web-7d9f8b6c5d-00099") {
		t.Fatalf("the selection was not scrolled into view:\n%s", strings.Join(rows, "\n"))
	}
}

// Selecting an entry inside a collapsed directory selects the directory
// that shows it, and moving goes on from there.
func TestTreeSelectInsideACollapsedDirectory(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetExpanded("/", true)
	tr.SetChildren("/", entries("", "a", "b"), DirState{})
	tr.SetChildren("/a", entries("/a", "x", "y"), DirState{})
	tr.Selected() // rows built
	tr.Select("/a/y")
	if p, _ := tr.Selected(); p != "/a" {
		t.Fatalf("selected %q, want the collapsed directory /a", p)
	}
	tr.Move(1)
	if p, _ := tr.Selected(); p != "/b" {
		t.Fatalf("moved to %q, want /b", p)
	}
}

// A filter keeps the nodes of the entries that stay (their expansion and
// children with them), brings the others back in the listing's order, and
// moves a selection it hides to the entry at its place.
func TestTreeFilterKeepsNodesAndOrder(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetExpanded("/", true)
	tr.SetChildren("/", entries("", "namespaces"), DirState{})
	tr.SetExpanded("/namespaces", true)
	tr.SetChildren("/namespaces", entries("/namespaces", "api", "web-a", "db", "web-b"), DirState{Note: "a note"})
	tr.SetExpanded("/namespaces/web-b", true)
	tr.SetChildren("/namespaces/web-b", entries("/namespaces/web-b", "pods"), DirState{})
	tr.Select("/namespaces/db")

	if n := tr.SetFilter("/namespaces", func(name string) bool { return strings.HasPrefix(name, "web") }); n != 2 {
		t.Fatalf("%d match, want 2", n)
	}
	if got := tr.ChildPaths("/namespaces"); strings.Join(got, " ") != "/namespaces/web-a /namespaces/web-b" {
		t.Fatalf("filtered: %v", got)
	}
	if !tr.IsExpanded("/namespaces/web-b") || !tr.Has("/namespaces/web-b/pods") {
		t.Error("web-b lost its expansion or its children under the filter")
	}
	if p, _ := tr.Selected(); p != "/namespaces/web-b" {
		t.Errorf("the hidden selection moved to %q, want the entry now at its place", p)
	}
	rows := strings.Join(screenText(t, tr, 40, 10), "\n")
	if strings.Contains(rows, "api") || strings.Contains(rows, "db") || !strings.Contains(rows, "├──web-b/") {
		t.Errorf("the filter shows hidden entries:\n%s", rows)
	}

	tr.SetFilter("/namespaces", nil)
	if got := tr.ChildPaths("/namespaces"); strings.Join(got, " ") != "/namespaces/api /namespaces/web-a /namespaces/db /namespaces/web-b" {
		t.Fatalf("unfiltered: %v", got)
	}
	rows = strings.Join(screenText(t, tr, 40, 10), "\n")
	if !strings.Contains(rows, "a note") || !strings.Contains(rows, "pods/") {
		t.Errorf("the note or web-b's children are missing:\n%s", rows)
	}

	// A new listing while filtered: the filter applies to it.
	tr.SetFilter("/namespaces", func(name string) bool { return strings.HasPrefix(name, "web") })
	tr.SetChildren("/namespaces", entries("/namespaces", "api", "web-a", "web-c"), DirState{})
	if got := tr.ChildPaths("/namespaces"); strings.Join(got, " ") != "/namespaces/web-a /namespaces/web-c" {
		t.Fatalf("a listing under the filter: %v", got)
	}
	if tr.Has("/namespaces/web-b/pods") {
		t.Error("the children of a deleted entry are still indexed")
	}
}

// Entries a filter hides come back as they were: typing a letter that
// matches nothing and erasing it must not collapse what the user opened.
// Selecting a hidden entry (a jump to it) drops the filter.
func TestTreeFilterHidesWithoutForgetting(t *testing.T) {
	tr := NewTree(themes.Dark())
	tr.SetExpanded("/", true)
	tr.SetChildren("/", entries("", "namespaces"), DirState{})
	tr.SetExpanded("/namespaces", true)
	tr.SetChildren("/namespaces", entries("/namespaces", "api", "db"), DirState{})
	tr.SetExpanded("/namespaces/db", true)
	tr.SetChildren("/namespaces/db", entries("/namespaces/db", "pods"), DirState{})
	tr.Select("/namespaces/db/pods")

	if n := tr.SetFilter("/namespaces", func(string) bool { return false }); n != 0 {
		t.Fatalf("%d match, want 0", n)
	}
	if p, _ := tr.Selected(); p != "/namespaces" {
		t.Errorf("with every entry hidden the selection is %q, want the directory", p)
	}
	if rows := strings.Join(screenText(t, tr, 40, 8), "\n"); strings.Contains(rows, "db") || !strings.Contains(rows, "(empty)") {
		t.Errorf("hidden entries drawn, or no (empty):\n%s", rows)
	}
	tr.SetFilter("/namespaces", nil)
	if !tr.IsExpanded("/namespaces/db") || !tr.Has("/namespaces/db/pods") {
		t.Fatal("the hidden directory came back collapsed or without its children")
	}
	if rows := strings.Join(screenText(t, tr, 40, 8), "\n"); !strings.Contains(rows, "└──pods/") {
		t.Errorf("db's children are not drawn again:\n%s", rows)
	}

	tr.SetFilter("/namespaces", func(name string) bool { return name == "api" })
	// The app asks first, to say why the filter goes.
	for path, want := range map[string]bool{"/namespaces/db/pods": true, "/namespaces/db": true, "/namespaces/api": false, "/namespaces": false} {
		if got := tr.Hidden(path); got != want {
			t.Errorf("Hidden(%s) = %v, want %v", path, got, want)
		}
	}
	if !tr.Select("/namespaces/db/pods") {
		t.Fatal("a hidden entry cannot be selected")
	}
	if tr.Filtered() != "" || tr.ChildCount("/namespaces") != 2 {
		t.Errorf("selecting a hidden entry kept the filter (%q, %d shown)", tr.Filtered(), tr.ChildCount("/namespaces"))
	}
	if p, _ := tr.Selected(); p != "/namespaces/db/pods" {
		t.Errorf("selected %q", p)
	}
}
