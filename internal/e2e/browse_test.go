package e2e

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

func TestE2ENamespacesListed(t *testing.T) {
	ns := newNamespace(t, "listed")
	d := startApp(t, "")
	d.waitText(10*time.Second, "cluster/", "namespaces/", "default/", "kube-system/", ns+"/")

	out, errOut, code := kfsui(t, "ls", "/namespaces")
	if code != 0 {
		t.Fatalf("ls /namespaces: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"default/\n", "kube-system/\n", ns + "/\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("ls /namespaces lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = kfsui(t, "ls", "/")
	if out != "all/\ncluster/\nnamespaces/\n" {
		t.Errorf("ls / = %q", out)
	}
}

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations:
    team: "a"
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
`

func TestE2EDeploymentManifestMatchesKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "deploy")
	applyDeployment(t, ns)

	want, err := c.Kubectl(ctx(t), "-n", ns, "get", "deployment", "web", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(want), "kubectl.kubernetes.io/last-applied-configuration") {
		t.Fatalf("kubectl's output lacks the last-applied annotation; the test setup is wrong:\n%s", want)
	}
	leaf := "/namespaces/" + ns + "/deployments/web/manifest.yaml"
	got, errOut, code := kfsui(t, "cat", leaf)
	if code != 0 {
		t.Fatalf("cat: exit %d: %s", code, errOut)
	}
	if got != string(want) {
		t.Errorf("manifest.yaml differs from kubectl get -o yaml\n--- kfsui\n%s\n--- kubectl\n%s", got, want)
	}

	wantJSON, err := c.Kubectl(ctx(t), "-n", ns, "get", "deployment", "web", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	gotJSON, errOut, code := kfsui(t, "cat", "/namespaces/"+ns+"/deployments/web/manifest.json")
	if code != 0 {
		t.Fatalf("cat json: exit %d: %s", code, errOut)
	}
	var a, b any
	if err := json.Unmarshal([]byte(gotJSON), &a); err != nil {
		t.Fatalf("manifest.json is not JSON: %v", err)
	}
	_ = json.Unmarshal(wantJSON, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("manifest.json differs from kubectl get -o json\n--- kfsui\n%s\n--- kubectl\n%s", gotJSON, wantJSON)
	}
	if !strings.HasSuffix(gotJSON, "}\n") {
		t.Errorf("manifest.json does not end with a newline")
	}

	// The viewer shows the same text, highlighted, with the path as title.
	d := startApp(t, "/namespaces/"+ns+"/deployments/web")
	d.waitText(10*time.Second, "──manifest.yaml", "──status.yaml", "──events.txt")
	d.waitSelected("/namespaces/"+ns+"/deployments/web", 5*time.Second)
	d.keys("j") // manifest.yaml
	d.waitSelected(leaf, 5*time.Second)
	d.key(tcell.KeyEnter)
	screen := d.waitText(10*time.Second, leaf, "kind: Deployment", "replicas: 2")
	if path, text := d.viewer(); path != leaf || text != got {
		t.Errorf("viewer shows %q with %d bytes, want %q with the manifest\n%s", path, len(text), leaf, screen)
	}
	keyColor := d.colorOf("kind: Deployment")
	valueColor := d.colorOf("Deployment")
	if keyColor == tcell.ColorDefault || keyColor == valueColor {
		t.Errorf("the manifest is not highlighted: key color %v, value color %v", keyColor, valueColor)
	}
}

// Start-up discovers once. The CRD and APIService listings the catalog
// follows find what that discovery saw, so they call for no second one;
// a CRD created afterwards does.
func TestE2EStartUpDiscoversOnce(t *testing.T) {
	d, counter := startAppCounting(t, model.Options{}, app.Options{StartPath: "/namespaces"})
	d.waitText(10*time.Second, "default/")
	discoveries := func() int {
		n := 0
		for _, u := range counter.matching("/apis") {
			if u == "/apis" || strings.HasPrefix(u, "/apis?") {
				n++
			}
		}
		return n
	}
	// The catalog's listings sync within a second; a rediscovery would
	// follow them 300 ms later.
	time.Sleep(2 * time.Second)
	if n := discoveries(); n != 1 {
		t.Fatalf("start-up asked /apis %d times, want once", n)
	}
	createCRD(t, "once.example.io", "onces", "Once")
	eventually(t, "a rediscovery after a new CRD", 10*time.Second, func() bool { return discoveries() > 1 }, func() string {
		return fmt.Sprint(discoveries(), " discoveries")
	})
}

func TestE2ECRDAppearsAsTypeWithCollision(t *testing.T) {
	ns := newNamespace(t, "crd")
	d := startApp(t, "/namespaces/"+ns)
	d.waitText(10*time.Second, "configmaps/", "events/", "events.events.k8s.io/", "pods/")

	const group = "collide.example.io"
	createCRD(t, group, "events", "CollideEvent")
	// No keypress: the catalog follows CRDs by itself.
	screen := d.waitText(10*time.Second, "events."+group+"/")
	if !strings.Contains(screen, " events/") && !strings.Contains(screen, "─events/") {
		t.Errorf("core events lost its bare name:\n%s", screen)
	}

	c := testcluster.Shared(t)
	gvr := schema.GroupVersionResource{Group: group, Version: "v1", Resource: "events"}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": group + "/v1", "kind": "CollideEvent",
		"metadata": map[string]any{"name": "boom"}, "spec": map[string]any{"size": int64(3)},
	}}
	if _, err := dynamic.NewForConfigOrDie(c.RESTConfig()).Resource(gvr).Namespace(ns).Create(ctx(t), obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := kfsui(t, "ls", "/namespaces/"+ns)
	if code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"\nevents/\n", "\nevents." + group + "/\n", "\nevents.events.k8s.io/\n"} {
		if !strings.Contains("\n"+out, want) {
			t.Errorf("ls lacks %q:\n%s", strings.Trim(want, "\n"), out)
		}
	}
	out, errOut, code = kfsui(t, "ls", "/namespaces/"+ns+"/events."+group)
	if code != 0 || out != "boom/\n" {
		t.Errorf("ls of the CRD type = %q, exit %d: %s", out, code, errOut)
	}
	got, _, _ := kfsui(t, "cat", "/namespaces/"+ns+"/events."+group+"/boom/manifest.yaml")
	want, err := c.Kubectl(ctx(t), "-n", ns, "get", "events."+group, "boom", "-o", "yaml")
	if err != nil || got != string(want) {
		t.Errorf("CRD object manifest differs from kubectl (%v)\n--- kfsui\n%s\n--- kubectl\n%s", err, got, want)
	}
}

func TestE2ELiveConfigMapsWithoutKeypress(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "live")
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	for _, n := range []string{"alpha", "charlie"} {
		if _, err := cms.Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	dir := "/namespaces/" + ns + "/configmaps"
	d := startApp(t, dir)
	d.waitText(10*time.Second, "alpha/", "charlie/")
	d.waitSelected(dir, 5*time.Second)
	d.keys("jj") // alpha, then charlie
	d.waitSelected(dir+"/charlie", 5*time.Second)

	if _, err := cms.Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bravo"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	d.waitText(2*time.Second, "bravo/")
	t.Logf("a created ConfigMap showed after %v", time.Since(start))
	if got := d.selected(); got != dir+"/charlie" {
		t.Errorf("selection moved to %q after a create", got)
	}

	if err := cms.Delete(ctx(t), "alpha", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	d.waitFor("alpha to disappear", 2*time.Second, func(s string) bool { return !strings.Contains(s, "alpha/") })
	t.Logf("a deleted ConfigMap went after %v", time.Since(start))
	if got := d.selected(); got != dir+"/charlie" {
		t.Errorf("selection moved to %q after a delete", got)
	}

	// Deleting the selected object moves the selection to its neighbour,
	// the next one: kube-root-ca.crt, the ConfigMap every namespace gets.
	if err := cms.Delete(ctx(t), "charlie", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	d.waitFor("charlie to disappear", 2*time.Second, func(s string) bool { return !strings.Contains(s, "charlie/") })
	d.waitSelected(dir+"/kube-root-ca.crt", 2*time.Second)
}

func TestE2ETagTextRendersLiterally(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "tags")
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "tags", Annotations: map[string]string{
			"kfsui.test/note": "[red]X[-]",
			// tview.Escape would let this through as a hidden hyperlink.
			"kfsui.test/link": "[:::https://evil.example/x]docs",
		}},
		Data: map[string]string{"motd": `[::b]bold["region"]`},
	}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	obj := "/namespaces/" + ns + "/configmaps/tags"
	d := startApp(t, obj)
	d.waitSelected(obj, 10*time.Second)
	d.waitText(10*time.Second, "──manifest.yaml")
	d.keys("j")
	d.waitSelected(obj+"/manifest.yaml", 5*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "kfsui.test/note: '[red]X[-]'", `motd: '[::b]bold["region"]'`,
		"kfsui.test/link: '[:::https://evil.example/x]docs'")
}
