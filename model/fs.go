// Package model turns kfsui paths into directory listings and leaf texts. It
// resolves paths against the discovered catalog, reads listings from the
// informer-fed caches and fetches leaves with GETs, then renders manifests,
// status and events as plain text. It imports no UI package: the tree,
// the viewer and the headless ls/cat commands all read through it.
//
// Concurrency: FS is safe from any goroutine. ReadDir never waits on the
// network except for a pod's logs directory; Read and Sync always may, so
// call them off the UI goroutine.
package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kfsui/kfsui/k8s"
)

// Source is what FS needs from the cluster. *k8s.Conn implements it.
type Source interface {
	Catalog() *k8s.Catalog
	Names(t k8s.Type, ns string) k8s.Listing
	NamesOf(t k8s.Type, ns string, sel k8s.Selector) k8s.Listing
	Peek(t k8s.Type, ns string) (k8s.Listing, bool)
	PeekOf(t k8s.Type, ns string, sel k8s.Selector) (k8s.Listing, bool)
	HoldOf(t k8s.Type, ns string, sel k8s.Selector) (release func())
	WaitSyncedOf(ctx context.Context, t k8s.Type, ns string, sel k8s.Selector) error
	RefreshOf(t k8s.Type, ns string, sel k8s.Selector)
	Count(ctx context.Context, t k8s.Type, ns string) (int, error)
	WaitSynced(ctx context.Context, t k8s.Type, ns string) error
	Refresh(t k8s.Type, ns string)
	Hold(t k8s.Type, ns string) (release func())
	Occupancy(t k8s.Type, ns string) k8s.Occupancy
	ForgetOccupancy(ns string)
	Get(ctx context.Context, t k8s.Type, ns, name string) (*unstructured.Unstructured, error)
	EventsFor(ctx context.Context, obj *unstructured.Unstructured, kind string) ([]corev1.Event, error)
	Describe(ctx context.Context, t k8s.Type, ns, name string) (string, error)
	GetMeta(ctx context.Context, t k8s.Type, ns, name string) (k8s.Meta, error)
	ListMeta(ctx context.Context, t k8s.Type, ns, selector string) ([]k8s.Meta, error)
	GetRow(ctx context.Context, t k8s.Type, ns, name string) ([]k8s.Column, k8s.Row, error)
	KnownOccupancy(t k8s.Type, ns string) k8s.Occupancy
	History(ctx context.Context, t k8s.Type, ns, name string) (map[int64]k8s.Revision, error)
	Logs(ctx context.Context, ns, pod string, o k8s.LogOptions) (io.ReadCloser, error)
	ListPages(ctx context.Context, t k8s.Type, ns string, pageSize int64, fn func([]unstructured.Unstructured) error) error
	HelmRecords(ns, release string) ([]k8s.HelmRecord, bool)
	WaitHelmCharts(ctx context.Context, ns string) error
	HelmRelease(ctx context.Context, rec k8s.HelmRecord) (*k8s.HelmRelease, error)
}

var _ Source = (*k8s.Conn)(nil)

// Entry is one name in a directory.
type Entry struct {
	Name string
	Path Path
	Dir  bool
	// Cells are an object's row in a type directory, one per column of
	// Dir.Columns (its name among them); nil elsewhere.
	Cells []k8s.Cell
	// Health is an object's state as its row tells it.
	Health Health
	// Summary says what a type directory or a namespace holds, as far as
	// running listings know ("42 · 3 failing"); "" when nothing is known.
	Summary string
}

// Dir is a directory's listing.
type Dir struct {
	Path    Path
	Entries []Entry
	// Loading is true until the listing's first complete list arrived.
	Loading bool
	// Err is why the listing is incomplete (forbidden, unreachable). The
	// entries are still whatever is known.
	Err error
	// Hidden counts the types left out because they are empty (or may
	// not be listed) while empty types are hidden.
	Hidden int
	// Columns are a type directory's columns, as `kubectl get` prints
	// them; nil for other directories and until the listing's first page.
	Columns []k8s.Column
	// Metrics says how a pods or nodes directory's metrics columns stand.
	Metrics k8s.Metrics
	// Selector is what a type directory is narrowed to on the server.
	Selector k8s.Selector
	// Pending counts the entries whose cells are still being filled in
	// (see k8s.Listing.Pending).
	Pending int
}

