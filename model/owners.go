package model

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kfsui/kfsui/k8s"
)

// ownerLists bounds the lists tree.txt has in flight at once: a namespace
// of a cluster with hundreds of CRDs asks for hundreds, and they must not
// crowd out the user's own requests.
const ownerLists = 8

// maxOwnerDepth bounds the walk up the owner chain; real chains are three
// or four deep (CronJob, Job, Pod), and a cycle must end.
const maxOwnerDepth = 16

// rowsByList is how many objects of one type a tree may hold before their
// cells come from one table list of the type rather than a GET each.
const rowsByList = 32

// ownerNode is one object of an owner tree.
type ownerNode struct {
	t        k8s.Type
	meta     k8s.Meta
	children []*ownerNode
	// missing says why an owner named by a reference is not shown as an
	// object: gone, or not readable. Such a node has no type or cells.
	missing string
	ref     metav1.OwnerReference
	cells   [2]string // READY, STATUS
}

// ownerTree renders tree.txt of object p, of type t: the chain of
// controlling owners up to the top, then everything owned by the top,
// down to the leaves, found through ownerReferences by uid. Owners are
// read with GETs of their metadata. The objects below are found by
// listing the metadata (never the objects) of every type in the
// namespaces of the chain, and at cluster scope when the chain reaches a
// cluster-scoped owner: a namespaced object's dependents live in its
// namespace. Types known to be empty there are skipped, and at most
// ownerLists lists are in flight. Each line's READY and STATUS are the
// cells `kubectl get` prints for the object, from the running listing
// when there is one.
func (fs *FS) ownerTree(ctx context.Context, p Path, t k8s.Type) (Leaf, error) {
	self, err := fs.src.GetMeta(ctx, t, p.Namespace, p.Name)
	if err != nil {
		return Leaf{}, err
	}
	chain := fs.ownerChain(ctx, &ownerNode{t: t, meta: self})
	top := chain[len(chain)-1]
	if top.missing != "" {
		top = chain[len(chain)-2]
	}
	skipped := fs.ownedBelow(ctx, top, scopesOf(chain))
	fs.fillCells(ctx, top)
	text, links := renderOwnerTree(chain, top, chain[0], skipped, fs.now())
	return Leaf{Path: p, Format: FormatTree, Text: text, Links: links}, nil
}

// ownerChain walks up from n by each object's controller reference (or
// its first owner reference, when none controls it) and returns n and its
// owners, bottom up. An owner that cannot be read ends the chain as a
// node that says why.
func (fs *FS) ownerChain(ctx context.Context, n *ownerNode) []*ownerNode {
	chain := []*ownerNode{n}
	seen := map[types.UID]bool{n.meta.UID: true}
	cat := fs.src.Catalog()
	for range maxOwnerDepth {
		ref, ok := ownerRef(n.meta.Owners)
		if !ok {
			break
		}
		owner := &ownerNode{ref: ref}
		ot, err := cat.TypeOfKind(ref.APIVersion, ref.Kind)
		ns := ""
		switch {
		case err != nil:
			owner.missing = "kind not served"
		case ot.Namespaced && n.meta.Namespace == "":
			owner.missing = "a cluster-scoped object cannot have a namespaced owner"
		default:
			if ot.Namespaced {
				ns = n.meta.Namespace
			}
			m, err := fs.src.GetMeta(ctx, ot, ns, ref.Name)
			switch {
			case apierrors.IsNotFound(err) || err == nil && m.UID != ref.UID:
				owner.missing = "gone"
			case err != nil:
				owner.missing = err.Error()
			case seen[m.UID]:
				owner.missing = "owner cycle"
			default:
				owner.t, owner.meta = ot, m
			}
		}
		chain = append(chain, owner)
		if owner.missing != "" {
			break
		}
		seen[owner.meta.UID] = true
		n = owner
	}
	// Each owner holds the object below it, so the tree drawn from the
	// top shows the chain even where a list could not find it.
	for i := len(chain) - 1; i > 0; i-- {
		if chain[i].missing == "" {
			chain[i].children = []*ownerNode{chain[i-1]}
		}
	}
	return chain
}

// ownerRef picks the reference to follow up: the controller, else the
// first.
func ownerRef(refs []metav1.OwnerReference) (metav1.OwnerReference, bool) {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return r, true
		}
	}
	if len(refs) > 0 {
		return refs[0], true
	}
	return metav1.OwnerReference{}, false
}

