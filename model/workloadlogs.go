package model

import (
	"context"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kfsui/kfsui/k8s"
)

// servedType returns the namespaced type the server serves as plural in
// group ("" for core).
func (fs *FS) servedType(group, plural string) (k8s.Type, bool) {
	for _, t := range fs.src.Catalog().Namespaced() {
		if t.GVR.Group == group && t.GVR.Resource == plural {
			return t, true
		}
	}
	return k8s.Type{}, false
}

// ListKeyOfPods returns the key of the pods listing of namespace ns, whose
// changes change a workload's pods.
func (fs *FS) ListKeyOfPods(ns string) (k8s.ListKey, bool) {
	t, ok := fs.servedType("", "pods")
	return ListKeyOf(t, ns), ok
}

// OwnedPods returns the names of the pods workload p (a Deployment,
// ReplicaSet, StatefulSet, DaemonSet or Job, or a path below one) owns
// now, sorted: those its controller reference names, or, for a
// Deployment, those of the ReplicaSets it controls. They are found by
// the metadata of the pods its selector matches, so the server filters a
// big namespace. Safe from any goroutine; it makes requests.
func (fs *FS) OwnedPods(ctx context.Context, p Path) ([]string, error) {
	t, err := fs.TypeOf(p)
	if err != nil {
		return nil, err
	}
	if !t.HasWorkloadLogs() {
		return nil, fmt.Errorf("%w: %s: only pods, Deployments, ReplicaSets, StatefulSets, DaemonSets and Jobs have logs", ErrNoSuchPath, p)
	}
	obj, err := fs.src.Get(ctx, t, p.Namespace, p.Name)
	if err != nil {
		return nil, err
	}
	selector, err := selectorOf(obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	owners := map[types.UID]bool{obj.GetUID(): true}
	if t.IsApps("deployments") {
		rsType, ok := fs.servedType("apps", "replicasets")
		if !ok {
			return nil, fmt.Errorf("%s: the server serves no ReplicaSets", p)
		}
		rss, err := fs.src.ListMeta(ctx, rsType, p.Namespace, selector)
		if err != nil {
			return nil, err
		}
		for _, rs := range rss {
			if controllerUID(rs.Owners) == obj.GetUID() {
				owners[rs.UID] = true
			}
		}
	}
	podsT, ok := fs.servedType("", "pods")
	if !ok {
		return nil, fmt.Errorf("%s: the server serves no pods", p)
	}
	pods, err := fs.src.ListMeta(ctx, podsT, p.Namespace, selector)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, pod := range pods {
		if owners[controllerUID(pod.Owners)] && CheckSegment(pod.Name) == nil {
			out = append(out, pod.Name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// controllerUID is the uid of the controlling owner, "" if none.
func controllerUID(refs []metav1.OwnerReference) types.UID {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return r.UID
		}
	}
	return ""
}

// selectorOf returns a workload's spec.selector as a label selector
// string.
func selectorOf(obj *unstructured.Unstructured) (string, error) {
	raw, ok, err := unstructured.NestedMap(obj.Object, "spec", "selector")
	if err != nil || !ok {
		return "", fmt.Errorf("no spec.selector: %v", err)
	}
	var ls metav1.LabelSelector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls); err != nil {
		return "", err
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return "", err
	}
	return sel.String(), nil
}

// readWorkloadLogs lists a workload's logs directory: a directory per pod
// it owns now.
func (fs *FS) readWorkloadLogs(ctx context.Context, p Path) (Dir, error) {
	d := Dir{Path: p}
	pods, err := fs.OwnedPods(ctx, p)
	if err != nil {
		return d, err
	}
	for _, pod := range pods {
		d.Entries = append(d.Entries, dirEntry(p, pod))
	}
	return d, nil
}

// checkOwned fails unless workload p owns its pod p.Pod now.
func (fs *FS) checkOwned(ctx context.Context, p Path) error {
	pods, err := fs.OwnedPods(ctx, p)
	if err != nil {
		return err
	}
	if _, ok := slices.BinarySearch(pods, p.Pod); !ok {
		return fmt.Errorf("%w: %s: %s %q owns no pod %q now", ErrNoSuchPath, p, p.Type, p.Name, p.Pod)
	}
	return nil
}
