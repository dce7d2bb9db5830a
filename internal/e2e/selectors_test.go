package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// tieredPods creates web-0 and web-1 (tier=web), db-0 (tier=db) and, not
// run by the node, pending-0 (tier=db), in ns.
func tieredPods(t *testing.T, ns string) {
	t.Helper()
	c := testcluster.Shared(t)
	for _, p := range []struct{ name, tier string }{{"web-0", "web"}, {"web-1", "web"}, {"db-0", "db"}} {
		if _, err := c.CreatePod(ctx(t), ns, p.name, []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
		labelPod(t, c, ns, p.name, "tier", p.tier)
	}
	pending := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "pending-0", Namespace: ns, Labels: map[string]string{"tier": "db"},
			Annotations: map[string]string{testcluster.NotRunAnnotation: "true"}},
		Spec: corev1.PodSpec{NodeName: c.NodeName(), Containers: []corev1.Container{{Name: "main", Image: "busybox"}}},
	}
	if _, err := c.Clientset().CoreV1().Pods(ns).Create(ctx(t), pending, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestE2ESelectorsNarrowOnTheServer checks the jump bar's and the tree
// filter's selectors: the listing is one list and watch with the
// selector (seen in the requests sent), the breadcrumb names it, Esc
// shows every object again, and a malformed selector is one line and
// no request.
func TestE2ESelectorsNarrowOnTheServer(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	ns := newNamespace(t, "sel")
	tieredPods(t, ns)
	conn, counter := connectAs(t, c.KubeconfigPath, "")
	d := runApp(t, conn, fsFor(conn, "", model.Options{}), app.Options{StartPath: "/namespaces/" + ns})

	d.jump("po -n " + ns + " -l tier=db")
	screen := d.waitText(15*time.Second, "db-0/", "pending-0/", "-l tier=db")
	if strings.Contains(screen, "web-0/") {
		t.Errorf("a pod the selector leaves out is shown:\n%s", screen)
	}
	narrowed := counter.matching("/api/v1/namespaces/"+ns+"/pods", "labelSelector="+url.QueryEscape("tier=db"))
	var list, watch bool
	for _, u := range narrowed {
		list = list || !strings.Contains(u, "watch=true")
		watch = watch || strings.Contains(u, "watch=true")
	}
	if !list || !watch {
		t.Errorf("want a list and a watch with the selector, got %q", narrowed)
	}

	// Esc shows every pod again.
	d.key(tcell.KeyEscape)
	d.waitText(15*time.Second, "db-0/", "web-0/", "web-1/")

	// The tree filter takes a selector too.
	d.keys("/-l tier=web")
	d.key(tcell.KeyEnter)
	screen = d.waitFor("the pods narrowed to tier=web", 15*time.Second, func(s string) bool {
		return strings.Contains(s, "web-1/") && !strings.Contains(s, "db-0/") && strings.Contains(s, "-l tier=web")
	})

	// A malformed selector is one line in the footer, and no request.
	before := len(counter.matching("labelSelector="))
	d.jump("po -n " + ns + " -l tier in (db")
	d.waitText(10*time.Second, "label selector", "unable to parse")
	if n := len(counter.matching("labelSelector=")); n != before {
		t.Errorf("a malformed selector sent %d requests", n-before)
	}
	_ = screen
}

// TestE2EFieldSelectorAcrossNamespaces checks :po -A --field
// status.phase!=Running and its headless form against kubectl.
func TestE2EFieldSelectorAcrossNamespaces(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	ns := newNamespace(t, "fsel")
	tieredPods(t, ns)
	conn, counter := connectAs(t, c.KubeconfigPath, "")
	d := runApp(t, conn, fsFor(conn, "", model.Options{}), app.Options{})
	d.jump("po -A --field status.phase!=Running")
	screen := d.waitText(15*time.Second, ns+":pending-0", "--field-selector status.phase!=Running")
	if strings.Contains(screen, ns+":db-0") {
		t.Errorf("a running pod is shown:\n%s", screen)
	}
	if got := counter.matching("/api/v1/pods", "fieldSelector="+url.QueryEscape("status.phase!=Running")); len(got) == 0 {
		t.Errorf("no request across namespaces with the field selector")
	}

	for _, sel := range [][2]string{{"tier=db", ""}, {"", "status.phase=Running"}, {"tier=db", "status.phase!=Running"}} {
		kubectlArgs := []string{"get", "pods", "-n", ns}
		kfsuiArgs := []string{"ls", "-l"}
		if sel[0] != "" {
			kubectlArgs = append(kubectlArgs, "-l", sel[0])
			kfsuiArgs = append(kfsuiArgs, "--selector", sel[0])
		}
		if sel[1] != "" {
			kubectlArgs = append(kubectlArgs, "--field-selector", sel[1])
			kfsuiArgs = append(kfsuiArgs, "--field-selector", sel[1])
		}
		want, err := c.Kubectl(ctx(t), kubectlArgs...)
		if err != nil {
			t.Fatal(err)
		}
		got, stderr, code := kfsui(t, append(kfsuiArgs, "/namespaces/"+ns+"/pods")...)
		if code != 0 || maskAges(got) != maskAges(string(want)) {
			t.Errorf("kfsui %s: exit %d %s\n%s\nkubectl %s:\n%s", strings.Join(kfsuiArgs, " "), code, stderr, got, strings.Join(kubectlArgs, " "), want)
		}
	}
	_, stderr, code := kfsui(t, "ls", "-l", "--selector", "tier in (db", "/namespaces/"+ns+"/pods")
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "label selector") {
		t.Errorf("a malformed selector: exit %d, stderr %q", code, stderr)
	}
}
