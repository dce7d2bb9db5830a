package model

import (
	"strconv"
	"strings"

	"github.com/kfsui/kfsui/k8s"
)

// The leaves of a Helm release's directory and of each of its
// revisions/<N>/, in the order the tree shows them. Each is what the
// pinned helm prints for it (see ReadHelmLeaf).
const (
	LeafHelmValues    = "values.yaml"
	LeafHelmValuesAll = "values-all.yaml"
	LeafHelmManifest  = "manifest.yaml"
	LeafHelmNotes     = "notes.txt"
	LeafHelmChart     = "chart.yaml"
	LeafHelmHooks     = "hooks.yaml"
	LeafHelmStatus    = "status.yaml"
)

var helmLeaves = []string{LeafHelmValues, LeafHelmValuesAll, LeafHelmManifest, LeafHelmNotes, LeafHelmChart, LeafHelmHooks, LeafHelmStatus}

// IsHelm reports whether p is /namespaces/<ns>/helm or lies below it, or
// is /all/helm or an entry of it: Helm releases, not an API type.
func (p Path) IsHelm() bool {
	return p.Type == k8s.HelmTypeName && !p.Cluster && p.HasType()
}

// helmFromSegments parses what follows /namespaces/<ns>/helm/<release>:
// a leaf, revisions, revisions/<N>, revisions/<N>/<leaf> or
// revisions/<N>.diff.
func helmFromSegments(p Path, rest []string) (Path, bool) {
	isLeaf := func(s string) bool {
		for _, l := range helmLeaves {
			if l == s {
				return true
			}
		}
		return false
	}
	switch {
	case len(rest) == 1 && isLeaf(rest[0]):
		p.Kind, p.Leaf = KindLeaf, rest[0]
		return p, true
	case rest[0] != segRevisions || len(rest) > 3:
		return Path{}, false
	case len(rest) == 1:
		p.Kind = KindRevisionsDir
		return p, true
	}
	if n, diff, ok := parseRevision(rest[1]); ok && diff && len(rest) == 2 {
		p.Kind, p.Revision, p.Diff = KindRevision, n, true
		return p, true
	}
	n, ok := parseRevisionNumber(rest[1])
	switch {
	case !ok:
		return Path{}, false
	case len(rest) == 2:
		p.Kind, p.Revision = KindHelmRevision, n
		return p, true
	case isLeaf(rest[2]):
		p.Kind, p.Revision, p.Leaf = KindLeaf, n, rest[2]
		return p, true
	}
	return Path{}, false
}

// parseRevisionNumber reads N as Helm numbers revisions: from 1, without
// leading zeros.
func parseRevisionNumber(s string) (int64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func revisionDirName(n int64) string { return strconv.FormatInt(n, 10) }