// Format says how a leaf's text is structured, for highlighting.
type Format int

// Leaf formats.
const (
	FormatYAML Format = iota
	FormatJSON
	FormatEvents
	FormatLog
	// FormatText is plain text, shown as it is (describe.txt).
	FormatText
	// FormatDiff is a unified diff (a revision's .diff).
	FormatDiff
	// FormatTree is an owner tree (tree.txt): plain text whose object
	// lines link to the objects (Leaf.Links).
	FormatTree
)

// Leaf is a leaf's text as the viewer shows it and `kfsui cat` prints it.
type Leaf struct {
	Path   Path
	Text   string
	Format Format
	// Links maps lines of Text (numbered from 0) to the objects they
	// name, in tree.txt; nil elsewhere.
	Links map[int]Path
	// ModTime is when what the leaf shows last changed, where that is
	// known (an object's last write); zero elsewhere.
	ModTime time.Time
}

// FS resolves kfsui paths against one cluster.
type FS struct {
	src Source
	now func() time.Time
	// namespace is shown under /namespaces when namespaces cannot be
	// listed, so users limited to one namespace still reach it.
	namespace string
	// LogTailLines is how many lines a log leaf shows.
	logTailLines int64
	// grepPageSize is how many objects a search's LIST pages hold.
	grepPageSize int64

	hideEmpty     atomic.Bool
	revealSecrets atomic.Bool
	keptMu        sync.Mutex
	kept          map[Path]bool // type directories listed even when empty

	// followers are the directories shown that are made from another
	// type's listing (a workload's revisions, from its ReplicaSets or
	// ControllerRevisions), with how many hold each.
	followersMu sync.Mutex
	followers   map[Path]int

	failing failingCounts

	// selectors narrow type directories on the server (SetSelector).
	selMu     sync.Mutex
	selectors map[Path]k8s.Selector
}

// Options tune an FS.
type Options struct {
	// Now is the clock for event ages; nil means time.Now.
	Now func() time.Time
	// Namespace is the namespace from --namespace or the context. It is
	// listed under /namespaces when the user may not list namespaces.
	Namespace string
	// LogTailLines bounds how many lines a .log leaf reads; 0 means 1000.
	LogTailLines int64
	// GrepPageSize is how many objects one LIST page of a search holds;
	// 0 means DefaultGrepPageSize.
	GrepPageSize int64
	// HideEmptyTypes lists only the types holding at least one object;
	// see FS.SetHideEmptyTypes.
	HideEmptyTypes bool
}

// NewFS returns an FS reading from src.
func NewFS(src Source, o Options) *FS {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.GrepPageSize <= 0 {
		o.GrepPageSize = DefaultGrepPageSize
	}
	if o.LogTailLines <= 0 {
		o.LogTailLines = 1000
	}
	fs := &FS{src: src, now: o.Now, namespace: o.Namespace, logTailLines: o.LogTailLines, grepPageSize: o.GrepPageSize, kept: map[Path]bool{}, followers: map[Path]int{}, selectors: map[Path]k8s.Selector{}}
	fs.hideEmpty.Store(o.HideEmptyTypes)
	return fs
}

// NewFSFor is the path model over connection conn, as every front end
// builds it: the namespace given with --namespace or named by the context
// is the one listed when namespaces cannot be (o.Namespace is set from
// it).
func NewFSFor(conn *k8s.Conn, o Options) *FS {
	o.Namespace = ""
	if conn.Info.NamespaceExplicit {
		o.Namespace = conn.Info.Namespace
	}
	return NewFS(conn, o)
}

// SetHideEmptyTypes sets whether namespace directories and /cluster list
// only the types that hold at least one object. Switching forgets which
// types were kept (see Keep) and what the checks found, so the next
// listing is current. Safe from any goroutine.
func (fs *FS) SetHideEmptyTypes(on bool) {
	fs.hideEmpty.Store(on)
	fs.keptMu.Lock()
	fs.kept = map[Path]bool{}
	fs.keptMu.Unlock()
}

// SetRevealSecrets sets whether Secrets' manifests show their values
// (base64-decoded) rather than "[hidden: N bytes]". Safe from any
// goroutine.
func (fs *FS) SetRevealSecrets(on bool) { fs.revealSecrets.Store(on) }

