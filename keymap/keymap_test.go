package keymap

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestParseKey(t *testing.T) {
	cases := []struct {
		in   string
		want Key
	}{
		{"j", Key{Code: tcell.KeyRune, Rune: 'j'}},
		{"G", Key{Code: tcell.KeyRune, Rune: 'G'}},
		{"?", Key{Code: tcell.KeyRune, Rune: '?'}},
		{"space", Key{Code: tcell.KeyRune, Rune: ' '}},
		{"enter", Key{Code: tcell.KeyEnter}},
		{"PgDn", Key{Code: tcell.KeyPgDn}},
		{"ctrl-c", Key{Code: tcell.KeyCtrlC}},
		{"ctrl-f", Key{Code: tcell.KeyCtrlF}},
	}
	for _, c := range cases {
		got, err := ParseKey(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseKey(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			continue
		}
		back, err := ParseKey(got.String())
		if err != nil || back != got {
			t.Errorf("ParseKey(%q.String()=%q) = %+v, %v", c.in, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "ctrl-", "ctrl-1", "hyper-x", "jj", "\x01"} {
		if k, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", bad, k)
		}
	}
}

func TestDefaultLookup(t *testing.T) {
	m := Default()
	cases := []struct {
		scope Scope
		ev    *tcell.EventKey
		want  Action
	}{
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'j', tcell.ModNone), Down},
		{ScopeViewer, tcell.NewEventKey(tcell.KeyRune, 'j', tcell.ModNone), Down},
		{ScopeTree, tcell.NewEventKey(tcell.KeyUp, 0, tcell.ModNone), Up},
		{ScopeTree, tcell.NewEventKey(tcell.KeyEnter, 0, tcell.ModNone), Open},
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'l', tcell.ModNone), Open},
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'h', tcell.ModNone), Close},
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'G', tcell.ModNone), Bottom},
		{ScopeTree, tcell.NewEventKey(tcell.KeyTab, 0, tcell.ModNone), SwitchPane},
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'r', tcell.ModNone), Refresh},
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, '?', tcell.ModNone), Help},
		{ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'q', tcell.ModNone), Quit},
		{ScopeViewer, tcell.NewEventKey(tcell.KeyCtrlC, 0, tcell.ModCtrl), Quit},
	}
	for _, c := range cases {
		got, ok := m.Lookup(c.scope, c.ev)
		if !ok || got != c.want {
			t.Errorf("Lookup(%s, %s) = %q, %v; want %q", c.scope, c.ev.Name(), got, ok, c.want)
		}
	}
	// Tree-only keys do not leak into the viewer: l and right open in
	// the tree, but Enter alone follows a tree.txt line in the viewer.
	if a, ok := m.Lookup(ScopeViewer, tcell.NewEventKey(tcell.KeyRune, 'l', tcell.ModNone)); ok && a == Open {
		t.Errorf("l in the viewer = %q", a)
	}
	if a, ok := m.Lookup(ScopeViewer, tcell.NewEventKey(tcell.KeyEnter, 0, tcell.ModNone)); !ok || a != Open {
		t.Errorf("Enter in the viewer = %q, %v; want open (tree.txt's links)", a, ok)
	}
	if a, ok := m.Lookup(ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'j', tcell.ModAlt)); ok {
		t.Errorf("Alt-j = %q, want no action", a)
	}
}

func TestEveryDefaultHasKeysAndDescription(t *testing.T) {
	type scoped struct {
		s Scope
		a Action
	}
	seen := map[scoped]bool{}
	keys := map[Scope]map[Key]Action{}
	for _, b := range Default().Bindings() {
		if b.Action == "" || b.Description == "" || len(b.Keys) == 0 {
			t.Errorf("incomplete binding %+v", b)
		}
		if seen[scoped{b.Scope, b.Action}] {
			t.Errorf("action %s bound twice in %s", b.Action, b.Scope)
		}
		seen[scoped{b.Scope, b.Action}] = true
		if keys[b.Scope] == nil {
			keys[b.Scope] = map[Key]Action{}
		}
		for _, k := range b.Keys {
			if other, ok := keys[b.Scope][k]; ok {
				t.Errorf("key %s means both %s and %s in %s", k, other, b.Action, b.Scope)
			}
			keys[b.Scope][k] = b.Action
		}
	}
}
