package k8s

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubectl/pkg/polymorphichelpers"
)

// Rollout history: the revisions `kubectl rollout history` lists, read
// through kubectl's own history viewers.

// HasHistory reports whether t keeps rollout revisions that `kubectl
// rollout history` shows: apps' Deployments, StatefulSets and DaemonSets.
func (t Type) HasHistory() bool {
	switch t.GVR.Resource {
	case "deployments", "statefulsets", "daemonsets":
		return t.GVR.Group == "apps"
	}
	return false
}

// History returns the revisions of a Deployment, StatefulSet or
// DaemonSet as `kubectl rollout history` reads them, through kubectl's
// own history viewers: for a Deployment each ReplicaSet it controls, for
// the others the object as of each ControllerRevision. Safe from any
// goroutine.
func (c *Conn) History(ctx context.Context, t Type, ns, name string) (map[int64]runtime.Object, error) {
	return withHistoryViewer(ctx, c, t, func(v polymorphichelpers.HistoryViewer) (map[int64]runtime.Object, error) {
		return v.GetHistory(ns, name)
	})
}

// ChangeCauses returns the CHANGE-CAUSE of each revision of a workload as
// `kubectl rollout history` prints them ("<none>" where there is none),
// from kubectl's own history table. Safe from any goroutine.
func (c *Conn) ChangeCauses(ctx context.Context, t Type, ns, name string) (map[int64]string, error) {
	table, err := withHistoryViewer(ctx, c, t, func(v polymorphichelpers.HistoryViewer) (string, error) {
		return v.ViewHistory(ns, name, 0)
	})
	if err != nil {
		return nil, err
	}
	return parseHistoryTable(table), nil
}

// withHistoryViewer runs read with kubectl's history viewer for t. The
// viewers take no context: it stops waiting when ctx ends, and leaves the
// requests to end by the one-shot client's timeout.
func withHistoryViewer[T any](ctx context.Context, c *Conn, t Type, read func(polymorphichelpers.HistoryViewer) (T, error)) (T, error) {
	var zero T
	if !t.HasHistory() {
		return zero, fmt.Errorf("%s keep no rollout history", t.Name)
	}
	viewer, err := polymorphichelpers.HistoryViewerFor(schema.GroupKind{Group: t.GVR.Group, Kind: t.Kind}, c.core)
	if err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := read(viewer)
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// parseHistoryTable reads kubectl's "REVISION  CHANGE-CAUSE" table: the
// revision, then the cause, whose own spaces stay.
func parseHistoryTable(table string) map[int64]string {
	out := map[int64]string{}
	for line := range strings.SplitSeq(table, "\n") {
		num, cause, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			continue
		}
		out[n] = strings.TrimSpace(cause)
	}
	return out
}