// RevealSecrets reports whether Secrets' values are shown. Safe from any
// goroutine.
func (fs *FS) RevealSecrets() bool { return fs.revealSecrets.Load() }

// HideEmptyTypes reports whether empty types are hidden. Safe from any
// goroutine.
func (fs *FS) HideEmptyTypes() bool { return fs.hideEmpty.Load() }

// Keep lists type directory p (or the one p lies in) even while it is
// empty and empty types are hidden: the places the user went to, by the
// jump bar or by opening them, do not vanish under the selection. Safe from
// any goroutine. It returns the directory listing the type, whose entries
// changed if ok.
func (fs *FS) Keep(p Path) (parent Path, ok bool) {
	if !p.HasType() {
		return Path{}, false
	}
	td := Path{Kind: KindTypeDir, Cluster: p.Cluster, Namespace: p.Namespace, Type: p.Type}
	fs.keptMu.Lock()
	defer fs.keptMu.Unlock()
	if fs.kept[td] {
		return Path{}, false
	}
	fs.kept[td] = true
	return td.Parent(), fs.hideEmpty.Load()
}

func (fs *FS) isKept(p Path) bool {
	fs.keptMu.Lock()
	defer fs.keptMu.Unlock()
	return fs.kept[p]
}

// Prefetch starts the listing p's type directory reads, if p names a type,
// so that a jump's target lists while the tree is still opening the
// directories above it. It never blocks. Safe from any goroutine.
func (fs *FS) Prefetch(p Path) {
	if t, err := fs.TypeOf(p); err == nil && p.Kind != KindLink {
		fs.src.NamesOf(t, listNamespace(p), fs.Selector(p))
	}
}

// Hold keeps the listing behind directory p running while the directory
// is shown, until release: listings nobody holds stop after the idle
// timeout. Safe from any goroutine.
func (fs *FS) Hold(p Path) (release func()) {
	switch p.Kind {
	case KindNamespaces:
		if t, ok := fs.namespaces(); ok {
			return fs.src.Hold(t, "")
		}
	case KindTypeDir:
		if t, err := fs.TypeOf(p); err == nil {
			return fs.src.HoldOf(t, listNamespace(p), fs.Selector(p))
		}
	case KindRevisionsDir, KindLogsDir:
		if t, ok := fs.followed(p); ok {
			return fs.follow(p, fs.src.Hold(t, p.Namespace))
		}
	}
	return func() {}
}

// followed returns the type whose listing directory p is made from: a
// Deployment's revisions are its ReplicaSets, a StatefulSet's or
// DaemonSet's its ControllerRevisions.
func (fs *FS) followed(p Path) (k8s.Type, bool) {
	t, err := fs.TypeOf(p)
	if err != nil {
		return k8s.Type{}, false
	}
	if p.Kind == KindRevisionsDir && t.IsHelm() {
		// A release's revisions are its records in the helm listing.
		return t, true
	}
	if p.Kind == KindLogsDir && t.HasWorkloadLogs() {
		// A workload's logs list the pods it owns.
		return fs.servedType("", "pods")
	}
	if p.Kind != KindRevisionsDir || !t.HasHistory() {
		return k8s.Type{}, false
	}
	want := "controllerrevisions"
	if t.IsApps("deployments") {
		want = "replicasets"
	}
	for _, c := range fs.src.Catalog().Namespaced() {
		if c.IsApps(want) {
			return c, true
		}
	}
	return k8s.Type{}, false
}

// follow records that directory p is shown until the function returned
// is called, which also calls release.
func (fs *FS) follow(p Path, release func()) func() {
	fs.followersMu.Lock()
	fs.followers[p]++
	fs.followersMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			release()
			fs.followersMu.Lock()
			defer fs.followersMu.Unlock()
			if fs.followers[p]--; fs.followers[p] <= 0 {
				delete(fs.followers, p)
			}
		})
	}
}

// followersOf returns the directories shown that are made from the
// listing of t in namespace ns.
func (fs *FS) followersOf(t k8s.Type, ns string) []Path {
	fs.followersMu.Lock()
	defer fs.followersMu.Unlock()
	var out []Path
	for p := range fs.followers {
		if p.Namespace != ns {
			continue
		}
		if f, ok := fs.followed(p); ok && f.GVR == t.GVR {
			out = append(out, p)
		}
	}
	return out
}

