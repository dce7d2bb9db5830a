package keymap

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestParseOverrides(t *testing.T) {
	m, err := Parse("keymap.yaml", []byte(`
# comments are fine
quit: [Q, ctrl-q]
down: ctrl-n j
back@viewer: esc
search: s
`))
	if err != nil {
		t.Fatal(err)
	}
	press := func(scope Scope, k tcell.Key, r rune) Action {
		a, _ := m.Lookup(scope, tcell.NewEventKey(k, r, tcell.ModNone))
		return a
	}
	if press(ScopeTree, tcell.KeyRune, 'q') != "" || press(ScopeTree, tcell.KeyRune, 'Q') != Quit || press(ScopeTree, tcell.KeyCtrlQ, 0) != Quit {
		t.Error("quit was not remapped to Q and ctrl-q")
	}
	if press(ScopeTree, tcell.KeyCtrlN, 0) != Down || press(ScopeTree, tcell.KeyDown, 0) != "" {
		t.Error("down was not replaced by ctrl-n j")
	}
	if press(ScopeViewer, tcell.KeyRune, 'h') != "" || press(ScopeViewer, tcell.KeyEscape, 0) != Back || press(ScopeLog, tcell.KeyEscape, 0) != Back {
		t.Error("back@viewer changed more than the viewer")
	}
	// s was the log pane's follow key: the override takes it.
	if press(ScopeLog, tcell.KeyRune, 's') != Search {
		t.Error("search did not take s")
	}
	for _, b := range m.Bindings() {
		if b.Action == Follow && len(b.Keys) != 0 {
			t.Errorf("follow kept %v", b.Keys)
		}
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct{ file, want string }{
		{"quit: q\nquitt: x\n", `keymap.yaml:2: unknown action "quitt"`},
		{"quit: q\n\ndown: [j, hyper-j]\n", `keymap.yaml:3: down: unknown key "hyper-j"`},
		{"back@nowhere: esc\n", `keymap.yaml:1: unknown action "back" in scope "nowhere"`},
		{"- quit\n", "keymap.yaml:1: want a mapping"},
		{"quit: {a: b}\n", "keymap.yaml:1: quit: want keys"},
		{"quit: [q\n", "keymap.yaml: yaml:"},
	}
	for _, c := range cases {
		_, err := Parse("keymap.yaml", []byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.file, err, c.want)
		}
	}
}

func TestLoadMissingFileIsDefault(t *testing.T) {
	m, err := Load(filepath.Join(t.TempDir(), "keymap.yaml"))
	if err != nil || len(m.Bindings()) != len(Default().Bindings()) {
		t.Errorf("Load(missing) = %v, %v", m, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "keymap.yaml")
	if err := os.WriteFile(path, []byte("help: H\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, err := Load(path); err != nil {
		t.Error(err)
	} else if a, _ := m.Lookup(ScopeTree, tcell.NewEventKey(tcell.KeyRune, 'H', tcell.ModNone)); a != Help {
		t.Error("the file's override did not apply")
	}
}

// Names gives a scope's keys by action as keymap files write them, and
// leaves out the other scopes.
func TestNamesGivesTheScopesKeys(t *testing.T) {
	names := Default().Names(ScopeGlobal, ScopeTree)
	if got := names[string(Down)]; !slices.Contains(got, "j") || !slices.Contains(got, "down") {
		t.Errorf("down: %v", got)
	}
	if got := names[string(Filter)]; !slices.Equal(got, []string{"/"}) {
		t.Errorf("filter: %v", got)
	}
	if _, ok := names[string(Follow)]; ok {
		t.Errorf("a log pane's key among the tree's: %v", names[string(Follow)])
	}
	if got := Default().Names(ScopeLog)[string(Follow)]; !slices.Equal(got, []string{"s"}) {
		t.Errorf("follow in the log scope: %v", got)
	}
}
