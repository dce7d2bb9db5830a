package model

import (
	"context"
	"errors"
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kfsui/kfsui/k8s"
)

// Searching many objects' leaves, as `kfsui grep` and the tree's :grep
// do, reads each type once: one paged LIST of full objects per (type,
// namespace), rendered page by page, rather than a GET per object as grep
// -r through a mount would send. Memory holds one page.

// DefaultGrepPageSize is how many objects one LIST page of a search
// holds unless Options.GrepPageSize says otherwise.
const DefaultGrepPageSize = 500

// GrepScope is what a search path covers at one type: the objects of Type
// in Namespace (in every namespace when AllNamespaces) whose names match
// Name, and their leaves matching Leaf.
type GrepScope struct {
	Type          k8s.Type
	Namespace     string
	AllNamespaces bool
	// Name is a glob (path.Match) over object names; "" for every object.
	Name string
	// Leaf is a glob over leaf names; "" for the searcher's default.
	Leaf string
}

// IsGlob reports whether a path segment holds glob characters.
func IsGlob(seg string) bool { return strings.ContainsAny(seg, "*?[") }

// checkGlobSegment is CheckSegment for a segment that may be a glob: '?'
// and '[' are glob characters here, not names.
func checkGlobSegment(seg string) error {
	if !IsGlob(seg) {
		return CheckSegment(seg)
	}
	if _, err := path.Match(seg, ""); err != nil {
		return fmt.Errorf("bad pattern %q", seg)
	}
	for _, r := range seg {
		if r == '%' || r == '#' || unicode.IsControl(r) {
			return fmt.Errorf("%q: %q is not allowed in a path", seg, r)
		}
	}
	return nil
}

func matchSegment(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	if !IsGlob(pattern) {
		return pattern == name
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

// ExpandGrep turns a search path into scopes. Any segment may be a glob
// (*, ?, [...]): namespaces are matched against the namespaces listing
// ("*" alone is every namespace, one LIST per type across them), types
// against the catalog, object and leaf names as the LIST pages come. A
// path above a type covers every type below it; below an object only its
// leaves may be named. A literal namespace or type that does not exist is
// ErrNoSuchPath. Safe from any goroutine; it may wait for the namespaces
// listing.
func (fs *FS) ExpandGrep(ctx context.Context, pattern string) ([]GrepScope, error) {
	if !strings.HasPrefix(pattern, "/") {
		return nil, fmt.Errorf("%w: %q is not absolute", ErrNoSuchPath, pattern)
	}
	var segs []string
	if rest := strings.Trim(pattern, "/"); rest != "" {
		segs = strings.Split(rest, "/")
	}
	for _, seg := range segs {
		if err := checkGlobSegment(seg); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrNoSuchPath, pattern, err)
		}
	}
	at := func(i int) string {
		if i < len(segs) {
			return segs[i]
		}
		return ""
	}
	var out []GrepScope
	matched := false
	for _, top := range []string{segCluster, segNamespaces} {
		if !matchSegment(at(0), top) {
			continue
		}
		matched = true
		var scopes []GrepScope
		var err error
		if top == segCluster {
			scopes, err = fs.expandTypes(pattern, fs.src.Catalog().ClusterScoped(), GrepScope{}, segs, 1)
		} else {
			scopes, err = fs.expandNamespaces(ctx, pattern, segs)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, scopes...)
	}
	if !matched {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchPath, pattern)
	}
	return out, nil
}

