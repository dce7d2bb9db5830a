package model

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoSuchPath is returned (wrapped) for a path that names nothing: a
// malformed segment, an unknown type, a missing object or a leaf that does
// not exist for its object.
var ErrNoSuchPath = errors.New("no such path")

// Kind says what a Path names.
type Kind int

// The kinds of path, from the root down.
const (
	KindRoot         Kind = iota // /
	KindNamespaces               // /namespaces
	KindNamespace                // /namespaces/<ns>
	KindClusterDir               // /cluster
	KindTypeDir                  // /namespaces/<ns>/<type> or /cluster/<type>
	KindObject                   // .../<type>/<name>
	KindLeaf                     // .../<name>/manifest.yaml and its siblings
	KindLogsDir                  // /namespaces/<ns>/pods/<name>/logs, or a workload's .../<name>/logs
	KindLog                      // /namespaces/<ns>/pods/<name>/logs/<container>.log, or a workload's .../logs/<pod>/<container>.log
	KindPodLogsDir               // a workload's .../<name>/logs/<pod>
	KindRevisionsDir             // /namespaces/<ns>/<workload type>/<name>/revisions
	KindRevision                 // .../revisions/<N>.yaml or .../revisions/<N>.diff
	KindAll                      // /all: every namespaced type, in every namespace at once
	KindLink                     // /all/<type>/<ns>:<name>, which leads to /namespaces/<ns>/<type>/<name>
	KindHelmRevision             // /namespaces/<ns>/helm/<release>/revisions/<N>: that revision's leaves
)

// The leaves every object directory holds, in the order the tree shows them.
const (
	LeafManifestYAML = "manifest.yaml"
	LeafManifestJSON = "manifest.json"
	LeafStatus       = "status.yaml"
	LeafEvents       = "events.txt"
	LeafDescribe     = "describe.txt"
	LeafTree         = "tree.txt"
)

// objectLeaves lists the leaf names of an object directory in display order.
var objectLeaves = []string{LeafManifestYAML, LeafManifestNeat, LeafManifestJSON, LeafStatus, LeafEvents, LeafDescribe, LeafTree}

const (
	segNamespaces = "namespaces"
	segCluster    = "cluster"
	segAll        = "all"
	segLogs       = "logs"
	logSuffix     = ".log"
	segRevisions  = "revisions"
	podsType      = "pods" // the tree name of core pods, whose logs are their containers
	yamlSuffix    = ".yaml"
	diffSuffix    = ".diff"
)

// Path is a parsed kfsui path. It is a value: compare with ==.
//
// Parsing checks only the shape of a path; whether a type, object or
// container exists is for FS to say.
type Path struct {
	Kind    Kind
	Cluster bool // under /cluster rather than /namespaces
	// All is set under /all: KindAll, a KindTypeDir of every namespace
	// (Namespace ""), and its KindLink entries (Namespace and Name those
	// of the object they lead to).
	All       bool
	Namespace string // set from KindNamespace down when !Cluster
	Type      string // the type's tree name, from KindTypeDir down
	Name      string // the object name, from KindObject down
	Leaf      string // KindLeaf only
	Container string // KindLog only
	// Pod is the pod of a workload's logs (KindPodLogsDir and KindLog
	// below a workload); "" below a pod, which Name names.
	Pod string
	// Revision is N, from 1, in KindRevision and KindHelmRevision, and in
	// the KindLeaf of a Helm release's revisions/<N>/ (0 for a release's
	// own leaves, which show its latest revision).
	Revision int64
	Diff     bool // KindRevision only: <N>.diff rather than <N>.yaml
}

// Root is the path "/".
var Root = Path{Kind: KindRoot}

// Parse parses an absolute path. A trailing slash is allowed. A segment that
// is empty, ".", "..", or contains %, ?, # or a control character names
// nothing (see ../shared/SPEC.md), and neither does a path of the wrong shape:
// both return an error wrapping ErrNoSuchPath.
func Parse(s string) (Path, error) {
	if !strings.HasPrefix(s, "/") {
		return Path{}, fmt.Errorf("%w: %q is not absolute", ErrNoSuchPath, s)
	}
	if s == "/" {
		return Root, nil
	}
	// One trailing slash is allowed; "//" keeps an empty segment and fails.
	rest := strings.TrimSuffix(strings.TrimPrefix(s, "/"), "/")
	segs := strings.Split(rest, "/")
	for _, seg := range segs {
		if err := CheckSegment(seg); err != nil {
			return Path{}, fmt.Errorf("%w: %q: %v", ErrNoSuchPath, s, err)
		}
	}
	p, ok := fromSegments(segs)
	if !ok {
		return Path{}, fmt.Errorf("%w: %q", ErrNoSuchPath, s)
	}
	return p, nil
}

