package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Set changes one field and keeps the rest of the file, comments
// included; it creates the file where there is none.
func TestSetKeepsTheRestOfTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.yaml")
	if err := Set(path, "tree-width", "55"); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path); err != nil || c.TreeWidth != 55 {
		t.Fatalf("a new file: %+v, %v", c, err)
	}
	orig := "# my settings\ntheme: light # the light one\ntree-width: 30\nfavorites: [a, b]\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Set(path, "tree-width", "45"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"# my settings", "theme: light # the light one", "tree-width: 45", "favorites: [a, b]"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%q missing after Set:\n%s", want, data)
		}
	}
	c, err := Load(path)
	if err != nil || c.TreeWidth != 45 || c.Theme != "light" || len(c.Favorites) != 2 {
		t.Errorf("read back: %+v, %v", c, err)
	}
	if err := os.WriteFile(path, []byte("tree-width: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "config.yaml:1: tree-width") {
		t.Errorf("a width out of range: %v", err)
	}
}

// A config file that is a symbolic link (into a dotfiles repository)
// stays one: the file it points to is written, with its mode kept.
func TestSetWritesThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "kfsui.yaml")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("theme: light\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Set(link, "tree-width", "50"); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v, %v", info.Mode(), err)
	}
	data, _ := os.ReadFile(target)
	if string(data) != "theme: light\ntree-width: 50\n" {
		t.Errorf("the link's target holds %q", data)
	}
	if info, err := os.Stat(target); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("the target's mode is %v (%v), want 0640", info.Mode().Perm(), err)
	}
}
