package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// TestE2EControllerRevisionsMatchKubectl rolls a StatefulSet and a
// DaemonSet out twice and reads their revisions: each <N>.yaml is what
// the pinned `kubectl rollout history --revision=N -o yaml` prints (the
// object as of that ControllerRevision), and 2.diff shows exactly the
// image change with its change-cause. kfsui reads these histories itself
// rather than through kubectl's history viewers.
func TestE2EControllerRevisionsMatchKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "crevisions")
	apps := c.Clientset().AppsV1()
	labels := map[string]string{"app": "db"}
	template := func(image string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
		}
	}
	meta := func(cause string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: "db", Labels: labels, Annotations: map[string]string{"kubernetes.io/change-cause": cause}}
	}
	replicas := int32(1)
	sts := &appsv1.StatefulSet{ObjectMeta: meta("first"), Spec: appsv1.StatefulSetSpec{
		Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template("busybox:1.35"),
	}}
	ds := &appsv1.DaemonSet{ObjectMeta: meta("first"), Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template("busybox:1.35"),
	}}
	if _, err := apps.StatefulSets(ns).Create(ctx(t), sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := apps.DaemonSets(ns).Create(ctx(t), ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRevisions(t, ns, 1)
	// A patch: the controllers write the objects' status meanwhile.
	patch := []byte(`{"metadata":{"annotations":{"kubernetes.io/change-cause":"new image"}},` +
		`"spec":{"template":{"spec":{"containers":[{"name":"app","image":"busybox:1.36"}]}}}}`)
	if _, err := apps.StatefulSets(ns).Patch(ctx(t), "db", types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := apps.DaemonSets(ns).Patch(ctx(t), "db", types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRevisions(t, ns, 2)

	for _, kind := range []string{"statefulsets", "daemonsets"} {
		dir := "/namespaces/" + ns + "/" + kind + "/db/revisions"
		if out, errOut, code := kfsui(t, "ls", dir); code != 0 || out != "1.yaml\n1.diff\n2.yaml\n2.diff\n" {
			t.Errorf("ls %s = %q, exit %d, %s", dir, out, code, errOut)
		}
		for _, n := range []string{"1", "2"} {
			// The object's status moves while its pods start: compare
			// until both reads see the same one.
			var got, want string
			eventually(t, kind+" revision "+n+" as kubectl prints it", 30*time.Second, func() bool {
				w, err := c.Kubectl(ctx(t), "-n", ns, "rollout", "history", kind+"/db", "--revision="+n, "-o", "yaml")
				if err != nil {
					t.Fatal(err)
				}
				got, _, _ = kfsui(t, "cat", dir+"/"+n+".yaml")
				want = string(w)
				return got == want
			}, func() string { return "--- kfsui\n" + got + "--- kubectl\n" + want })
		}
		diff, _, _ := kfsui(t, "cat", dir+"/2.diff")
		var changed []string
		for l := range strings.SplitSeq(diff, "\n") {
			if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
				changed = append(changed, l)
			}
		}
		if want := []string{"-  - image: busybox:1.35", "+  - image: busybox:1.36"}; !slices.Equal(changed, want) {
			t.Errorf("%s 2.diff changes %q, want exactly the image:\n%s", kind, changed, diff)
		}
		if !strings.Contains(diff, "change-cause: new image") {
			t.Errorf("%s 2.diff lacks the change-cause:\n%s", kind, diff)
		}
	}
}

// waitRevisions waits until the StatefulSet and the DaemonSet db in ns
// each control n ControllerRevisions.
func waitRevisions(t *testing.T, ns string, n int) {
	t.Helper()
	revs := testcluster.Shared(t).Clientset().AppsV1().ControllerRevisions(ns)
	var kinds map[string]int
	eventually(t, "the controllers' revisions", 60*time.Second, func() bool {
		list, err := revs.List(ctx(t), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		kinds = map[string]int{}
		for _, r := range list.Items {
			if owner := metav1.GetControllerOf(&r); owner != nil {
				kinds[owner.Kind]++
			}
		}
		return kinds["StatefulSet"] == n && kinds["DaemonSet"] == n
	}, func() string { return fmt.Sprintf("revisions by owner kind: %v", kinds) })
}