// MustParse is Parse for paths known to be valid, such as constants in
// tests and key bindings. It panics on an invalid path.
func MustParse(s string) Path {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// CheckSegment reports why seg cannot be a path segment, or nil if it can.
// ':' is allowed, as RBAC names such as system:node use it.
func CheckSegment(seg string) error {
	switch seg {
	case "":
		return errors.New("empty segment")
	case ".", "..":
		return fmt.Errorf("segment %q is not allowed", seg)
	}
	for _, r := range seg {
		switch {
		case r == '/' || r == '%' || r == '?' || r == '#':
			return fmt.Errorf("segment %q contains %q", seg, r)
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("segment %q contains control character %#x", seg, r)
		}
	}
	return nil
}

func fromSegments(segs []string) (Path, bool) {
	var p Path
	switch segs[0] {
	case segAll:
		return allFromSegments(segs[1:])
	case segNamespaces:
		p.Kind = KindNamespaces
		if len(segs) == 1 {
			return p, true
		}
		p.Kind, p.Namespace = KindNamespace, segs[1]
		segs = segs[2:]
	case segCluster:
		p.Kind, p.Cluster = KindClusterDir, true
		segs = segs[1:]
	default:
		return Path{}, false
	}
	if len(segs) == 0 {
		return p, true
	}
	p.Kind, p.Type = KindTypeDir, segs[0]
	if len(segs) == 1 {
		return p, true
	}
	p.Kind, p.Name = KindObject, segs[1]
	if len(segs) == 2 {
		return p, true
	}
	if p.IsHelm() {
		return helmFromSegments(p, segs[2:])
	}
	leaf := segs[2]
	switch {
	case len(segs) == 3 && isObjectLeaf(leaf):
		p.Kind, p.Leaf = KindLeaf, leaf
		return p, true
	case leaf == segLogs && !p.Cluster:
		p.Kind = KindLogsDir
		if len(segs) == 3 {
			return p, true
		}
		// A pod's logs are its containers'; a workload's are its pods',
		// a directory each.
		logs := segs[3:]
		if p.Type != podsType {
			p.Kind, p.Pod = KindPodLogsDir, segs[3]
			if len(segs) == 4 {
				return p, true
			}
			logs = segs[4:]
		}
		c, ok := strings.CutSuffix(logs[0], logSuffix)
		if len(logs) != 1 || !ok || CheckSegment(c) != nil {
			return Path{}, false
		}
		p.Kind, p.Container = KindLog, c
		return p, true
	case leaf == segRevisions && !p.Cluster:
		p.Kind = KindRevisionsDir
		if len(segs) == 3 {
			return p, true
		}
		if len(segs) != 4 {
			return Path{}, false
		}
		n, diff, ok := parseRevision(segs[3])
		if !ok {
			return Path{}, false
		}
		p.Kind, p.Revision, p.Diff = KindRevision, n, diff
		return p, true
	}
	return Path{}, false
}

// allFromSegments parses what follows /all. Below an entry,
// /all/<type>/<ns>:<name>/..., is the object's own directory, as
// following the link gives it: the canonical path is returned.
func allFromSegments(segs []string) (Path, bool) {
	p := Path{Kind: KindAll, All: true}
	if len(segs) == 0 {
		return p, true
	}
	p.Kind, p.Type = KindTypeDir, segs[0]
	if len(segs) == 1 {
		return p, true
	}
	ns, name, ok := strings.Cut(segs[1], ":")
	if !ok || CheckSegment(ns) != nil || CheckSegment(name) != nil {
		return Path{}, false
	}
	if len(segs) == 2 {
		p.Kind, p.Namespace, p.Name = KindLink, ns, name
		return p, true
	}
	return fromSegments(append([]string{segNamespaces, ns, p.Type, name}, segs[2:]...))
}

// LinkName is the name of the entry of /all/<type> that leads to the
// object name in namespace ns.
func LinkName(ns, name string) string { return ns + ":" + name }

// Target is the object directory a KindLink leads to; other paths are
// returned as they are.
func (p Path) Target() Path {
	if p.Kind != KindLink {
		return p
	}
	return Path{Kind: KindObject, Namespace: p.Namespace, Type: p.Type, Name: p.Name}
}

// AllOf is /all/<type> for the type p names, if p names a namespaced
// type's directory or what lies below it.
func (p Path) AllOf() (Path, bool) {
	if !p.HasType() || p.Cluster {
		return Path{}, false
	}
	return Path{Kind: KindTypeDir, All: true, Type: p.Type}, true
}

// parseRevision reads "<N>.yaml" or "<N>.diff": N a revision number as
// the controllers write it, from 1, without leading zeros.
func parseRevision(name string) (n int64, diff bool, ok bool) {
	num, ok := strings.CutSuffix(name, yamlSuffix)
	if !ok {
		if num, ok = strings.CutSuffix(name, diffSuffix); !ok {
			return 0, false, false
		}
		diff = true
	}
	n, ok = parseRevisionNumber(num)
	return n, diff, ok
}

// RevisionName is the file name of revision n in a revisions directory.
func RevisionName(n int64, diff bool) string {
	if diff {
		return fmt.Sprintf("%d%s", n, diffSuffix)
	}
	return fmt.Sprintf("%d%s", n, yamlSuffix)
}

func isObjectLeaf(name string) bool {
	for _, l := range objectLeaves {
		if l == name {
			return true
		}
	}
	return false
}

// String returns the canonical form: absolute, no trailing slash (but "/").
func (p Path) String() string {
	var b strings.Builder
	for _, seg := range p.segments() {
		b.WriteByte('/')
		b.WriteString(seg)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func (p Path) segments() []string {
	var segs []string
	switch p.Kind {
	case KindRoot:
		return nil
	case KindNamespaces:
		return []string{segNamespaces}
	case KindClusterDir:
		return []string{segCluster}
	case KindAll:
		return []string{segAll}
	}
	if p.All {
		if p.Kind == KindLink {
			return []string{segAll, p.Type, LinkName(p.Namespace, p.Name)}
		}
		return []string{segAll, p.Type}
	}
	if p.Cluster {
		segs = []string{segCluster}
	} else {
		segs = []string{segNamespaces, p.Namespace}
	}
	if p.Kind == KindNamespace {
		return segs
	}
	segs = append(segs, p.Type)
	if p.Kind == KindTypeDir {
		return segs
	}
	segs = append(segs, p.Name)
	switch p.Kind {
	case KindLeaf:
		if p.Revision > 0 {
			segs = append(segs, segRevisions, revisionDirName(p.Revision))
		}
		segs = append(segs, p.Leaf)
	case KindHelmRevision:
		segs = append(segs, segRevisions, revisionDirName(p.Revision))
	case KindLogsDir:
		segs = append(segs, segLogs)
	case KindLog:
		segs = append(segs, segLogs)
		if p.Pod != "" {
			segs = append(segs, p.Pod)
		}
		segs = append(segs, p.Container+logSuffix)
	case KindPodLogsDir:
		segs = append(segs, segLogs, p.Pod)
	case KindRevisionsDir:
		segs = append(segs, segRevisions)
	case KindRevision:
		segs = append(segs, segRevisions, RevisionName(p.Revision, p.Diff))
	}
	return segs
}

// PodName names the pod p's logs are of: the object below a pod, Pod
// below a workload.
func (p Path) PodName() string {
	if p.Pod != "" {
		return p.Pod
	}
	return p.Name
}

// HasType reports whether p is at or below a type directory, so that
// p.Type names a type.
func (p Path) HasType() bool {
	switch p.Kind {
	case KindTypeDir, KindObject, KindLeaf, KindLogsDir, KindLog, KindPodLogsDir, KindRevisionsDir, KindRevision, KindLink, KindHelmRevision:
		return true
	}
	return false
}

// InNamespace reports whether p is at or below /namespaces/<ns>, so that
// p.Namespace names a namespace.
func (p Path) InNamespace() bool {
	return !p.Cluster && !p.All && p.Kind != KindRoot && p.Kind != KindNamespaces
}

// IsDir reports whether p names a directory.
func (p Path) IsDir() bool {
	return p.Kind != KindLeaf && p.Kind != KindLog && p.Kind != KindRevision && p.Kind != KindLink
}

// Base returns the last segment ("/" for the root).
func (p Path) Base() string {
	segs := p.segments()
	if len(segs) == 0 {
		return "/"
	}
	return segs[len(segs)-1]
}

// Parent returns the directory holding p; the root's parent is the root.
func (p Path) Parent() Path {
	segs := p.segments()
	if len(segs) <= 1 {
		return Root
	}
	parent, _ := fromSegments(segs[:len(segs)-1])
	return parent
}

// Child returns the path of the entry name inside directory p. It fails when
// name is not a valid segment or p cannot hold an entry of that name.
func (p Path) Child(name string) (Path, error) {
	if err := CheckSegment(name); err != nil {
		return Path{}, fmt.Errorf("%w: %v", ErrNoSuchPath, err)
	}
	c, ok := fromSegments(append(p.segments(), name))
	if !ok {
		return Path{}, fmt.Errorf("%w: %s has no entry %q", ErrNoSuchPath, p, name)
	}
	return c, nil
}

// Ancestors returns the directories from the root down to p's parent.
func (p Path) Ancestors() []Path {
	var out []Path
	for q := p; q.Kind != KindRoot; {
		q = q.Parent()
		out = append(out, q)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
