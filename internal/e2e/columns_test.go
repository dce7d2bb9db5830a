package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/themes"
)

// ages masks what differs between two runs a moment apart: relative
// times ("5s", "3m20s", "2d4h", "12s ago").
var ages = regexp.MustCompile(`\b\d+[smhdy](\d+[smhd])?\b`)

// maskAges masks the ages in s and the padding around them, whose width
// follows the ages' ("9s" then "10s").
func maskAges(s string) string {
	lines := strings.Split(ages.ReplaceAllString(s, "AGE"), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// crashLoop makes container 0 of a pod crash-looping, as a kubelet would
// report it, through the status subresource.
func crashLoop(t *testing.T, ns, name string, restarts int32) {
	t.Helper()
	pods := testcluster.Shared(t).Clientset().CoreV1().Pods(ns)
	pod, err := pods.Get(ctx(t), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs := &pod.Status.ContainerStatuses[0]
	cs.Ready, cs.RestartCount = false, restarts
	cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 5m0s"}}
	cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 1, Reason: "Error", StartedAt: metav1.Now(), FinishedAt: metav1.Now()}}
	for i := range pod.Status.Conditions {
		if c := &pod.Status.Conditions[i]; c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			c.Status = corev1.ConditionFalse
		}
	}
	if _, err := pods.UpdateStatus(ctx(t), pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// createGadgets makes a CRD (plural in the group columns.example.io,
// of kind kind; each test its own, as a deleted CRD lingers) whose
// printer columns include a wide one (priority 1), an integer and a
// date, and two objects of it.
func createGadgets(t *testing.T, ns, plural, kind string) {
	t.Helper()
	c := testcluster.Shared(t)
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	name := plural + ".columns.example.io"
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"group": "columns.example.io", "scope": "Namespaced",
			"names": map[string]any{"plural": plural, "singular": strings.ToLower(kind), "kind": kind},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
				"additionalPrinterColumns": []any{
					map[string]any{"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
					map[string]any{"name": "Color", "type": "string", "jsonPath": ".spec.color"},
					map[string]any{"name": "Owner", "type": "string", "jsonPath": ".spec.owner", "priority": int64(1)},
					map[string]any{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
				},
			}},
		},
	}}
	if _, err := dyn.Resource(crdGVR).Create(ctx(t), crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dyn.Resource(crdGVR).Delete(context.Background(), name, metav1.DeleteOptions{}) })
	gvr := schema.GroupVersionResource{Group: "columns.example.io", Version: "v1", Resource: plural}
	for _, g := range []map[string]any{
		{"size": int64(3), "color": "[red]tag[-]", "owner": "team-a"},
		{"size": int64(12), "color": "blue", "owner": "team-b"},
	} {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "columns.example.io/v1", "kind": kind,
			"metadata": map[string]any{"generateName": strings.ToLower(kind) + "-"}, "spec": g,
		}}
		eventually(t, "the CRD "+name+" to serve", 30*time.Second, func() bool {
			_, err := dyn.Resource(gvr).Namespace(ns).Create(ctx(t), obj, metav1.CreateOptions{})
			return err == nil
		}, noDetail)
	}
}

