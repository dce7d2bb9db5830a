package k8s

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Meta is what an object's metadata says about its place among others:
// who it is and who owns it.
type Meta struct {
	Namespace string // "" for a cluster-scoped object
	Name      string
	UID       types.UID
	Owners    []metav1.OwnerReference
	Created   time.Time
}

// metaPageSize is the page size of ListMeta: pages of a few hundred
// kilobytes, so a namespace of 10,000 pods takes a handful of round trips
// and no answer has to be held whole.
const metaPageSize = 2000

// ListMeta lists the metadata of the objects of t in ns ("" for a
// cluster-scoped type) that match the label selector (all for ""), in
// pages, through the metadata API (protobuf): identities and owner
// references, not the objects. Safe from any goroutine.
func (c *Conn) ListMeta(ctx context.Context, t Type, ns, selector string) ([]Meta, error) {
	if !t.Namespaced {
		ns = ""
	}
	res := c.relations.Resource(t.GVR).Namespace(ns)
	var out []Meta
	opts := metav1.ListOptions{Limit: metaPageSize, LabelSelector: selector}
	for {
		list, err := res.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make([]Meta, 0, len(list.Items))
		}
		for i := range list.Items {
			out = append(out, metaOf(&list.Items[i].ObjectMeta))
		}
		if list.Continue == "" {
			switch {
			case len(out) > 0:
				c.lists.noteOccupancy(t, ns, OccupancyNonEmpty)
			case selector == "":
				c.lists.noteOccupancy(t, ns, OccupancyEmpty)
			}
			return out, nil
		}
		if err := sameContinue(opts.Continue, list.Continue); err != nil {
			return nil, err
		}
		opts.Continue = list.Continue
	}
}

// GetMeta reads one object's metadata. Safe from any goroutine.
func (c *Conn) GetMeta(ctx context.Context, t Type, ns, name string) (Meta, error) {
	if !t.Namespaced {
		ns = ""
	}
	obj, err := c.relations.Resource(t.GVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return Meta{}, err
	}
	return metaOf(&obj.ObjectMeta), nil
}

func metaOf(m *metav1.ObjectMeta) Meta {
	return Meta{Namespace: m.Namespace, Name: m.Name, UID: m.UID, Owners: m.OwnerReferences, Created: m.CreationTimestamp.Time}
}

// GetRow reads one object as the row `kubectl get` prints for it, with
// the table's columns. Safe from any goroutine.
func (c *Conn) GetRow(ctx context.Context, t Type, ns, name string) ([]Column, Row, error) {
	if !t.Namespaced {
		ns = ""
	}
	list, err := c.lists.pages.get(ctx, t.GVR, ns, name)
	if err != nil {
		return nil, Row{}, err
	}
	if len(list.Items) != 1 {
		return nil, Row{}, fmt.Errorf("the server sent %d rows for %s %q", len(list.Items), t.Name, name)
	}
	return list.Columns, Row{Name: list.Items[0].Name, Namespace: list.Items[0].Namespace, Cells: list.Items[0].cells}, nil
}

// TypeOfKind returns the type of the objects an owner reference names:
// its apiVersion's group and its kind. Any version of the group will do,
// as the tree reads every type at one version. Safe from any goroutine.
func (c *Catalog) TypeOfKind(apiVersion, kind string) (Type, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return Type{}, err
	}
	for _, list := range [][]Type{c.namespaced, c.cluster} {
		for _, t := range list {
			if t.Kind == kind && t.GVR.Group == gv.Group {
				return t, nil
			}
		}
	}
	return Type{}, errNoKind
}

var errNoKind = errors.New("the server serves no such kind")

// HasWorkloadLogs reports whether t's objects run pods whose logs kfsui
// lists under them: apps' Deployments, ReplicaSets, StatefulSets and
// DaemonSets, and batch Jobs.
func (t Type) HasWorkloadLogs() bool {
	switch t.GVR.Group + "/" + t.GVR.Resource {
	case "apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets", "batch/jobs":
		return true
	}
	return false
}