// namespaces returns the core namespaces type from the catalog.
func (fs *FS) namespaces() (k8s.Type, bool) {
	t, ok := fs.src.Catalog().Lookup("namespaces")
	return t, ok && t.IsCore("namespaces")
}

// TypeOf resolves the type a path names, checking it is served in the
// path's scope (namespaced under /namespaces, cluster-scoped under /cluster).
// Safe from any goroutine.
func (fs *FS) TypeOf(p Path) (k8s.Type, error) {
	if !p.HasType() {
		return k8s.Type{}, fmt.Errorf("%w: %s names no type", ErrNoSuchPath, p)
	}
	t, ok := fs.src.Catalog().Lookup(p.Type)
	if !ok || t.Namespaced == p.Cluster {
		return k8s.Type{}, fmt.Errorf("%w: %s: unknown type %q", ErrNoSuchPath, p, p.Type)
	}
	return t, nil
}

// ReadDir lists directory p from what is known now. Missing namespaces,
// types and objects are ErrNoSuchPath once their listing has arrived; while
// it has not, the directory is assumed to exist. Safe from any goroutine;
// it blocks on the network only for a pod's logs directory.
func (fs *FS) ReadDir(ctx context.Context, p Path) (Dir, error) {
	d := Dir{Path: p}
	switch p.Kind {
	case KindRoot:
		d.Entries = []Entry{dirEntry(p, segAll), dirEntry(p, segCluster), dirEntry(p, segNamespaces)}
	case KindAll:
		return fs.readAll(p), nil
	case KindNamespaces:
		return fs.readNamespaces(p)
	case KindNamespace:
		if err := fs.checkNamespace(p); err != nil {
			return d, err
		}
		cat := fs.src.Catalog()
		fs.typeDir(&d, cat.Namespaced(), p.Namespace)
		d.Err = discoveryErr(cat)
	case KindClusterDir:
		cat := fs.src.Catalog()
		fs.typeDir(&d, cat.ClusterScoped(), "")
		d.Err = discoveryErr(cat)
	case KindTypeDir:
		if p.All {
			return fs.readAllType(p)
		}
		return fs.readTypeDir(p)
	case KindObject:
		if p.IsHelm() {
			return fs.readHelmRelease(p)
		}
		if err := fs.checkObject(p); err != nil {
			return d, err
		}
		for _, leaf := range objectLeaves {
			d.Entries = append(d.Entries, fileEntry(p, leaf))
		}
		t, _ := fs.TypeOf(p)
		if t.IsCore("pods") {
			d.Entries = append(d.Entries, dirEntry(p, segLogs))
		}
		if t.HasWorkloadLogs() {
			d.Entries = append(d.Entries, dirEntry(p, segLogs))
		}
		if t.HasHistory() {
			d.Entries = append(d.Entries, dirEntry(p, segRevisions))
		}
	case KindLogsDir:
		if p.Type != podsType {
			return fs.readWorkloadLogs(ctx, p)
		}
		return fs.readLogsDir(ctx, p)
	case KindPodLogsDir:
		return fs.readLogsDir(ctx, p)
	case KindRevisionsDir:
		if p.IsHelm() {
			return fs.readHelmRevisions(p)
		}
		return fs.readRevisionsDir(ctx, p)
	case KindHelmRevision:
		return fs.readHelmRevisionDir(p)
	default:
		return d, fmt.Errorf("%s: not a directory", p)
	}
	return d, nil
}

func dirEntry(parent Path, name string) Entry {
	p, _ := parent.Child(name)
	return Entry{Name: name, Path: p, Dir: true}
}

func fileEntry(parent Path, name string) Entry {
	p, _ := parent.Child(name)
	return Entry{Name: name, Path: p}
}

// Catalog is the types the cluster serves. Safe from any goroutine.
func (fs *FS) Catalog() *k8s.Catalog { return fs.src.Catalog() }

// TypeEntries lists every type served in namespace directory p, or in
// /cluster, hidden or not. Safe from any goroutine.
func (fs *FS) TypeEntries(p Path) []Entry {
	cat := fs.src.Catalog()
	types := cat.Namespaced()
	if p.Kind == KindClusterDir {
		types = cat.ClusterScoped()
	} else if p.Kind != KindNamespace {
		return nil
	}
	out := make([]Entry, len(types))
	for i, t := range types {
		out[i] = dirEntry(p, t.Name)
	}
	return out
}