func (fs *FS) expandNamespaces(ctx context.Context, pattern string, segs []string) ([]GrepScope, error) {
	nsPat := ""
	if len(segs) > 1 {
		nsPat = segs[1]
	}
	var bases []GrepScope
	switch {
	case nsPat == "" || nsPat == "*":
		bases = []GrepScope{{AllNamespaces: true}}
	case !IsGlob(nsPat):
		p := Path{Kind: KindNamespace, Namespace: nsPat}
		if err := fs.Exists(ctx, p); err != nil {
			return nil, err
		}
		bases = []GrepScope{{Namespace: nsPat}}
	default:
		names, err := fs.namespaceNames(ctx)
		if err != nil {
			return nil, err
		}
		for _, ns := range names {
			if matchSegment(nsPat, ns) {
				bases = append(bases, GrepScope{Namespace: ns})
			}
		}
	}
	var out []GrepScope
	for _, base := range bases {
		scopes, err := fs.expandTypes(pattern, fs.src.Catalog().Namespaced(), base, segs, 2)
		if err != nil {
			return nil, err
		}
		out = append(out, scopes...)
	}
	return out, nil
}

// namespaceNames are the namespaces as the listing has them, or the
// configured one when namespaces may not be listed.
func (fs *FS) namespaceNames(ctx context.Context) ([]string, error) {
	if err := fs.Sync(ctx, Path{Kind: KindNamespaces}); err != nil {
		return nil, err
	}
	d, err := fs.readNamespaces(Path{Kind: KindNamespaces})
	if err != nil {
		return nil, err
	}
	if len(d.Entries) == 0 && d.Err != nil {
		return nil, d.Err
	}
	names := make([]string, len(d.Entries))
	for i, e := range d.Entries {
		names[i] = e.Name
	}
	return names, nil
}

// expandTypes makes base's scopes for the types matching segs[i], with
// the object and leaf patterns after it.
func (fs *FS) expandTypes(pattern string, types []k8s.Type, base GrepScope, segs []string, i int) ([]GrepScope, error) {
	if len(segs) > i+3 {
		return nil, fmt.Errorf("%w: %q: grep searches objects' leaves (for logs: kfsui tail DIR | grep)", ErrNoSuchPath, pattern)
	}
	typePat, name, leaf := "", "", ""
	if len(segs) > i {
		typePat = segs[i]
	}
	if len(segs) > i+1 {
		name = segs[i+1]
	}
	if len(segs) > i+2 {
		leaf = segs[i+2]
		if !IsGlob(leaf) && !isObjectLeaf(leaf) {
			return nil, fmt.Errorf("%w: %q: an object has no leaf %q (it has %s)", ErrNoSuchPath, pattern, leaf, strings.Join(objectLeaves, ", "))
		}
	}
	var out []GrepScope
	for _, t := range types {
		if t.IsHelm() {
			// Releases are no objects with manifests to search.
			if typePat == t.Name {
				return nil, fmt.Errorf("%w: %q: grep searches objects' manifests, not Helm releases (cat a release's manifest.yaml | grep)", ErrNoSuchPath, pattern)
			}
			continue
		}
		if matchSegment(typePat, t.Name) {
			s := base
			s.Type, s.Name, s.Leaf = t, name, leaf
			out = append(out, s)
		}
	}
	if len(out) == 0 && typePat != "" && !IsGlob(typePat) {
		return nil, fmt.Errorf("%w: %q: unknown type %q", ErrNoSuchPath, pattern, typePat)
	}
	return out, nil
}