// kfsui ls -l prints what kubectl get prints, apart from the ages: pods
// (one crash-looping), a Deployment, nodes, and a CRD's printer columns,
// wide ones included; --sort sorts as asked; a bad column is one clear
// line and exit 2.
func TestE2EColumnsMatchKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "columns")
	for _, name := range []string{"api-0", "api-1", "worker-0"} {
		if _, err := c.CreatePod(ctx(t), ns, name, []string{"main", "sidecar"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	crashLoop(t, ns, "api-1", 17)
	applyDeployment(t, ns)
	createGadgets(t, ns, "gadgets", "Gadget")

	for _, tc := range []struct {
		path    string
		kubectl []string
	}{
		{"/namespaces/" + ns + "/pods", []string{"-n", ns, "get", "pods"}},
		{"/namespaces/" + ns + "/deployments", []string{"-n", ns, "get", "deployments"}},
		{"/cluster/nodes", []string{"get", "nodes"}},
		{"/namespaces/" + ns + "/gadgets", []string{"-n", ns, "get", "gadgets"}},
	} {
		for _, wide := range []bool{false, true} {
			args, kargs := []string{"ls", "-l", tc.path}, tc.kubectl
			if wide {
				args, kargs = []string{"ls", "-l", "--wide", tc.path}, append(kargs, "-o", "wide")
			}
			want, err := c.Kubectl(ctx(t), kargs...)
			if err != nil {
				t.Fatal(err)
			}
			got, errOut, code := kfsui(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			if maskAges(got) != maskAges(string(want)) {
				t.Errorf("%v differs from kubectl %v\n--- kfsui\n%s--- kubectl\n%s", args, kargs, got, want)
			}
		}
	}
	got, _, _ := kfsui(t, "ls", "-l", "--wide", "/namespaces/"+ns+"/gadgets")
	if !strings.Contains(got, "OWNER") || !strings.Contains(got, "[red]tag[-]") {
		t.Errorf("the gadgets' wide column or the tag text is missing:\n%s", got)
	}

	// Sorted by RESTARTS, descending: the crashing pod first, the rest
	// (the Deployment's two among them) by name, reversed.
	pods, err := c.Clientset().CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rest []string
	for _, p := range pods.Items {
		if p.Name != "api-1" {
			rest = append(rest, p.Name)
		}
	}
	slices.Sort(rest)
	slices.Reverse(rest)
	want := append([]string{"api-1"}, rest...)
	got, errOut, code := kfsui(t, "ls", "-l", "--sort=-restarts", "/namespaces/"+ns+"/pods")
	if code != 0 {
		t.Fatalf("--sort: exit %d: %s", code, errOut)
	}
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(got), "\n")[1:] {
		order = append(order, strings.Fields(line)[0])
	}
	if !slices.Equal(order, want) || len(order) != 5 {
		t.Errorf("sorted by -restarts: %v, want %v: api-1 first, then the rest by name, reversed\n%s", order, want, got)
	}
	_, errOut, code = kfsui(t, "ls", "-l", "--sort", "colour", "/namespaces/"+ns+"/pods")
	if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `no column "colour"`) {
		t.Errorf("a bad column: exit %d, stderr %q; want exit 2 and one line naming it", code, errOut)
	}
	_, errOut, code = kfsui(t, "ls", "--wide", "/namespaces/"+ns+"/pods")
	if code != 2 || !strings.Contains(errOut, "go with -l") {
		t.Errorf("--wide without -l: exit %d, stderr %q", code, errOut)
	}

	// A namespace lists its types with their counts: three pods and the
	// Deployment's two, in its one ReplicaSet.
	got, _, code = kfsui(t, "ls", "-l", "/namespaces/"+ns)
	for _, count := range []string{`pods/\s+5`, `replicasets/\s+1`, `gadgets/\s+2`} {
		if code != 0 || !regexp.MustCompile(`(?m)^`+count+`$`).MatchString(got) {
			t.Errorf("ls -l of a namespace: exit %d, no line %s\n%s", code, count, got)
		}
	}
}

// The tree shows the pods' columns under a header; a pod whose status
// changes to CrashLoopBackOff through the status subresource changes its
// cells and color without a keypress; sorting by RESTARTS keeps the
// selection on its pod; the filter finds the crashing pod by its status.
func TestE2ETreeColumnsFollowTheCluster(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "tree-columns")
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		if _, err := c.CreatePod(ctx(t), ns, name, []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	dir := "/namespaces/" + ns + "/pods"
	d := startApp(t, dir)
	screen := d.waitText(10*time.Second, "NAME ↑", "READY", "STATUS", "RESTARTS", "AGE", "alpha/", "charlie/")
	if !regexp.MustCompile(`bravo/\s+1/1\s+Running\s+0\s+\d+s`).MatchString(screen) {
		t.Fatalf("bravo's row is not aligned under the header:\n%s", screen)
	}
	if strings.Contains(screen, "NOMINATED NODE") {
		t.Errorf("a wide column shows before w:\n%s", screen)
	}
	theme := themes.Dark()
	if got := d.colorOf("bravo/"); got != theme.Fine {
		t.Errorf("a running pod's color is %v, want the theme's fine %v", got, theme.Fine)
	}
	d.waitSelected(dir, 5*time.Second)
	d.keys("jj") // bravo
	d.waitSelected(dir+"/bravo", 5*time.Second)

	start := time.Now()
	crashLoop(t, ns, "charlie", 5)
	screen = d.waitFor("charlie crash-looping on screen", 10*time.Second, func(s string) bool {
		return regexp.MustCompile(`charlie/\s+0/1\s+CrashLoopBackOff\s+5 \(\d+s ago\)`).MatchString(s)
	})
	t.Logf("a status change reached the screen in %v", time.Since(start))
	if got := d.colorOf("charlie/"); got != theme.Failing {
		t.Errorf("a crash-looping pod's color is %v, want the theme's failing %v\n%s", got, theme.Failing, screen)
	}
	d.waitText(5*time.Second, "pods/  3 · 1 failing")

	// o cycles name → READY → STATUS → RESTARTS; O reverses.
	d.keys("ooo")
	d.waitText(5*time.Second, "RESTARTS ↑")
	d.keys("O")
	// The footer may say so a frame before the rows are drawn sorted:
	// wait for the rows.
	d.waitFor("charlie (5 restarts) above alpha (0) under RESTARTS ↓", 5*time.Second, func(s string) bool {
		i, j := strings.Index(s, "charlie/"), strings.Index(s, "alpha/")
		return regexp.MustCompile(`NAME\s+READY\s+STATUS\s+RESTARTS ↓`).MatchString(s) && i >= 0 && j >= 0 && i < j
	})
	if got := d.selected(); got != dir+"/bravo" {
		t.Errorf("the selection moved to %q while sorting, want bravo", got)
	}

	// w shows the wide columns, as far as they fit: the tree is widened
	// first (> moves the split), since at 40% of 200 columns they do not.
	d.keys("w")
	screen = d.waitText(5*time.Second, "wide columns shown")
	if strings.Contains(screen, "NOMINATED NODE") || !strings.Contains(screen, "charlie/") {
		t.Errorf("wide columns that do not fit the pane are drawn, or the names left out:\n%s", screen)
	}
	d.keys(">>>>>>>>>")
	d.waitText(5*time.Second, "NOMINATED NODE", "kfsui-node")
	d.keys("w")
	d.waitFor("the wide columns gone", 5*time.Second, func(s string) bool { return !strings.Contains(s, "NOMINATED NODE") })

	// The filter matches the status cell.
	d.keys("/crashloop")
	d.key(tcell.KeyEnter)
	screen = d.waitText(5*time.Second, `1 entry matches "crashloop"`)
	if strings.Contains(screen, "alpha/") || !strings.Contains(screen, "charlie/") {
		t.Errorf("the filter on a status shows:\n%s", screen)
	}
}

// A CRD whose printer columns are edited while its directory is open:
// the tree's header and rows follow, from the listing's own watch (it
// ends as expired and the listing lists again), with no restart.
func TestE2ETreeFollowsEditedPrinterColumns(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "edited-columns")
	createGadgets(t, ns, "doodads", "Doodad")
	d := startApp(t, "/namespaces/"+ns+"/doodads")
	d.waitText(10*time.Second, "SIZE", "COLOR", "blue")

	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	patch := []byte(`[{"op":"replace","path":"/spec/versions/0/additionalPrinterColumns","value":[` +
		`{"name":"Shade","type":"string","jsonPath":".spec.color"},` +
		`{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]}]`)
	if _, err := dyn.Resource(crdGVR).Patch(ctx(t), "doodads.columns.example.io", types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	screen := d.waitFor("the new printer columns in the tree", 30*time.Second, func(s string) bool {
		return strings.Contains(s, "SHADE") && !strings.Contains(s, "SIZE")
	})
	if !regexp.MustCompile(`doodad-\w+/\s+blue\s+\d+s`).MatchString(screen) {
		t.Errorf("the rows do not follow the new columns:\n%s", screen)
	}
}

// Without colors, a row's state is a mark before its name.
func TestE2ENoColorMarksStates(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "marks")
	for _, name := range []string{"fine-0", "crashy-0"} {
		if _, err := c.CreatePod(ctx(t), ns, name, []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	crashLoop(t, ns, "crashy-0", 2)
	d := startAppWith(t, c.KubeconfigPath, "", app.Options{StartPath: "/namespaces/" + ns + "/pods", Theme: themes.Monochrome()})
	screen := d.waitText(10*time.Second, "! crashy-0/", "  fine-0/")
	if !regexp.MustCompile(`\s{2}NAME ↑`).MatchString(screen) {
		t.Errorf("the header is not aligned with the marked names:\n%s", screen)
	}
}

// As a person sees it in a real terminal: the real binary in tmux shows a
// crash-looping pod in another color than a running one, and with
// NO_COLOR set, with a mark.
func TestE2EBinaryFailingPodStandsOut(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "standout")
	for _, name := range []string{"fine-0", "crashy-0"} {
		if _, err := c.CreatePod(ctx(t), ns, name, []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	crashLoop(t, ns, "crashy-0", 4)
	bin := buildBinary(t)
	x := newTmux(t)
	x.start(fmt.Sprintf("%s --kubeconfig %s --path /namespaces/%s/pods%s", bin, c.KubeconfigPath, ns, afterExit))
	x.waitText(15*time.Second, "CrashLoopBackOff", "fine-0/", "1 failing")
	pane := x.run("capture-pane", "-p", "-e", "-t", "main")
	// The escape sequence that sets each name's color, right before it.
	colorBefore := func(name string) string {
		i := strings.Index(pane, name)
		if i < 0 {
			return ""
		}
		j := strings.LastIndex(pane[:i], "\x1b[")
		if j < 0 {
			return ""
		}
		return pane[j:i]
	}
	crashy, fine := colorBefore("crashy-0/"), colorBefore("fine-0/")
	if crashy == "" || crashy == fine {
		t.Errorf("the failing pod is drawn as the running one: %q and %q\n%s", crashy, fine, pane)
	}
	x.send("q")
	x.waitText(10*time.Second, "exit=0")

	y := newTmux(t)
	y.start(fmt.Sprintf("NO_COLOR=1 %s --kubeconfig %s --path /namespaces/%s/pods%s", bin, c.KubeconfigPath, ns, afterExit))
	y.waitText(15*time.Second, "! crashy-0/", "  fine-0/")
	y.send("q")
	y.waitText(10*time.Second, "exit=0")
}

// A printer column's text from the cluster shows literally in the tree,
// and < > move the split between the tree and the viewer, written to
// config.yaml with the rest of the file kept.
func TestE2ESplitIsRememberedAndCellsAreLiteral(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "split")
	createGadgets(t, ns, "trinkets", "Trinket")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("theme: dark # mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startAppWith(t, c.KubeconfigPath, "", app.Options{StartPath: "/namespaces/" + ns + "/trinkets", ConfigFile: cfg})
	screen := d.waitText(10*time.Second, "COLOR", "[red]tag[-]", "blue")
	viewerAt := func(s string) int {
		for _, line := range strings.Split(s, "\n") {
			if i := strings.Index(line, "viewer"); i >= 0 {
				return len([]rune(line[:i]))
			}
		}
		return -1
	}
	before := viewerAt(screen)
	d.keys(">>")
	// 10% of 200 columns, give or take the borders.
	d.waitFor("the split moved by two >", 5*time.Second, func(s string) bool { return viewerAt(s) >= before+15 })
	var data []byte
	eventually(t, "tree-width: 50 in config.yaml, the rest kept", 5*time.Second, func() bool {
		data, _ = os.ReadFile(cfg)
		return strings.Contains(string(data), "tree-width: 50") && strings.Contains(string(data), "theme: dark # mine")
	}, func() string { return string(data) })
	d.keys("<")
	eventually(t, "tree-width: 45 in config.yaml", 5*time.Second, func() bool {
		data, _ = os.ReadFile(cfg)
		return strings.Contains(string(data), "tree-width: 45")
	}, func() string { return string(data) })
}
