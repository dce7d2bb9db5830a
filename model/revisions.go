package model

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/kubectl/pkg/scheme"
	"sigs.k8s.io/yaml"

	"github.com/kfsui/kfsui/k8s"
)

// podTemplateHashLabel is the label the deployment controller adds to each
// ReplicaSet's template: it differs between any two revisions, so a diff
// of templates leaves it out.
const podTemplateHashLabel = "pod-template-hash"

// history reads the revisions of workload p (a revisions directory or a
// revision in one), checking that its type keeps any.
func (fs *FS) history(ctx context.Context, p Path) (map[int64]k8s.Revision, error) {
	t, err := fs.TypeOf(p)
	if err != nil {
		return nil, err
	}
	if !t.HasHistory() {
		return nil, fmt.Errorf("%w: %s: only Deployments, StatefulSets and DaemonSets have revisions", ErrNoSuchPath, p)
	}
	return fs.src.History(ctx, t, p.Namespace, p.Name)
}

// readRevisionsDir lists <N>.yaml and <N>.diff for every revision kept,
// oldest first.
func (fs *FS) readRevisionsDir(ctx context.Context, p Path) (Dir, error) {
	d := Dir{Path: p}
	h, err := fs.history(ctx, p)
	if err != nil {
		return d, err
	}
	for _, n := range slices.Sorted(mapKeys(h)) {
		if n < 1 {
			continue
		}
		d.Entries = append(d.Entries, fileEntry(p, RevisionName(n, false)), fileEntry(p, RevisionName(n, true)))
	}
	return d, nil
}

func mapKeys[V any](m map[int64]V) func(func(int64) bool) {
	return func(yield func(int64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// readRevision renders <N>.yaml, what `kubectl rollout history
// <kind>/<name> --revision=N -o yaml` prints, or <N>.diff, the unified
// diff of revision N's pod template against the revision before it (the
// newest older one kept), headed by N's change-cause.
func (fs *FS) readRevision(ctx context.Context, p Path) (Leaf, error) {
	h, err := fs.history(ctx, p)
	if err != nil {
		return Leaf{}, err
	}
	rev, ok := h[p.Revision]
	if !ok {
		return Leaf{}, fmt.Errorf("%w: %s: %s has no revision %d", ErrNoSuchPath, p, p.Name, p.Revision)
	}
	if !p.Diff {
		text, err := rolloutYAML(rev.Object)
		return Leaf{Path: p, Text: text}, err
	}
	prev := int64(0)
	for n := range h {
		if n < p.Revision && n > prev {
			prev = n
		}
	}
	cur, err := podTemplateYAML(rev.Object)
	if err != nil {
		return Leaf{}, err
	}
	old, oldName := "", "/dev/null"
	if prev > 0 {
		if old, err = podTemplateYAML(h[prev].Object); err != nil {
			return Leaf{}, err
		}
		oldName = RevisionName(prev, false) + " (pod template)"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "revision %d", p.Revision)
	if prev > 0 {
		fmt.Fprintf(&b, " against revision %d", prev)
	} else {
		b.WriteString(", the oldest kept")
	}
	fmt.Fprintf(&b, "\nchange-cause: %s\n", rev.Cause)
	diff := UnifiedDiff(oldName, old, RevisionName(p.Revision, false)+" (pod template)", cur)
	if diff == "" {
		diff = "The pod template did not change.\n"
	}
	b.WriteString(diff)
	return Leaf{Path: p, Text: b.String(), Format: FormatDiff}, nil
}

// rolloutYAML prints a revision as kubectl's rollout history does with
// -o yaml: its printer, kind and apiVersion set from kubectl's scheme,
// managed fields left out.
func rolloutYAML(obj runtime.Object) (string, error) {
	flags := genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme)
	format := "yaml"
	flags.OutputFormat = &format
	printer, err := flags.ToPrinter()
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := printer.PrintObj(obj.DeepCopyObject(), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// podTemplateYAML renders a revision's spec.template as YAML, without the
// deployment controller's pod-template-hash label.
func podTemplateYAML(obj runtime.Object) (string, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return "", err
	}
	tmpl, _, err := unstructured.NestedMap(u, "spec", "template")
	if err != nil {
		return "", err
	}
	unstructured.RemoveNestedField(tmpl, "metadata", "labels", podTemplateHashLabel)
	if labels, ok, _ := unstructured.NestedMap(tmpl, "metadata", "labels"); ok && len(labels) == 0 {
		unstructured.RemoveNestedField(tmpl, "metadata", "labels")
	}
	b, err := yaml.Marshal(tmpl)
	return string(b), err
}