// typeDir fills d, a namespace directory or /cluster, with types. While
// empty types are hidden it keeps the types known to hold an object, those
// whose check failed for a reason other than RBAC (so the failure can be
// seen inside), and the kept ones; it is Loading while checks are out.
func (fs *FS) typeDir(d *Dir, types []k8s.Type, ns string) {
	hide := fs.hideEmpty.Load()
	d.Entries = make([]Entry, 0, len(types))
	for _, t := range types {
		e := dirEntry(d.Path, t.Name)
		if hide && !fs.isKept(e.Path) {
			switch fs.src.Occupancy(t, ns) {
			case k8s.OccupancyUnknown:
				d.Loading = true
				continue
			case k8s.OccupancyEmpty, k8s.OccupancyForbidden:
				d.Hidden++
				continue
			}
		}
		if l, ok := fs.src.Peek(t, ns); ok && l.Synced {
			e.Summary = summary(len(l.Rows), fs.failing.of(ListKeyOf(t, ns), l))
		}
		d.Entries = append(d.Entries, e)
	}
}

// discoveryErr tells which group-versions are missing from the type lists,
// so a failed aggregated API is visible rather than silently absent.
func discoveryErr(cat *k8s.Catalog) error {
	if len(cat.Failed) == 0 {
		return nil
	}
	parts := make([]string, len(cat.Failed))
	for i, f := range cat.Failed {
		parts[i] = f.GroupVersion.String() + " (" + f.Err.Error() + ")"
	}
	return fmt.Errorf("discovery failed for %s; retrying", strings.Join(parts, ", "))
}

func (fs *FS) readNamespaces(p Path) (Dir, error) {
	d := Dir{Path: p}
	t, ok := fs.namespaces()
	if !ok {
		return d, errors.New("the server does not serve namespaces")
	}
	l := fs.src.Names(t, "")
	d.Loading, d.Err = !l.Synced, l.Err
	names := l.Names
	if l.Err != nil && !l.Synced && fs.namespace != "" {
		// Users limited to one namespace may not list namespaces: still
		// show the one they asked for.
		names = []string{fs.namespace}
		d.Loading = false
	}
	namespaced := fs.src.Catalog().Namespaced()
	for _, n := range names {
		if CheckSegment(n) == nil {
			e := dirEntry(p, n)
			if failing := fs.failingIn(namespaced, n); failing > 0 {
				e.Summary = fmt.Sprintf("%d failing", failing)
			}
			d.Entries = append(d.Entries, e)
		}
	}
	return d, nil
}

func (fs *FS) readTypeDir(p Path) (Dir, error) {
	d := Dir{Path: p}
	if p.Kind == KindTypeDir && !p.Cluster {
		if err := fs.checkNamespace(p); err != nil {
			return d, err
		}
	}
	t, err := fs.TypeOf(p)
	if err != nil {
		return d, err
	}
	d.Selector = fs.Selector(p)
	l := fs.src.NamesOf(t, p.Namespace, d.Selector)
	d.Loading, d.Err, d.Columns, d.Metrics, d.Pending = !l.Synced, l.Err, l.Columns, l.Metrics, l.Pending
	rules := rulesFor(l.Columns)
	d.Entries = make([]Entry, 0, len(l.Rows))
	for _, row := range l.Rows {
		// A name that is not a valid segment (none should exist) could
		// not be opened; leave it out rather than build a bad path.
		if CheckSegment(row.Name) == nil {
			d.Entries = append(d.Entries, Entry{Name: row.Name, Dir: true, Cells: row.Cells, Health: rules.health(row.Cells),
				Path: Path{Kind: KindObject, Cluster: p.Cluster, Namespace: p.Namespace, Type: p.Type, Name: row.Name}})
		}
	}
	return d, nil
}

// checkNamespace fails when the namespaces listing has arrived and lacks
// p's namespace. A listing that failed (forbidden) proves nothing.
func (fs *FS) checkNamespace(p Path) error {
	if p.Cluster {
		return nil
	}
	t, ok := fs.namespaces()
	if !ok {
		return nil
	}
	l := fs.src.Names(t, "")
	if l.Synced && l.Err == nil && !contains(l.Names, p.Namespace) {
		return fmt.Errorf("%w: %s: namespace %q not found", ErrNoSuchPath, p, p.Namespace)
	}
	return nil
}