// treeScope is where dependents are searched: a namespace, or cluster
// scope ("" with cluster set).
type treeScope struct {
	cluster bool
	ns      string
}

// scopesOf lists the namespaces of the chain's objects, and cluster scope
// if one of them is cluster-scoped.
func scopesOf(chain []*ownerNode) []treeScope {
	var out []treeScope
	for _, n := range chain {
		if n.missing != "" {
			continue
		}
		s := treeScope{cluster: !n.t.Namespaced, ns: n.meta.Namespace}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ownedBelow finds everything owned by top, directly or not, in scopes,
// and hangs it below top. It returns what could not be searched, for the
// tree's footer.
func (fs *FS) ownedBelow(ctx context.Context, top *ownerNode, scopes []treeScope) []string {
	cat := fs.src.Catalog()
	type job struct {
		t  k8s.Type
		ns string
	}
	var jobs []job
	for _, s := range scopes {
		types := cat.Namespaced()
		if s.cluster {
			types = cat.ClusterScoped()
		}
		for _, t := range types {
			if t.IsHelm() {
				continue // no objects, no owners
			}
			switch fs.src.KnownOccupancy(t, s.ns) {
			case k8s.OccupancyEmpty, k8s.OccupancyForbidden:
				continue
			}
			jobs = append(jobs, job{t, s.ns})
		}
	}
	// The longest list decides how long the search takes: start the
	// collections likely to be big (pods, and those known to hold
	// something) first, so they are not queued behind a hundred empty
	// ones.
	rank := func(j job) int {
		switch {
		case j.t.IsCore("pods"):
			return 0
		case fs.src.KnownOccupancy(j.t, j.ns) == k8s.OccupancyNonEmpty:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return rank(a) - rank(b) })
	var (
		mu      sync.Mutex
		byOwner = map[types.UID][]*ownerNode{}
		skipped []string
		wg      sync.WaitGroup
		sem     = make(chan struct{}, ownerLists)
	)
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			metas, err := fs.src.ListMeta(ctx, j.t, j.ns, "")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if !apierrors.IsForbidden(err) && !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
					skipped = append(skipped, fmt.Sprintf("%s (%v)", j.t.Name, err))
				} else if apierrors.IsForbidden(err) {
					skipped = append(skipped, j.t.Name+" (forbidden)")
				}
				return
			}
			for _, m := range metas {
				for _, ref := range m.Owners {
					byOwner[ref.UID] = append(byOwner[ref.UID], &ownerNode{t: j.t, meta: m})
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(skipped)

	// Walk down from the top, reusing the chain's nodes where a list
	// found them again, so the object itself stays marked.
	chainNodes := map[types.UID]*ownerNode{}
	for n := top; n != nil; {
		chainNodes[n.meta.UID] = n
		if len(n.children) == 0 {
			break
		}
		n = n.children[0]
	}
	seen := map[types.UID]bool{top.meta.UID: true}
	var walk func(n *ownerNode)
	walk = func(n *ownerNode) {
		var kids []*ownerNode
		for _, c := range byOwner[n.meta.UID] {
			if seen[c.meta.UID] {
				continue
			}
			seen[c.meta.UID] = true
			if known, ok := chainNodes[c.meta.UID]; ok {
				c = known
			}
			kids = append(kids, c)
		}
		// A chain member the lists missed (it was created meanwhile, or
		// its type was skipped) still shows under its owner.
		for _, c := range n.children {
			if !seen[c.meta.UID] {
				seen[c.meta.UID] = true
				kids = append(kids, c)
			}
		}
		slices.SortFunc(kids, func(a, b *ownerNode) int {
			if c := strings.Compare(a.t.Kind, b.t.Kind); c != 0 {
				return c
			}
			return strings.Compare(a.meta.Name, b.meta.Name)
		})
		n.children = kids
		for _, c := range kids {
			walk(c)
		}
	}
	walk(top)
	return skipped
}

// fillCells sets the READY and STATUS cells of every node below and at
// top: from the running listing of the node's type where there is one,
// else from a GET of the object as a table row, or, for types with many
// objects in the tree, from one table list of the type.
func (fs *FS) fillCells(ctx context.Context, top *ownerNode) {
	type key struct{ typ, ns string }
	groups := map[key][]*ownerNode{}
	var visit func(n *ownerNode)
	visit = func(n *ownerNode) {
		if n.missing == "" {
			k := key{n.t.Name, n.meta.Namespace}
			groups[k] = append(groups[k], n)
		}
		for _, c := range n.children {
			visit(c)
		}
	}
	visit(top)
	var wg sync.WaitGroup
	sem := make(chan struct{}, ownerLists)
	for k, nodes := range groups {
		t := nodes[0].t
		if l, ok := fs.src.Peek(t, k.ns); ok && l.Synced && l.Err == nil {
			setCells(nodes, l.Columns, l.Rows)
			continue
		}
		if len(nodes) > rowsByList {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if err := fs.src.WaitSynced(ctx, t, k.ns); err == nil {
					l := fs.src.Names(t, k.ns)
					setCells(nodes, l.Columns, l.Rows)
				}
			})
			continue
		}
		for _, n := range nodes {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				columns, row, err := fs.src.GetRow(ctx, n.t, n.meta.Namespace, n.meta.Name)
				if err == nil {
					setCells([]*ownerNode{n}, columns, []k8s.Row{row})
				}
			})
		}
	}
	wg.Wait()
}

