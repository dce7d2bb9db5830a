package e2e

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// event makes a core/v1 event about (kind, name, uid) last seen ago.
func event(ns, evName, kind, name string, uid types.UID, reason string, ago time.Duration) *corev1.Event {
	last := metav1.NewTime(time.Now().Add(-ago).Truncate(time.Second))
	objNS := ns
	if kind == "ClusterRole" {
		objNS = ""
	}
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: evName, Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: name, Namespace: objNS, UID: uid},
		Reason:         reason,
		Message:        reason + " happened",
		Type:           corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: "e2e"},
		FirstTimestamp: last,
		LastTimestamp:  last,
		Count:          1,
	}
}

func TestE2EEventsShowOnlyTheObjectsOwn(t *testing.T) {
	c := testcluster.Shared(t)
	cs := c.Clientset()
	ns := newNamespace(t, "events")
	cm, err := cs.CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "same"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := cs.CoreV1().Secrets(ns).Create(ctx(t), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "same"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []*corev1.Event{
		// Created newest first, so the order on screen is the sort's doing.
		event(ns, "e1", "ConfigMap", "same", cm.UID, "NewerThing", time.Minute),
		event(ns, "e2", "ConfigMap", "same", cm.UID, "OlderThing", 10*time.Minute),
		event(ns, "e3", "Secret", "same", sec.UID, "SecretThing", 2*time.Minute),
		event(ns, "e4", "ConfigMap", "same", "0000-old-incarnation", "StaleThing", 3*time.Minute),
	} {
		if _, err := cs.CoreV1().Events(ns).Create(ctx(t), ev, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	out, errOut, code := kfsui(t, "cat", "/namespaces/"+ns+"/configmaps/same/events.txt")
	if code != 0 {
		t.Fatalf("cat events.txt: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "LAST SEEN") ||
		!strings.Contains(lines[1], "OlderThing") || !strings.Contains(lines[2], "NewerThing") {
		t.Errorf("events.txt = \n%s\nwant the header, OlderThing, NewerThing", out)
	}
	for _, col := range []string{"TYPE", "REASON", "FROM", "COUNT", "MESSAGE"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header lacks %s: %q", col, lines[0])
		}
	}
	if !strings.Contains(lines[1], "10m") || !strings.Contains(lines[1], "e2e") {
		t.Errorf("row lacks age or source: %q", lines[1])
	}

	out, _, _ = kfsui(t, "cat", "/namespaces/"+ns+"/secrets/same/events.txt")
	if !strings.Contains(out, "SecretThing") || strings.Contains(out, "NewerThing") || strings.Contains(out, "StaleThing") {
		t.Errorf("secret's events.txt = \n%s", out)
	}

	out, _, _ = kfsui(t, "cat", "/namespaces/"+ns+"/configmaps/"+"same"+"/status.yaml")
	if out != "null\n" {
		t.Errorf("status.yaml of a ConfigMap = %q, want null", out)
	}
}

func TestE2EEventsOfClusterScopedObjectsFromAnyNamespace(t *testing.T) {
	c := testcluster.Shared(t)
	cs := c.Clientset()
	ns := newNamespace(t, "cevents")
	// ':' in a name must survive the field selector.
	role, err := cs.RbacV1().ClusterRoles().Create(ctx(t), &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "e2e:" + ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.RbacV1().ClusterRoles().Delete(ctx(t), role.Name, metav1.DeleteOptions{}) })
	// The API keeps events about cluster-scoped objects in "default".
	ev := event("default", ns+"-r1", "ClusterRole", role.Name, role.UID, "Reviewed", time.Minute)
	if _, err := cs.CoreV1().Events("default").Create(ctx(t), ev, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := kfsui(t, "cat", "/cluster/clusterroles/"+role.Name+"/events.txt")
	if code != 0 || !strings.Contains(out, "Reviewed") {
		t.Errorf("cluster-scoped events.txt = %q, exit %d: %s", out, code, errOut)
	}
	out, _, _ = kfsui(t, "cat", "/cluster/clusterroles/system:basic-user/events.txt")
	if out != "No events.\n" {
		t.Errorf("events.txt without events = %q", out)
	}
}

// The kubelet records a node's events with the node's name as uid;
// kubectl describe node shows them, and so does events.txt.
func TestE2ENodeEventsIncludeTheKubeletsByName(t *testing.T) {
	c := testcluster.Shared(t)
	cs := c.Clientset()
	name := "e2e-node-" + newNamespace(t, "node")
	node, err := cs.CoreV1().Nodes().Create(ctx(t), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(ctx(t), name, metav1.DeleteOptions{}) })
	for _, ev := range []*corev1.Event{
		event("default", name+"-a", "Node", name, node.UID, "RegisteredNode", 5*time.Minute),
		event("default", name+"-b", "Node", name, types.UID(name), "NodeReady", time.Minute),
	} {
		ev.InvolvedObject.Namespace = ""
		if _, err := cs.CoreV1().Events("default").Create(ctx(t), ev, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := kfsui(t, "cat", "/cluster/nodes/"+name+"/events.txt")
	if code != 0 || !strings.Contains(out, "RegisteredNode") || !strings.Contains(out, "NodeReady") ||
		strings.Index(out, "RegisteredNode") > strings.Index(out, "NodeReady") {
		t.Errorf("node events.txt = %q, exit %d: %s", out, code, errOut)
	}
}
