// Package archtest checks the project's layering: data never draws, views
// never call the API (../shared/STYLE.md, "The shape"), app/ is the
// terminal UI alone, and every front end (the terminal, the mount, the
// command line, the web page) is a door onto model/ and k8s/ that
// imports no other front end's widgets.
package archtest

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kfsui/kfsui/"

// pkgInfo is what go list says of a package.
type pkgInfo struct {
	ImportPath string
	Imports    []string // direct
	Deps       []string // direct or not
}

// list describes the module's packages (tests not included), by import
// path.
func list(t *testing.T) map[string]pkgInfo {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkgInfo{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	return pkgs
}

// rule forbids a package to import packages whose path starts with one of
// forbidden: directly only, or directly or not.
type rule struct {
	pkg       string
	direct    bool
	forbidden []string
}

var (
	widgets     = []string{"github.com/rivo/tview", "github.com/gdamore/tcell", module + "views", module + "app"}
	helmActions = []string{"helm.sh/helm/v4/pkg/action", "helm.sh/helm/v4/pkg/kube", "helm.sh/helm/v4/pkg/engine", "helm.sh/helm/v4/pkg/registry"}
	frontEnd    = []string{module + "app", module + "views", module + "internal/cli", module + "internal/mount", module + "internal/web"}
)

func rules() []rule {
	return []rule{
		{"k8s", false, slices.Concat(widgets, []string{module + "model", module + "internal/cli", module + "internal/mount"})},
		{"model", false, slices.Concat(widgets, []string{module + "internal/cli", module + "internal/mount"})},
		{"views", false, []string{"k8s.io/client-go", "k8s.io/apimachinery", module + "k8s", module + "model", module + "app", module + "internal/cli"}},
		{"keymap", false, []string{"k8s.io/", module + "views", module + "model", module + "k8s"}},
		{"themes", false, []string{"k8s.io/", module + "views", module + "model", module + "k8s"}},
		// app/ is the terminal UI alone: the command line, its
		// supervisor and the other front ends are not its business.
		// (k8s uses kubectl's packages, which bring cobra along: the
		// rule for cobra and cli-runtime is on app's own imports.)
		{"app", true, []string{"github.com/spf13/cobra", "k8s.io/cli-runtime"}},
		{"app", false, []string{module + "internal/cli", module + "internal/supervise", module + "internal/mount", module + "internal/web"}},
		// The other front ends use model/ and k8s/, never the terminal's
		// widgets.
		{"internal/mount", false, slices.Concat(widgets, []string{module + "internal/cli", module + "internal/web"})},
		{"internal/web", false, slices.Concat(widgets, []string{module + "internal/cli", module + "internal/mount"})},
		// Usable by every package, dependent on none of them.
		{"internal/trace", false, slices.Concat(frontEnd, []string{"github.com/rivo/tview", "github.com/gdamore/tcell", module + "k8s", module + "model"})},
		// The supervisor only starts a child and waits: nothing of
		// Kubernetes' or the front ends'.
		{"internal/supervise", false, slices.Concat(frontEnd, []string{"k8s.io/", module + "k8s", module + "model"})},
		// Of Helm, the program links what reads releases: its storage
		// drivers and their types. The SDK's actions (install, upgrade,
		// and the packages they pull in: 14 MB and 18 ms of start-up)
		// are the test harness's alone.
		{strings.TrimSuffix(module, "/"), false, helmActions},
	}
}

func TestLayers(t *testing.T) {
	pkgs := list(t)
	for _, r := range rules() {
		p, ok := pkgs[r.pkg]
		if !ok {
			t.Errorf("no package %s", r.pkg)
			continue
		}
		imports := p.Deps
		if r.direct {
			imports = p.Imports
		}
		for _, d := range imports {
			for _, f := range r.forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s imports %s", r.pkg, d)
				}
			}
		}
	}
}

// Only the program itself starts the command line and the early
// supervisor; everything else is reached from it.
func TestOnlyMainImportsTheCommandLine(t *testing.T) {
	for name, p := range list(t) {
		for _, d := range p.Imports {
			if (d == module+"internal/cli" || d == module+"internal/supervise/early") && p.ImportPath != strings.TrimSuffix(module, "/") {
				t.Errorf("%s imports %s; only main.go may", name, d)
			}
		}
	}
}

// The early supervisor is initialised as soon as its imports are, and Go
// initialises ready packages in import-path order: a dependency outside
// the standard library, or one of the standard library's that few
// packages need and whose path sorts late (strings, runtime/debug,
// os/exec through path/filepath), would have it wait for most of
// Kubernetes' packages to initialise first, and the supervisor would pay
// for them.
func TestEarlySupervisorImportsNothingHeavy(t *testing.T) {
	late := []string{"strings", "runtime/debug", "os/exec", "path/filepath"}
	p := list(t)["internal/supervise/early"]
	for _, d := range p.Deps {
		first, _, _ := strings.Cut(d, "/")
		if strings.Contains(first, ".") && d != module+"internal/supervise" || slices.Contains(late, d) {
			t.Errorf("internal/supervise/early depends on %s", d)
		}
	}
}