// setCells copies the READY and STATUS cells of rows (sorted by name) to
// the nodes of the same names.
func setCells(nodes []*ownerNode, columns []k8s.Column, rows []k8s.Row) {
	ready, status := -1, -1
	for i, c := range columns {
		switch {
		case strings.EqualFold(c.Name, "Ready"):
			ready = i
		case strings.EqualFold(c.Name, "Status"):
			status = i
		}
	}
	for _, n := range nodes {
		i, ok := slices.BinarySearchFunc(rows, n.meta.Name, func(r k8s.Row, name string) int { return strings.Compare(r.Name, name) })
		if !ok {
			continue
		}
		if ready >= 0 && ready < len(rows[i].Cells) {
			n.cells[0] = rows[i].Cells[ready].Text
		}
		if status >= 0 && status < len(rows[i].Cells) {
			n.cells[1] = rows[i].Cells[status].Text
		}
	}
}

// renderOwnerTree draws the tree as kubectl-tree does: one line per
// object, indented by ownership, with its namespace, kind and name, READY,
// STATUS and age. An owner of the top that could not be read comes first,
// saying why; self, the object whose tree this is, is marked. links maps
// the number of each object's line (from 0) to the object's path.
func renderOwnerTree(chain []*ownerNode, top, self *ownerNode, skipped []string, now time.Time) (text string, links map[int]Path) {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "NAMESPACE\tNAME\tREADY\tSTATUS\tAGE\t")
	line := 1
	links = map[int]Path{}
	indent := ""
	if last := chain[len(chain)-1]; last.missing != "" {
		fmt.Fprintf(w, "%s\t%s/%s\t\t%s\t\t\n", top.meta.Namespace, last.ref.Kind, last.ref.Name, "("+last.missing+")")
		line++
		indent = "└─"
	}
	var draw func(n *ownerNode, prefix, branch string)
	draw = func(n *ownerNode, prefix, branch string) {
		mark := ""
		if n == self {
			mark = "◀"
		}
		if CheckSegment(n.meta.Name) == nil {
			links[line] = Path{Kind: KindObject, Cluster: !n.t.Namespaced, Namespace: n.meta.Namespace, Type: n.t.Name, Name: n.meta.Name}
		}
		line++
		fmt.Fprintf(w, "%s\t%s%s%s/%s\t%s\t%s\t%s\t%s\n", n.meta.Namespace, prefix, branch, n.t.Kind, n.meta.Name,
			dash(n.cells[0]), dash(n.cells[1]), duration.HumanDuration(now.Sub(n.meta.Created)), mark)
		childPrefix := prefix
		switch branch {
		case "├─":
			childPrefix += "│ "
		case "└─":
			childPrefix += "  "
		}
		for i, c := range n.children {
			cb := "├─"
			if i == len(n.children)-1 {
				cb = "└─"
			}
			draw(c, childPrefix, cb)
		}
	}
	draw(top, "", indent)
	w.Flush()
	// The last column (the mark) pads every line: trim it.
	lines := strings.Split(b.String(), "\n")
	b.Reset()
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(l, " "))
	}
	if len(skipped) > 0 {
		b.WriteString("\nNot searched: " + strings.Join(skipped, ", ") + "\n")
	}
	return b.String(), links
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
