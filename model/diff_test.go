package model

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	if got := UnifiedDiff("a", "x\ny\n", "b", "x\ny\n"); got != "" {
		t.Errorf("equal texts: %q", got)
	}
	a := "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - image: pay:1.4\n        name: api\n"
	b := strings.Replace(a, "pay:1.4", "pay:1.5", 1)
	want := "--- dev:/d\n+++ prod:/d\n@@ -5,5 +5,5 @@\n   template:\n     spec:\n       containers:\n-      - image: pay:1.4\n+      - image: pay:1.5\n         name: api\n"
	if got := UnifiedDiff("dev:/d", a, "prod:/d", b); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	got := UnifiedDiff("a", "x\ny", "b", "x\ny\n")
	if want := "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n"; got != want {
		t.Errorf("no final line break:\n%s\nwant:\n%s", got, want)
	}
	if got, want := UnifiedDiff("a", "", "b", "x\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"; got != want {
		t.Errorf("from nothing:\n%s\nwant:\n%s", got, want)
	}
}

// Long texts with many repeated lines, where difflib's default junk
// heuristic would show unchanged lines as changed: the hunks hold only
// the changed lines and their context, as GNU diff's do.
func TestUnifiedDiffRepeatedLinesMatchesDiff(t *testing.T) {
	diff, err := exec.LookPath("diff")
	if err != nil {
		t.Fatalf("diff(1) is needed to compare with: %v", err)
	}
	var a strings.Builder
	for i := range 400 {
		fmt.Fprintf(&a, "- name: c%d\n  image: img\n  ports:\n  - 80\n", i)
	}
	b := strings.Replace(strings.Replace(a.String(), "- name: c7\n", "- name: c7b\n", 1), "- name: c300\n  image: img\n", "- name: c300\n  image: other\n", 1)
	got := UnifiedDiff("a", a.String(), "b", b)
	dir := t.TempDir()
	fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	_ = os.WriteFile(fa, []byte(a.String()), 0o600)
	_ = os.WriteFile(fb, []byte(b), 0o600)
	out, _ := exec.Command(diff, "-u", "--label", "a", "--label", "b", fa, fb).Output()
	if got != string(out) {
		t.Errorf("got:\n%s\ndiff -u:\n%s", got, out)
	}
}
