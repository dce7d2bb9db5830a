package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// startAppCounting runs the app as the cluster's admin with every request
// it sends recorded.
func startAppCounting(t *testing.T, fo model.Options, o app.Options) (*driver, *countingTransport) {
	t.Helper()
	conn, counter := connectAs(t, testcluster.Shared(t).KubeconfigPath, "")
	return runApp(t, conn, fsFor(conn, "", fo), o), counter
}

// With empty types hidden a namespace lists only the types holding
// objects. Which those are is checked once per type with a one-item list
// when the namespace opens, not again on keystrokes; r checks again, jumps
// reach hidden types, and e shows everything.
func TestE2EHideEmptyTypes(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "hide")
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	runningPod(t, ns, "web", "app")
	d, counter := startAppCounting(t, model.Options{HideEmptyTypes: true}, app.Options{StartPath: "/namespaces/" + ns})
	d.waitSelected("/namespaces/"+ns, 10*time.Second)
	// Every namespace has a ServiceAccount, default.
	screen := d.waitText(10*time.Second, "configmaps/", "pods/", "serviceaccounts/", "types hidden: none of their objects to list (e shows all)", "[hide-empty]")
	for _, hidden := range []string{"secrets/", "leases/", "deployments/", "replicasets/", "helm/"} {
		if strings.Contains(screen, hidden) {
			t.Errorf("%s is listed though empty:\n%s", hidden, screen)
		}
	}
	probes := counter.matching("/namespaces/"+ns+"/", "limit=1")
	// One a type; Helm releases' two, Secrets and then ConfigMaps.
	types := len(d.conn.Catalog().Namespaced()) + 1
	if len(probes) == 0 || len(probes) > types {
		t.Errorf("%d one-item lists for %d namespaced types", len(probes), types)
	}

	// Moving about and filtering sends nothing.
	before := len(counter.matching("/namespaces/" + ns + "/"))
	d.keys("jjjjkkkkjk/conf")
	d.key(tcell.KeyEnter)
	d.key(tcell.KeyEscape)
	d.keys("gjk")
	d.settle()
	time.Sleep(300 * time.Millisecond)
	if after := counter.matching("/namespaces/" + ns + "/"); len(after) != before {
		t.Errorf("keystrokes sent %d requests: %v", len(after)-before, after[before:])
	}

	// r on the namespace checks again: a new Secret shows its type.
	if _, err := c.Clientset().CoreV1().Secrets(ns).Create(ctx(t), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d.jump("/namespaces/" + ns)
	d.waitSelected("/namespaces/"+ns, 5*time.Second)
	d.keys("r")
	d.waitText(10*time.Second, "secrets/")

	// A hidden type is still where a jump goes.
	d.jump("leases")
	d.waitSelected("/namespaces/"+ns+"/leases", 10*time.Second)
	d.waitText(5*time.Second, "leases/")

	// e shows every type again.
	d.jump("/namespaces/" + ns)
	d.waitSelected("/namespaces/"+ns, 5*time.Second)
	d.keys("e")
	screen = d.waitText(10*time.Second, "deployments/", "replicasets/", "all types shown")
	if strings.Contains(screen, "types hidden") || strings.Contains(screen, "[hide-empty]") {
		t.Errorf("still hiding after e:\n%s", screen)
	}
}

// With --refresh the open leaf follows the cluster without a keypress,
// keeping its scroll position and saying nothing when nothing changed.
func TestE2ELeafRefreshesByItself(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "refresh")
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	if _, err := cms.Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "flags"}, Data: map[string]string{"mode": "blue"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, counter := startAppCounting(t, model.Options{}, app.Options{StartPath: "/namespaces/" + ns, Refresh: time.Second})
	d.waitText(5*time.Second, "[refresh 1s]")
	d.jump("/namespaces/" + ns + "/configmaps/flags/manifest.yaml")
	d.waitText(10*time.Second, "mode: blue")
	cm, err := cms.Get(ctx(t), "flags", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["mode"] = "green"
	if _, err := cms.Update(ctx(t), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	screen := d.waitText(5*time.Second, "mode: green")
	if strings.Contains(screen, "refreshed") {
		t.Errorf("an automatic refresh flashed:\n%s", screen)
	}
	// Once another leaf is open, the first is fetched no more.
	get := "/namespaces/" + ns + "/configmaps/flags"
	d.jump("/namespaces/" + ns + "/configmaps/flags/status.yaml")
	d.waitText(10*time.Second, "null")
	d.jump("/namespaces/" + ns)
	d.key(tcell.KeyTab) // nothing shown in the viewer changes the count below
	before := len(counter.matching(get))
	time.Sleep(2500 * time.Millisecond)
	// status.yaml is still open and fetched about once a second; what
	// matters is that one timer runs, not two.
	if n := len(counter.matching(get)) - before; n < 1 || n > 4 {
		t.Errorf("%d GETs of the open leaf in 2.5s with --refresh 1s", n)
	}
}

// A listing whose directory was closed stops after the idle timeout, its
// watch ended; opening the directory again lists it anew.
func TestE2EClosedDirectoriesStopWhenIdle(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "idle")
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "first"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d, counter := startAppCounting(t, model.Options{}, app.Options{StartPath: "/namespaces/" + ns + "/configmaps"})
	d.waitText(10*time.Second, "first/")
	watch := []string{"/namespaces/" + ns + "/configmaps?", "&resourceVersion=", "watch=true"}
	eventually(t, "the configmaps watch", 10*time.Second, func() bool { return len(counter.matching(watch...)) == 1 },
		func() string { return strings.Join(counter.matching("/namespaces/"+ns+"/"), "\n") })
	// Set once the directory is open and held: a timeout this short could
	// otherwise stop the listing the jump started before the tree, still
	// opening the directories above, holds it.
	d.conn.Lists().SetIdleTimeout(300 * time.Millisecond)
	running, _ := d.conn.Lists().Running()

	time.Sleep(time.Second)
	if now, _ := d.conn.Lists().Running(); now != running {
		t.Fatalf("an open directory's listing stopped: %d running, was %d", now, running)
	}
	d.keys("h") // collapse configmaps/
	eventually(t, "the closed listing to stop", 10*time.Second, func() bool {
		now, _ := d.conn.Lists().Running()
		return now == running-1
	}, noDetail)

	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "second"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d.keys("l")
	d.waitText(10*time.Second, "first/", "second/")
	if n := len(counter.matching(watch...)); n != 2 {
		t.Errorf("%d watches of the configmaps, want the first and one after reopening", n)
	}
}