// GrepLeaves renders the leaves scope s covers, in the order the server
// lists the objects, and calls fn with each. leaves are the leaf names
// searched when s names none (nil: manifest.yaml). Manifests and status
// come from the LIST pages; events.txt, describe.txt and tree.txt need
// requests of their own per object. A scope across every namespace the
// user may not list at once is listed namespace by namespace. An object
// named without a glob that is not there is ErrNoSuchPath, after the
// search. Safe from any goroutine.
func (fs *FS) GrepLeaves(ctx context.Context, s GrepScope, leaves []string, fn func(Leaf) error) error {
	names := leaves
	if s.Leaf != "" {
		names = nil
		for _, l := range objectLeaves {
			if matchSegment(s.Leaf, l) {
				names = append(names, l)
			}
		}
	}
	if len(names) == 0 {
		names = []string{LeafManifestYAML}
	}
	found := false
	page := func(items []unstructured.Unstructured) error {
		var objs []*unstructured.Unstructured
		for i := range items {
			if matchSegment(s.Name, items[i].GetName()) && CheckSegment(items[i].GetName()) == nil {
				objs = append(objs, &items[i])
			}
		}
		found = found || len(objs) > 0
		rendered, err := fs.renderAll(ctx, s.Type, objs, names)
		if err != nil {
			return err
		}
		for _, leaf := range rendered {
			if err := fn(leaf); err != nil {
				return err
			}
		}
		return nil
	}
	ns := s.Namespace
	if !s.Type.Namespaced {
		ns = ""
	}
	err := fs.listAhead(ctx, s.Type, ns, page)
	if err != nil && s.AllNamespaces && apierrors.IsForbidden(err) {
		// Not allowed across namespaces: each namespace the user sees.
		var nss []string
		nss, err = fs.namespaceNames(ctx)
		for _, n := range nss {
			if err = fs.listAhead(ctx, s.Type, n, page); err != nil {
				break
			}
		}
	}
	if err != nil {
		where := Path{Kind: KindTypeDir, Cluster: !s.Type.Namespaced, Namespace: s.Namespace, Type: s.Type.Name}
		if s.AllNamespaces {
			return fmt.Errorf("%s in every namespace: %w", s.Type.Name, err)
		}
		return fmt.Errorf("%s: %w", where, err)
	}
	if !found && s.Name != "" && !IsGlob(s.Name) && !s.AllNamespaces {
		p := Path{Kind: KindObject, Cluster: !s.Type.Namespaced, Namespace: s.Namespace, Type: s.Type.Name, Name: s.Name}
		return fmt.Errorf("%w: %s", ErrNoSuchPath, p)
	}
	return nil
}

// grepLeaf renders leaf name of obj, from the object itself where it can.
func (fs *FS) grepLeaf(ctx context.Context, t k8s.Type, obj *unstructured.Unstructured, name string) (Leaf, error) {
	p := Path{Kind: KindLeaf, Cluster: !t.Namespaced, Namespace: obj.GetNamespace(), Type: t.Name, Name: obj.GetName(), Leaf: name}
	if !t.Namespaced {
		p.Namespace = ""
	}
	if slices.Contains(FromObject, name) {
		return fs.RenderLeaf(p, t, obj)
	}
	leaf, err := fs.Read(ctx, p)
	if apierrors.IsNotFound(err) || errors.Is(err, ErrNoSuchPath) {
		// Deleted since the page was listed: as if it had not been.
		return Leaf{Path: p}, nil
	}
	return leaf, err
}

// listAhead lists t in ns page by page as Source.ListPages does, asking
// for the next page while fn works on the one before: the server's work
// and the rendering overlap, and memory holds two pages.
func (fs *FS) listAhead(ctx context.Context, t k8s.Type, ns string, fn func([]unstructured.Unstructured) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []unstructured.Unstructured)
	listed := make(chan error, 1)
	go func() {
		defer close(pages)
		listed <- fs.src.ListPages(ctx, t, ns, fs.grepPageSize, func(items []unstructured.Unstructured) error {
			select {
			case pages <- items:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for items := range pages {
		if err := fn(items); err != nil {
			cancel()
			for range pages {
			}
			return err
		}
	}
	return <-listed
}

// renderAll renders leaves names of objs, on every core, and returns them
// in order: each object's leaves in turn.
func (fs *FS) renderAll(ctx context.Context, t k8s.Type, objs []*unstructured.Unstructured, names []string) ([]Leaf, error) {
	out := make([]Leaf, len(objs)*len(names))
	errs := make([]error, len(out))
	workers := min(runtime.GOMAXPROCS(0), len(out))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(out) || ctx.Err() != nil {
					return
				}
				out[i], errs[i] = fs.grepLeaf(ctx, t, objs[i/len(names)], names[i%len(names)])
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
