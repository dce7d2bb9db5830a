package views

import (
	"strings"
	"testing"

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
