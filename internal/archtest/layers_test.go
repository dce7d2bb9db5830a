// Package archtest checks the project's layering: data never draws, views
// never call the API (../shared/STYLE.md, "The shape").
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/kfsui/kfsui/"

// deps returns every package pkg imports, directly or not.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestLayers(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"k8s", []string{"github.com/rivo/tview", "github.com/gdamore/tcell", module + "views", module + "app", module + "model"}},
		{"model", []string{"github.com/rivo/tview", "github.com/gdamore/tcell", module + "views", module + "app"}},
		{"views", []string{"k8s.io/client-go", "k8s.io/apimachinery", module + "k8s", module + "model", module + "app"}},
		{"internal/mount", []string{"github.com/rivo/tview", "github.com/gdamore/tcell", module + "views", module + "app"}},
		{"keymap", []string{"k8s.io/", module + "views", module + "model", module + "k8s"}},
		{"themes", []string{"k8s.io/", module + "views", module + "model", module + "k8s"}},
	}
	for _, r := range rules {
		for _, d := range deps(t, r.pkg) {
			for _, f := range r.forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s depends on %s", r.pkg, d)
				}
			}
		}
	}
}
