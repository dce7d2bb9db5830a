package k8s

import (
	"maps"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

var deploymentsType = Type{GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Kind: "Deployment", Name: "deployments", Namespaced: true}

// A Deployment's revisions are the ReplicaSets it controls, by their
// revision annotation; one another controller owns, or none, is not its.
// Where two claim one revision, the one running the Deployment's template
// wins, as in kubectl's viewer; one whose revision cannot be read is
// left out, as there; a cause is "<none>" where unset. One GET and one
// LIST read both the objects and their causes.
func TestDeploymentHistory(t *testing.T) {
	labels := map[string]string{"app": "web"}
	tmpl := func(image string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
		}
	}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", UID: "d-uid"},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl("nginx:1.28")},
	}
	yes := true
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rs := func(name, image, rev, cause string, age int, owner types.UID) runtime.Object {
		r := &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels,
				CreationTimestamp: metav1.NewTime(base.Add(time.Duration(age) * time.Minute)),
				Annotations:       map[string]string{"deployment.kubernetes.io/revision": rev}},
			Spec: appsv1.ReplicaSetSpec{Template: tmpl(image)},
		}
		if cause != "" {
			r.Annotations[changeCauseAnnotation] = cause
		}
		if owner != "" {
			r.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: owner, Controller: &yes}}
		}
		return r
	}
	core := fake.NewClientset(d,
		rs("web-1", "nginx:1.26", "1", "", 0, "d-uid"),
		// Newer, but running the Deployment's template: it wins 2.
		rs("web-current", "nginx:1.28", "2", "set image", 1, "d-uid"),
		rs("web-2", "nginx:1.27", "2", "", 2, "d-uid"),
		rs("other", "nginx:1.28", "3", "", 3, "someone-else"),
		rs("orphan", "nginx:1.28", "4", "", 4, ""),
		// kubectl's viewer leaves out a revision it cannot read.
		rs("unreadable", "nginx:1.25", "x", "", 5, "d-uid"),
	)
	c := &Conn{core: core}
	core.ClearActions()
	hist, err := c.History(t.Context(), deploymentsType, "ns", "web")
	if err != nil {
		t.Fatal(err)
	}
	names, causes := map[int64]string{}, map[int64]string{}
	for n, rev := range hist {
		names[n] = rev.Object.(*appsv1.ReplicaSet).Name
		causes[n] = rev.Cause
	}
	if want := map[int64]string{1: "web-1", 2: "web-current"}; !maps.Equal(names, want) {
		t.Errorf("History = %v, want %v", names, want)
	}
	if want := map[int64]string{1: "<none>", 2: "set image"}; !maps.Equal(causes, want) {
		t.Errorf("causes = %v, want %v", causes, want)
	}
	// Objects and causes from one read: the Deployment, its ReplicaSets.
	if a := core.Actions(); len(a) != 2 || a[0].GetVerb() != "get" || a[1].GetVerb() != "list" {
		t.Errorf("History made %d requests, want a GET and a LIST: %v", len(a), a)
	}
	if _, err := c.History(t.Context(), Type{Name: "configmaps", GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}}, "ns", "x"); err == nil {
		t.Error("History of ConfigMaps: no error")
	}
}

// A StatefulSet as of a ControllerRevision: the revision's template
// patched in, replacing the current one whole, the rest kept.
func TestApplyRevision(t *testing.T) {
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "ns"},
		Spec: appsv1.StatefulSetSpec{ServiceName: "db", Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "pg:17", Args: []string{"-v"}}}},
		}},
	}
	rev := &appsv1.ControllerRevision{Revision: 1, Data: runtime.RawExtension{
		Raw: []byte(`{"spec":{"template":{"$patch":"replace","spec":{"containers":[{"name":"app","image":"pg:16"}]}}}}`),
	}}
	got, err := applyRevision(sts, rev)
	if err != nil {
		t.Fatal(err)
	}
	old := got.(*appsv1.StatefulSet)
	if c := old.Spec.Template.Spec.Containers; len(c) != 1 || c[0].Image != "pg:16" || c[0].Args != nil {
		t.Errorf("containers as of revision 1: %+v", c)
	}
	if old.Spec.ServiceName != "db" || old.Name != "db" {
		t.Errorf("the rest of the object was not kept: %+v", old)
	}
	if sts.Spec.Template.Spec.Containers[0].Image != "pg:17" {
		t.Error("the current object was changed")
	}
}
