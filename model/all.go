package model

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kfsui/kfsui/k8s"
)

// NamespaceColumn is the column an /all/<type> directory shows first, as
// kubectl get -A does.
var NamespaceColumn = k8s.Column{Name: "Namespace", Type: "string"}

// readAll lists /all: every namespaced type, each a directory of its
// objects in every namespace.
func (fs *FS) readAll(p Path) Dir {
	d := Dir{Path: p}
	cat := fs.src.Catalog()
	for _, t := range cat.Namespaced() {
		e := Entry{Name: t.Name, Path: Path{Kind: KindTypeDir, All: true, Type: t.Name}, Dir: true}
		if l, ok := fs.src.Peek(t, k8s.AllNamespaces); ok && l.Synced && l.Err == nil {
			e.Summary = summary(len(l.Rows), fs.failing.of(ListKeyOf(t, k8s.AllNamespaces), l))
		}
		d.Entries = append(d.Entries, e)
	}
	d.Err = discoveryErr(cat)
	return d
}

// readAllType lists /all/<type>: every object of the type in every
// namespace the user may see, kubectl get -A as a directory. Its entries
// are links named <namespace>:<name> to the objects' own directories; its
// columns are NAMESPACE and then the type's.
func (fs *FS) readAllType(p Path) (Dir, error) {
	d := Dir{Path: p}
	t, err := fs.TypeOf(p)
	if err != nil {
		return d, err
	}
	d.Selector = fs.Selector(p)
	l := fs.allListing(t, d.Selector)
	d.Loading, d.Err, d.Metrics, d.Pending = !l.Synced, l.Err, l.Metrics, l.Pending
	if l.Columns == nil {
		return d, nil
	}
	d.Columns = append([]k8s.Column{NamespaceColumn}, l.Columns...)
	rules := rulesFor(l.Columns)
	d.Entries = make([]Entry, 0, len(l.Rows))
	// The rows' cells, the namespace first, in one allocation.
	total := 0
	for _, row := range l.Rows {
		total += len(row.Cells) + 1
	}
	all := make([]k8s.Cell, 0, total)
	for _, row := range l.Rows {
		if CheckSegment(row.Namespace) != nil || CheckSegment(row.Name) != nil {
			continue
		}
		start := len(all)
		all = append(append(all, k8s.Cell{Text: row.Namespace}), row.Cells...)
		cells := all[start:len(all):len(all)]
		d.Entries = append(d.Entries, Entry{
			Name:   LinkName(row.Namespace, row.Name),
			Path:   Path{Kind: KindLink, All: true, Type: p.Type, Namespace: row.Namespace, Name: row.Name},
			Cells:  cells,
			Health: rules.health(row.Cells),
		})
	}
	return d, nil
}

// allListing is the listing of t in every namespace: one list and watch
// across namespaces, or, when the user may not list t cluster-wide, the
// listings of each namespace they can see, together, as kfsui grep
// searches them.
func (fs *FS) allListing(t k8s.Type, sel k8s.Selector) k8s.Listing {
	l := fs.src.NamesOf(t, k8s.AllNamespaces, sel)
	if !apierrors.IsForbidden(l.Err) {
		return l
	}
	return fs.eachNamespace(t, sel)
}

// visibleNamespaces are the namespaces as far as the listing knows them,
// or the configured one when namespaces may not be listed; ok is false
// while that is not known yet.
func (fs *FS) visibleNamespaces() (names []string, ok bool) {
	d, err := fs.readNamespaces(Path{Kind: KindNamespaces})
	if err != nil || d.Loading {
		return nil, false
	}
	for _, e := range d.Entries {
		names = append(names, e.Name)
	}
	return names, true
}

// eachNamespace joins the listings of t in every visible namespace. A
// namespace where t may not be listed is left out.
func (fs *FS) eachNamespace(t k8s.Type, sel k8s.Selector) k8s.Listing {
	names, ok := fs.visibleNamespaces()
	out := k8s.Listing{Synced: ok}
	for _, ns := range names {
		l := fs.src.NamesOf(t, ns, sel)
		switch {
		case apierrors.IsForbidden(l.Err):
			continue
		case l.Err != nil && out.Err == nil:
			out.Err = fmt.Errorf("namespace %s: %w", ns, l.Err)
		}
		out.Synced = out.Synced && l.Synced
		out.Pending += l.Pending
		if out.Columns == nil {
			out.Columns = l.Columns
		}
		out.Rows = append(out.Rows, l.Rows...)
		if out.Metrics.Note == "" {
			out.Metrics.Note = l.Metrics.Note
		}
		if !l.Metrics.At.IsZero() && (out.Metrics.At.IsZero() || l.Metrics.At.Before(out.Metrics.At)) {
			out.Metrics.At = l.Metrics.At
		}
	}
	return out
}

// syncAll waits until /all/<type>'s listings have arrived.
func (fs *FS) syncAll(ctx context.Context, t k8s.Type, sel k8s.Selector) error {
	return fs.eachListing(ctx, func(ns string) error { return fs.src.WaitSyncedOf(ctx, t, ns, sel) })
}

// eachListing calls wait for the listing across namespaces and, when the
// user may not list across them, for each visible namespace's instead,
// and returns the first error but RBAC's.
func (fs *FS) eachListing(ctx context.Context, wait func(ns string) error) error {
	err := wait(k8s.AllNamespaces)
	if !apierrors.IsForbidden(err) {
		return err
	}
	names, err := fs.namespaceNames(ctx)
	if err != nil {
		return err
	}
	for _, ns := range names {
		if err := wait(ns); err != nil && !apierrors.IsForbidden(err) {
			return fmt.Errorf("namespace %s: %w", ns, err)
		}
	}
	return nil
}
