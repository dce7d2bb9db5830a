package model

import (
	"encoding/json"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kfsui/kfsui/k8s"
)

// LeafManifestNeat is manifest.neat.yaml: the object as a person would
// write it to apply it.
const LeafManifestNeat = "manifest.neat.yaml"

// Neat returns a copy of obj, an object as the API server returned it,
// as a person would write it to apply it: without its status, without
// what the server and the controllers stamped on it (stamps.go says
// which), and without the fields whose values the API would set anyway
// if they were left out (dropDefaults). The README lists it all. obj is
// left alone.
func Neat(obj *unstructured.Unstructured) *unstructured.Unstructured {
	out := obj.DeepCopy()
	delete(out.Object, "status")
	dropStamps(out)
	for _, spec := range podSpecs(out.Object) {
		// The API copies serviceAccountName into this deprecated alias.
		if spec["serviceAccount"] == spec["serviceAccountName"] {
			delete(spec, "serviceAccount")
		}
	}
	gvk := out.GroupVersionKind()
	switch gvk.GroupKind() {
	case schema.GroupKind{Kind: "Pod"}:
		dropAdmitted(out.Object)
	case schema.GroupKind{Kind: "Service"}:
		dropAllocated(out.Object)
	case schema.GroupKind{Kind: "Namespace"}:
		dropNamespaceFinalizer(out.Object)
	case schema.GroupKind{Group: "batch", Kind: "Job"}:
		dropJobSelector(out.Object)
	}
	if d := k8s.APIDefaults(); d.Knows(gvk) {
		dropDefaults(d, out.Object, gvk)
	}
	return out
}

// dropDefaults removes from obj, an object of built-in type gvk, every
// field the API would give the same value if it were left out: for each
// field, from the top down, obj without it, defaulted, must equal obj
// defaulted. Removals add up, each checked with those before it, so the
// object that remains defaults to the whole of it again. Fields the
// pinned types do not know (a newer server's) stay: they cannot be
// checked. The top-level metadata stays as it is: defaulting functions
// that touch it (a Job's labels from its template) would drop what a
// person wrote.
func dropDefaults(d *k8s.Defaults, obj map[string]any, gvk schema.GroupVersionKind) {
	want, err := d.Typed(obj, gvk, true)
	if err != nil {
		return
	}
	typed, err := d.Typed(obj, gvk, false)
	if err != nil {
		return
	}
	known, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
	if err != nil {
		return
	}
	same := func() bool {
		got, err := d.Typed(obj, gvk, true)
		return err == nil && d.Same(got, want)
	}
	size, err := json.Marshal(obj)
	if err != nil {
		return
	}
	// A field defaulted from another (a Job's completions, when
	// parallelism is unset too) goes only once the other has gone: walk
	// again until a walk drops nothing.
	for w := (defaultsWalk{same: same, maxTries: triesBudget / len(size)}); ; w.dropped = 0 {
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			switch k {
			case "apiVersion", "kind", "metadata":
				continue
			}
			w.field(obj, known, k)
		}
		if w.dropped == 0 {
			return
		}
	}
}

// defaultsWalk tries the fields of an object one by one.
type defaultsWalk struct {
	same    func() bool // whether the object as it is now defaults to the original
	dropped int
	tries   int
	// maxTries is how many fields may be tried (triesBudget).
	maxTries int
}

// triesBudget bounds the work of one object's walk: each field tried is
// a conversion and defaulting of the whole object, so an object of n
// bytes of JSON gets triesBudget/n tries (a Deployment of 3 KB thousands,
// an Endpoints of a thousand addresses, 100 KB, eighty). The fields
// past it stay, which is never wrong, only less neat; the bound is a
// count, so a leaf's text does not depend on the machine's speed.
const triesBudget = 8 << 20

// payloads are maps of values no defaulting function fills in one by
// one (a ConfigMap's data, labels...), whose keys are not tried.
var payloads = []string{"data", "binaryData", "stringData", "labels", "annotations", "matchLabels", "nodeSelector"}

// kinds are fields that say what kind of thing their parent is: a
// volume's emptyDir is its only source, which the API would choose for a
// volume without one, but no person leaves it out.
var kinds = []string{"emptyDir"}

// field removes node[k] if the object stays the same without it, else
// tries what is inside it. known is node as the pinned types read it.
func (w *defaultsWalk) field(node, known map[string]any, k string) {
	v, ok := node[k]
	kv, typed := known[k]
	if !ok || !typed || w.tries >= w.maxTries {
		return
	}
	if !slices.Contains(kinds, k) && covered(v, kv) {
		w.tries++
		delete(node, k)
		if w.same() {
			w.dropped++
			return
		}
		node[k] = v
	}
	switch v := v.(type) {
	case map[string]any:
		if kv, ok := kv.(map[string]any); ok && !slices.Contains(payloads, k) {
			for _, k := range slices.Sorted(maps.Keys(v)) {
				w.field(v, kv, k)
			}
		}
	case []any:
		kv, ok := kv.([]any)
		if !ok || len(kv) != len(v) {
			return
		}
		for i := range v {
			item, ok1 := v[i].(map[string]any)
			kitem, ok2 := kv[i].(map[string]any)
			if ok1 && ok2 {
				for _, k := range slices.Sorted(maps.Keys(item)) {
					w.field(item, kitem, k)
				}
			}
		}
	}
}

// covered says whether the pinned types know everything in v, whose
// typed reading is kv: a field holding one they do not (a newer server's)
// is never dropped whole, since its typed reading cannot show it.
func covered(v, kv any) bool {
	switch v := v.(type) {
	case map[string]any:
		km, ok := kv.(map[string]any)
		if !ok {
			return false
		}
		for k, x := range v {
			if kx, ok := km[k]; !ok || !covered(x, kx) {
				return false
			}
		}
	case []any:
		kl, ok := kv.([]any)
		if !ok || len(kl) != len(v) {
			return false
		}
		for i := range v {
			if !covered(v[i], kl[i]) {
				return false
			}
		}
	}
	return true
}

// podSpecs returns the pod specs in obj: a Pod's spec, a pod template's
// (workloads, Jobs, PodTemplates) and a CronJob's job template's.
func podSpecs(obj map[string]any) []map[string]any {
	var out []map[string]any
	if obj["kind"] == "Pod" {
		if spec, ok := obj["spec"].(map[string]any); ok {
			out = append(out, spec)
		}
	}
	for _, path := range [][]string{
		{"spec", "template", "spec"},
		{"template", "spec"},
		{"spec", "jobTemplate", "spec", "template", "spec"},
	} {
		if spec, ok := mapAt(obj, path...); ok {
			out = append(out, spec)
		}
	}
	return out
}

// mapAt returns the object at path in obj, if there is one, not a copy.
func mapAt(obj map[string]any, path ...string) (map[string]any, bool) {
	v, _, _ := unstructured.NestedFieldNoCopy(obj, path...)
	m, ok := v.(map[string]any)
	return m, ok
}

// dropEmpty removes m[k] when it is an empty object or list.
func dropEmpty(m map[string]any, k string) {
	switch v := m[k].(type) {
	case map[string]any:
		if len(v) == 0 {
			delete(m, k)
		}
	case []any:
		if len(v) == 0 {
			delete(m, k)
		}
	}
}
