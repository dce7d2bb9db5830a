package model

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kfsui/kfsui/k8s"
)

// helmType is the catalog's helm type, for paths below /namespaces/<ns>/helm.
func (fs *FS) helmType(p Path) (k8s.Type, error) {
	t, err := fs.TypeOf(p)
	if err == nil && !t.IsHelm() {
		err = fmt.Errorf("%w: %s: not a Helm release", ErrNoSuchPath, p)
	}
	return t, err
}

// WaitCells waits until the cells of type directory p are filled in, or
// ctx ends: for Helm releases (a namespace's or /all's), until every
// release's chart is decoded for its CHART column; other directories at
// once. For listings printed once (ls -l); the tree shows the cells as
// they come. The listing's own errors are ReadDir's to report. Safe from
// any goroutine.
func (fs *FS) WaitCells(ctx context.Context, p Path) error {
	if p.Kind != KindTypeDir || !p.IsHelm() {
		return nil
	}
	if !p.All {
		return fs.src.WaitHelmCharts(ctx, p.Namespace)
	}
	return fs.eachListing(ctx, func(ns string) error { return fs.src.WaitHelmCharts(ctx, ns) })
}

// readHelmRelease lists a release's directory: its leaves (of its latest
// revision) and revisions/.
func (fs *FS) readHelmRelease(p Path) (Dir, error) {
	d := Dir{Path: p}
	if err := fs.checkObject(p); err != nil {
		return d, err
	}
	for _, leaf := range helmLeaves {
		d.Entries = append(d.Entries, fileEntry(p, leaf))
	}
	d.Entries = append(d.Entries, dirEntry(p, segRevisions))
	return d, nil
}

// helmRecords are the revisions kept of p's release, oldest first, as the
// running listing knows them; known is false while it has not listed.
func (fs *FS) helmRecords(p Path) (records []k8s.HelmRecord, known bool, err error) {
	if _, err := fs.helmType(p); err != nil {
		return nil, false, err
	}
	records, known = fs.src.HelmRecords(p.Namespace, p.Name)
	if known && len(records) == 0 {
		return nil, true, fmt.Errorf("%w: %s: release %q not found", ErrNoSuchPath, p, p.Name)
	}
	return records, known, nil
}

// readHelmRevisions lists revisions/: <N>/ for every revision kept, and
// <N>.diff for each but the oldest.
func (fs *FS) readHelmRevisions(p Path) (Dir, error) {
	d := Dir{Path: p}
	records, known, err := fs.helmRecords(p)
	if err != nil {
		return d, err
	}
	d.Loading = !known
	for i, r := range records {
		d.Entries = append(d.Entries, dirEntry(p, revisionDirName(r.Revision)))
		if i > 0 {
			d.Entries = append(d.Entries, fileEntry(p, RevisionName(r.Revision, true)))
		}
	}
	return d, nil
}

// readHelmRevisionDir lists revisions/<N>/: the release's leaves as they
// were at revision N.
func (fs *FS) readHelmRevisionDir(p Path) (Dir, error) {
	d := Dir{Path: p}
	records, known, err := fs.helmRecords(p)
	if err != nil {
		return d, err
	}
	if known && !slices.ContainsFunc(records, func(r k8s.HelmRecord) bool { return r.Revision == p.Revision }) {
		return d, fmt.Errorf("%w: %s: release %s keeps no revision %d", ErrNoSuchPath, p, p.Name, p.Revision)
	}
	d.Loading = !known
	for _, leaf := range helmLeaves {
		d.Entries = append(d.Entries, fileEntry(p, leaf))
	}
	return d, nil
}