func (fs *FS) checkObject(p Path) error {
	if err := fs.checkNamespace(p); err != nil {
		return err
	}
	t, err := fs.TypeOf(p)
	if err != nil {
		return err
	}
	l := fs.src.Names(t, p.Namespace)
	if l.Synced && l.Err == nil && !contains(l.Names, p.Name) {
		return fmt.Errorf("%w: %s: %s %q not found", ErrNoSuchPath, p, t.Name, p.Name)
	}
	return nil
}

func contains(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}

// Sync waits until the listings that decide whether p exists have arrived,
// or ctx ends. Headless commands call it before ReadDir so that they answer
// from complete listings; the tree does not wait. Safe from any goroutine.
func (fs *FS) Sync(ctx context.Context, p Path) error {
	if p.Kind == KindNamespaces || p.InNamespace() {
		if t, ok := fs.namespaces(); ok {
			err := fs.src.WaitSynced(ctx, t, "")
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Below /namespaces a forbidden namespace listing is no error:
			// the namespace may still be readable. /namespaces itself then
			// shows the configured namespace, if there is one.
			if err != nil && p.Kind == KindNamespaces && fs.namespace == "" {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	if p.All && p.Kind == KindTypeDir {
		t, err := fs.TypeOf(p)
		if err != nil {
			return err
		}
		if err := fs.syncAll(ctx, t, fs.Selector(p)); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		return nil
	}
	if p.HasType() && p.Kind != KindLink {
		t, err := fs.TypeOf(p)
		if err != nil {
			return err
		}
		sel := k8s.Selector{}
		if p.Kind == KindTypeDir {
			sel = fs.Selector(p)
		}
		err = fs.src.WaitSyncedOf(ctx, t, p.Namespace, sel)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && p.Kind == KindTypeDir {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// Refresh asks for p's listing to be read again where it does not follow
// the cluster by itself: types without watch, and which types are empty in
// a namespace directory or /cluster. Safe from any goroutine.
func (fs *FS) Refresh(p Path) {
	switch p.Kind {
	case KindNamespace:
		fs.src.ForgetOccupancy(p.Namespace)
		return
	case KindClusterDir:
		fs.src.ForgetOccupancy("")
		return
	case KindTypeDir:
	default:
		return
	}
	if t, err := fs.TypeOf(p); err == nil {
		fs.src.RefreshOf(t, listNamespace(p), fs.Selector(p))
	}
}

// listNamespace is the namespace of the listing behind type directory p:
// k8s.AllNamespaces under /all.
func listNamespace(p Path) string {
	if p.All {
		return k8s.AllNamespaces
	}
	return p.Namespace
}

// DirsShowing returns the directories whose entries come from listing key,
// so a change in one cache can be mapped to the tree. Safe from any
// goroutine.
func (fs *FS) DirsShowing(key k8s.ListKey) []Path {
	cat := fs.src.Catalog()
	var t k8s.Type
	found := false
	for _, list := range [][]k8s.Type{cat.Namespaced(), cat.ClusterScoped()} {
		for _, c := range list {
			if c.GVR == key.GVR {
				t, found = c, true
			}
		}
	}
	var out []Path
	switch {
	case !found:
		return nil
	case t.Namespaced && key.Namespace == k8s.AllNamespaces:
		return []Path{{Kind: KindTypeDir, All: true, Type: t.Name}, {Kind: KindAll}}
	case t.Namespaced:
		// The namespace shows the type's count, and /namespaces the
		// namespace's failing rows; workloads' revisions follow their
		// ReplicaSets and ControllerRevisions. /all/<type> joins the
		// namespaces' listings when it may not list across them.
		return append([]Path{{Kind: KindTypeDir, Namespace: key.Namespace, Type: t.Name},
			{Kind: KindTypeDir, All: true, Type: t.Name},
			{Kind: KindNamespace, Namespace: key.Namespace}, {Kind: KindNamespaces}}, fs.followersOf(t, key.Namespace)...)
	case t.IsCore("namespaces"):
		out = []Path{{Kind: KindNamespaces}, {Kind: KindTypeDir, Cluster: true, Type: t.Name}}
	default:
		out = []Path{{Kind: KindTypeDir, Cluster: true, Type: t.Name}}
	}
	// /cluster shows the type's count.
	return append(out, Path{Kind: KindClusterDir})
}
