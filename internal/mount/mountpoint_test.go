package mount

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnescapeMountinfo(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/plain":          "/tmp/plain",
		`/tmp/with\040space`:  "/tmp/with space",
		`/tmp/tab\011and\134`: "/tmp/tab\tand\\",
		`/tmp/short\04`:       `/tmp/short\04`,
		`/tmp/not\999octal`:   `/tmp/not\999octal`,
	} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckMountPoint(t *testing.T) {
	base := t.TempDir()
	empty := filepath.Join(base, "empty")
	full := filepath.Join(base, "full")
	file := filepath.Join(base, "file")
	for _, d := range []string{empty, filepath.Join(full, "x")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		empty:                          "",
		full:                           "is not empty",
		file:                           "is not a directory",
		filepath.Join(base, "missing"): "does not exist",
		"/proc":                        "is already a mount point",
	} {
		err := CheckMountPoint(dir)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v, want no error", dir, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want an error saying %q", dir, err, want)
		}
	}
}

func TestInodeNumbersAreStableAndNotTheRoot(t *testing.T) {
	m := &mounter{}
	a, b := &Tree{Name: "dev"}, &Tree{Name: "prod"}
	p := mustParse(t, "/namespaces/a/configmaps/x/manifest.yaml")
	if m.ino(a, p) != m.ino(a, p) {
		t.Error("a path's inode number changed")
	}
	if m.ino(a, p) == m.ino(b, p) {
		t.Error("the same path in two trees shares an inode number")
	}
	if m.ino(a, p) < 2 {
		t.Error("an inode number of 0 or 1 (the root's)")
	}
}
