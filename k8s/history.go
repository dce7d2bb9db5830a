package k8s

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	deploymentutil "k8s.io/kubectl/pkg/util/deployment"
)

// Rollout history: the revisions `kubectl rollout history` lists, read as
// its history viewers read them. They are written here rather than taken
// from kubectl's polymorphichelpers: that package links kubectl's command
// helpers, whose initialisation every kfsui process paid at start, about
// a fifth of the time to the first frame.

// changeCauseAnnotation holds a revision's CHANGE-CAUSE.
const changeCauseAnnotation = "kubernetes.io/change-cause"

// HasHistory reports whether t keeps rollout revisions that `kubectl
// rollout history` shows: apps' Deployments, StatefulSets and DaemonSets.
func (t Type) HasHistory() bool {
	switch t.GVR.Resource {
	case "deployments", "statefulsets", "daemonsets":
		return t.GVR.Group == "apps"
	}
	return false
}

// Revision is one revision of a workload's rollout history.
type Revision struct {
	// Object is the revision as `kubectl rollout history --revision=N`
	// reads it: a Deployment's ReplicaSet, or a StatefulSet or DaemonSet
	// as of its ControllerRevision.
	Object runtime.Object
	// Cause is its CHANGE-CAUSE as `kubectl rollout history` prints it,
	// "<none>" where there is none.
	Cause string
}

// History returns the revisions of a Deployment, StatefulSet or DaemonSet
// by number, read as kubectl's history viewers read them, with one GET and
// one LIST. Safe from any goroutine.
func (c *Conn) History(ctx context.Context, t Type, ns, name string) (map[int64]Revision, error) {
	if !t.HasHistory() {
		return nil, fmt.Errorf("%s keep no rollout history", t.Name)
	}
	out := map[int64]Revision{}
	if t.GVR.Resource == "deployments" {
		rss, err := c.deploymentRevisions(ctx, ns, name)
		if err != nil {
			return nil, err
		}
		for _, rs := range rss {
			if n, ok := revisionOf(rs); ok {
				out[n] = Revision{Object: rs, Cause: changeCause(rs.Annotations)}
			}
		}
		return out, nil
	}
	obj, revs, err := c.controllerRevisions(ctx, t, ns, name)
	if err != nil {
		return nil, err
	}
	for _, r := range revs {
		applied, err := applyRevision(obj, r)
		if err != nil {
			return nil, fmt.Errorf("revision %d of %s %s: %w", r.Revision, t.Kind, name, err)
		}
		out[r.Revision] = Revision{Object: applied, Cause: changeCause(r.Annotations)}
	}
	return out, nil
}

// deploymentRevisions returns the ReplicaSets Deployment name controls,
// in the order kubectl's viewer reads them, so that where two claim one
// revision the same one wins: oldest first (by creation, then name), the
// one whose template is the Deployment's last.
func (c *Conn) deploymentRevisions(ctx context.Context, ns, name string) ([]*appsv1.ReplicaSet, error) {
	apps := c.core.AppsV1()
	d, err := apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to retrieve deployment %s: %w", name, err)
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("selector of deployment %s: %w", name, err)
	}
	list, err := apps.ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("failed to retrieve replica sets from deployment %s: %w", name, err)
	}
	var rss []*appsv1.ReplicaSet
	for i := range list.Items {
		if metav1.IsControlledBy(&list.Items[i], d) {
			rss = append(rss, &list.Items[i])
		}
	}
	slices.SortStableFunc(rss, func(a, b *appsv1.ReplicaSet) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if i := slices.IndexFunc(rss, func(rs *appsv1.ReplicaSet) bool { return sameTemplate(rs, d) }); i >= 0 {
		current := rss[i]
		rss = append(slices.Delete(rss, i, i+1), current)
	}
	return rss, nil
}

// sameTemplate reports whether rs runs d's pod template, the deployment
// controller's pod-template-hash label aside.
func sameTemplate(rs *appsv1.ReplicaSet, d *appsv1.Deployment) bool {
	a, b := rs.Spec.Template.DeepCopy(), d.Spec.Template.DeepCopy()
	delete(a.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	delete(b.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	return apiequality.Semantic.DeepEqual(a, b)
}

// revisionOf is a ReplicaSet's revision, 0 when it has none; false when
// its annotation is unreadable: kubectl's viewer leaves such a ReplicaSet
// out.
func revisionOf(rs *appsv1.ReplicaSet) (int64, bool) {
	v, err := deploymentutil.Revision(rs)
	return v, err == nil
}

// controllerRevisions returns StatefulSet or DaemonSet name and the
// ControllerRevisions it controls.
func (c *Conn) controllerRevisions(ctx context.Context, t Type, ns, name string) (runtime.Object, []*appsv1.ControllerRevision, error) {
	apps := c.core.AppsV1()
	var (
		obj interface {
			runtime.Object
			metav1.Object
		}
		selector *metav1.LabelSelector
	)
	switch t.GVR.Resource {
	case "statefulsets":
		sts, err := apps.StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("failed to retrieve StatefulSet %s: %w", name, err)
		}
		obj, selector = sts, sts.Spec.Selector
	default:
		ds, err := apps.DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, nil, fmt.Errorf("failed to retrieve DaemonSet %s: %w", name, err)
		}
		obj, selector = ds, ds.Spec.Selector
	}
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return nil, nil, fmt.Errorf("selector of %s %s: %w", t.Kind, name, err)
	}
	list, err := apps.ControllerRevisions(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, nil, fmt.Errorf("unable to find history controlled by %s %s: %w", t.Kind, name, err)
	}
	var revs []*appsv1.ControllerRevision
	for i := range list.Items {
		if metav1.IsControlledBy(&list.Items[i], obj) {
			revs = append(revs, &list.Items[i])
		}
	}
	return obj, revs, nil
}

// applyRevision returns obj as of revision r: the revision's data is a
// strategic merge patch of the object's spec.template.
func applyRevision(obj runtime.Object, r *appsv1.ControllerRevision) (runtime.Object, error) {
	cur, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	patched, err := strategicpatch.StrategicMergePatch(cur, r.Data.Raw, obj)
	if err != nil {
		return nil, err
	}
	// Into a fresh object: fields the patch removes must not stay.
	var out runtime.Object = &appsv1.DaemonSet{}
	if _, ok := obj.(*appsv1.StatefulSet); ok {
		out = &appsv1.StatefulSet{}
	}
	if err := json.Unmarshal(patched, out); err != nil {
		return nil, err
	}
	return out, nil
}

// changeCause is a revision's CHANGE-CAUSE from its annotations.
func changeCause(annotations map[string]string) string {
	if cause := strings.TrimSpace(annotations[changeCauseAnnotation]); cause != "" {
		return cause
	}
	return "<none>"
}
