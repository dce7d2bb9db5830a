package model

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kfsui/kfsui/k8s"
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

// Two long texts that differ in a few places, as two clusters' copies of
// one object's describe.txt do: the same hunks as GNU diff -u, the lines
// both share at the start and end never reaching the matcher.
func TestUnifiedDiffLongTextsMatchDiff(t *testing.T) {
	diff, err := exec.LookPath("diff")
	if err != nil {
		t.Fatalf("diff(1) is needed to compare with: %v", err)
	}
	var a strings.Builder
	for i := range 30000 {
		fmt.Fprintf(&a, "  pod-%d   Running   0   %d\n", i%500, i%7)
	}
	b := strings.Replace(a.String(), "  pod-3   Running   0   3\n", "  pod-3   CrashLoopBackOff   5   3\n", 1)
	b = strings.TrimSuffix(b, "  pod-499   Running   0   1\n") + "  extra\n"
	dir := t.TempDir()
	fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	_ = os.WriteFile(fa, []byte(a.String()), 0o600)
	_ = os.WriteFile(fb, []byte(b), 0o600)
	want, _ := exec.Command(diff, "-u", "--label", "a", "--label", "b", fa, fb).Output()
	if got := UnifiedDiff("a", a.String(), "b", b); got != string(want) {
		t.Errorf("got:\n%s\ndiff -u:\n%s", got, want)
	}
}

// BenchmarkUnifiedDiffLong: two 30,000-line texts differing in two places.
func BenchmarkUnifiedDiffLong(b *testing.B) {
	var s strings.Builder
	for i := range 30000 {
		fmt.Fprintf(&s, "  pod-%d   Running   0   %d\n", i%500, i%7)
	}
	x := s.String()
	y := strings.Replace(strings.Replace(x, "pod-3 ", "pod-3b", 1), "pod-17 ", "pod-17b", 1)
	for b.Loop() {
		UnifiedDiff("a", x, "b", y)
	}
}

// Two objects' manifest.yaml compare as their manifest.neat.yaml unless
// raw; every other pair as given.
func TestCompared(t *testing.T) {
	dep, cm := "/namespaces/a/deployments/web/manifest.yaml", "prod:/namespaces/a/configmaps/app/manifest.yaml"
	side := func(name string) DiffSide {
		r, err := ParseRef(name, []string{"prod"})
		if err != nil {
			t.Fatal(err)
		}
		return DiffSide{Path: r.Path, Name: name}
	}
	for _, c := range []struct {
		a, b         string
		raw          bool
		wantA, wantB string
	}{
		{dep, cm, false, "/namespaces/a/deployments/web/manifest.neat.yaml", "prod:/namespaces/a/configmaps/app/manifest.neat.yaml"},
		{dep, cm, true, dep, cm},
		{dep, "/namespaces/a/deployments/web/manifest.json", false, dep, "/namespaces/a/deployments/web/manifest.json"},
		{dep, "/namespaces/a/helm/shop/manifest.yaml", false, dep, "/namespaces/a/helm/shop/manifest.yaml"},
	} {
		a, b := Compared(side(c.a), side(c.b), c.raw)
		if a.Name != c.wantA || b.Name != c.wantB || a.Path.String() != strings.TrimPrefix(c.wantA, "prod:") || b.Path.String() != strings.TrimPrefix(c.wantB, "prod:") {
			t.Errorf("Compared(%s, %s, raw %v) = %s (%s), %s (%s)", c.a, c.b, c.raw, a.Name, a.Path, b.Name, b.Path)
		}
	}
}

// getSource serves Deployments with Get from its objects and counts the
// GETs; nothing else of Source is used by a leaf's read.
type getSource struct {
	Source
	objects map[string]*unstructured.Unstructured
	gets    atomic.Int32
}

func (s *getSource) Catalog() *k8s.Catalog { return testCatalog() }

func (s *getSource) Get(_ context.Context, t k8s.Type, ns, name string) (*unstructured.Unstructured, error) {
	s.gets.Add(1)
	if o, ok := s.objects[ns+"/"+name]; ok {
		return o.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(t.GVR.GroupResource(), name)
}

// D compares one leaf with the same path in N contexts: that leaf is read
// once, not once per context, and each pair says what it found.
func TestDiffLeavesReadsEachLeafOnce(t *testing.T) {
	deployment := func(image string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": "web", "namespace": "shop", "uid": image},
			"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"name": "web", "image": image}}}}},
		}}
	}
	sources := map[string]*getSource{}
	fss := map[string]*FS{}
	for ctx, image := range map[string]string{"dev": "nginx:1.27", "prod": "nginx:1.28", "stage": "nginx:1.27", "empty": ""} {
		sources[ctx] = &getSource{objects: map[string]*unstructured.Unstructured{}}
		if image != "" {
			sources[ctx].objects["shop/web"] = deployment(image)
		}
		fss[ctx] = NewFS(sources[ctx], Options{})
	}
	leaf := MustParse("/namespaces/shop/deployments/web/manifest.yaml")
	side := func(ctx string) DiffSide { return DiffSide{FS: fss[ctx], Path: leaf, Name: ctx + ":" + leaf.String()} }
	var pairs []DiffPair
	for _, other := range []string{"empty", "prod", "stage"} {
		pairs = append(pairs, DiffPair{side("dev"), side(other)})
	}
	got := DiffLeaves(context.Background(), pairs, false)
	neat := "/namespaces/shop/deployments/web/manifest.neat.yaml"
	for _, want := range []string{
		"=== dev:" + neat + " against empty:" + neat + ": empty:" + neat + `: deployments.apps "web" not found` + "\n",
		"--- dev:" + neat + "\n+++ prod:" + neat + "\n",
		"-      - image: nginx:1.27\n+      - image: nginx:1.28\n",
		"=== dev:" + neat + " and stage:" + neat + " are the same\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the diffs:\n%s", want, got)
		}
	}
	if strings.Contains(got, "uid") {
		t.Errorf("the neat diffs hold the uids:\n%s", got)
	}
	if n := sources["dev"].gets.Load(); n != 1 {
		t.Errorf("dev's leaf was read %d times for %d pairs, want once", n, len(pairs))
	}
	// Raw: the same reads, the stored text.
	if got := DiffLeaves(context.Background(), pairs[1:2], true); !strings.Contains(got, "-  uid: nginx:1.27\n+  uid: nginx:1.28\n") {
		t.Errorf("the raw diff has no uid line:\n%s", got)
	}
}