// helmRecord waits for the helm listing of p's namespace and returns the
// record of revision n of p's release (0: the latest) and the one before
// it, if one is kept (zero Revision if not).
func (fs *FS) helmRecord(ctx context.Context, p Path, n int64) (rec, prev k8s.HelmRecord, err error) {
	t, err := fs.helmType(p)
	if err != nil {
		return rec, prev, err
	}
	if err := fs.src.WaitSynced(ctx, t, p.Namespace); err != nil {
		return rec, prev, fmt.Errorf("%s: listing Helm releases: %w", p, err)
	}
	records, _, err := fs.helmRecords(p)
	if err != nil {
		return rec, prev, err
	}
	if n == 0 {
		n = records[len(records)-1].Revision
	}
	for i, r := range records {
		if r.Revision == n {
			if i > 0 {
				prev = records[i-1]
			}
			return r, prev, nil
		}
	}
	return rec, prev, fmt.Errorf("%w: %s: release %s keeps no revision %d", ErrNoSuchPath, p, p.Name, n)
}

// readHelmLeaf renders a leaf of a release (its latest revision) or of
// revisions/<N>/.
func (fs *FS) readHelmLeaf(ctx context.Context, p Path) (Leaf, error) {
	rec, _, err := fs.helmRecord(ctx, p, p.Revision)
	if err != nil {
		return Leaf{}, err
	}
	rel, err := fs.src.HelmRelease(ctx, rec)
	if err != nil {
		return Leaf{}, fmt.Errorf("%s: %w", p, err)
	}
	text, format, err := HelmLeafText(rel, p.Leaf, fs.revealSecrets.Load())
	if err != nil {
		return Leaf{}, fmt.Errorf("%s: %w", p, err)
	}
	leaf := Leaf{Path: p, Text: text, Format: format, ModTime: rec.Modified}
	if rel.Info != nil && !rel.Info.LastDeployed.IsZero() {
		leaf.ModTime = rel.Info.LastDeployed
	}
	return leaf, nil
}

// readHelmDiff renders revisions/<N>.diff: the unified diff of revision
// N's user-supplied values and manifest against the revision kept before
// it, headed by N's status and description.
func (fs *FS) readHelmDiff(ctx context.Context, p Path) (Leaf, error) {
	rec, prevRec, err := fs.helmRecord(ctx, p, p.Revision)
	if err != nil {
		return Leaf{}, err
	}
	if prevRec.Revision == 0 {
		return Leaf{}, fmt.Errorf("%w: %s: revision %d is the oldest kept", ErrNoSuchPath, p, p.Revision)
	}
	var cur, prev *k8s.HelmRelease
	var curErr, prevErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		prev, prevErr = fs.src.HelmRelease(ctx, prevRec)
	}()
	cur, curErr = fs.src.HelmRelease(ctx, rec)
	<-done
	for _, err := range []error{curErr, prevErr} {
		if err != nil {
			return Leaf{}, fmt.Errorf("%s: %w", p, err)
		}
	}
	reveal := fs.revealSecrets.Load()
	var b strings.Builder
	fmt.Fprintf(&b, "revision %d against revision %d\n", rec.Revision, prevRec.Revision)
	if cur.Info != nil {
		fmt.Fprintf(&b, "status: %s\ndescription: %s\n", cur.Info.Status, cur.Info.Description)
	}
	changed := false
	for _, leaf := range []string{LeafHelmValues, LeafHelmManifest} {
		a, _, err := HelmLeafText(prev, leaf, reveal)
		if err != nil {
			return Leaf{}, err
		}
		c, _, err := HelmLeafText(cur, leaf, reveal)
		if err != nil {
			return Leaf{}, err
		}
		name := func(n int64) string { return segRevisions + "/" + revisionDirName(n) + "/" + leaf }
		if diff := UnifiedDiff(name(prevRec.Revision), a, name(rec.Revision), c); diff != "" {
			b.WriteString(diff)
			changed = true
		}
	}
	if !changed {
		b.WriteString("Neither the values nor the manifest changed.\n")
	}
	return Leaf{Path: p, Text: b.String(), Format: FormatDiff, ModTime: rec.Modified}, nil
}
