package k8s

import (
	"context"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
)

// Get fetches one object with a GET, never from a cache, at the type's
// resolved version. ns is ignored for cluster-scoped types.
//
// Safe from any goroutine; it blocks for the request.
func (c *Conn) Get(ctx context.Context, t Type, ns, name string) (*unstructured.Unstructured, error) {
	ri := c.dynamic.Resource(t.GVR)
	if t.Namespaced {
		return ri.Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	}
	return ri.Get(ctx, name, metav1.GetOptions{})
}

// EventsFor lists the core/v1 events about obj: those whose involvedObject
// matches its name, namespace, kind and uid, as kubectl describe selects
// them. Events about a cluster-scoped object are looked for in every
// namespace. The selector's values are escaped by fields.EscapeValue.
//
// Nodes are kubectl's one exception, kept here: the kubelet records a
// node's events with the node's name as uid, so those are looked for too.
//
// Safe from any goroutine; it blocks for the requests.
func (c *Conn) EventsFor(ctx context.Context, obj *unstructured.Unstructured, kind string) ([]corev1.Event, error) {
	events, err := c.eventsWithUID(ctx, obj, kind, string(obj.GetUID()))
	if err != nil || kind != "Node" || obj.GetAPIVersion() != "v1" {
		return events, err
	}
	byName, err := c.eventsWithUID(ctx, obj, kind, obj.GetName())
	return append(events, byName...), err
}

func (c *Conn) eventsWithUID(ctx context.Context, obj *unstructured.Unstructured, kind, uid string) ([]corev1.Event, error) {
	sel := fields.SelectorFromSet(fields.Set{
		"involvedObject.name":      obj.GetName(),
		"involvedObject.namespace": obj.GetNamespace(),
		"involvedObject.kind":      kind,
		"involvedObject.uid":       uid,
	}).String()
	var out []corev1.Event
	opts := metav1.ListOptions{FieldSelector: sel, Limit: 500}
	for {
		list, err := c.core.CoreV1().Events(obj.GetNamespace()).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, list.Items...)
		if list.Continue == "" {
			return out, nil
		}
		if err := sameContinue(opts.Continue, list.Continue); err != nil {
			return nil, err
		}
		opts.Continue = list.Continue
	}
}

// LogOptions choose what part of a container's log to read.
type LogOptions struct {
	Container    string
	TailLines    int64 // 0 means the whole log (unless NoHistory)
	NoHistory    bool  // tailLines=0: no lines written before the request
	SinceSeconds int64 // 0 means no bound
	SinceTime    time.Time
	Follow       bool
	Previous     bool
	Timestamps   bool
}

// Logs opens a container's log through the API server. The caller reads and
// closes the stream; with Follow it stays open until ctx ends or the
// container stops.
//
// Safe from any goroutine; it blocks until the server answers.
func (c *Conn) Logs(ctx context.Context, ns, pod string, o LogOptions) (io.ReadCloser, error) {
	opts := &corev1.PodLogOptions{
		Container:  o.Container,
		Follow:     o.Follow,
		Previous:   o.Previous,
		Timestamps: o.Timestamps,
	}
	switch {
	case o.NoHistory:
		opts.TailLines = new(int64(0))
	case o.TailLines > 0:
		opts.TailLines = &o.TailLines
	}
	if o.SinceSeconds > 0 {
		opts.SinceSeconds = &o.SinceSeconds
	}
	if !o.SinceTime.IsZero() {
		t := metav1.NewTime(o.SinceTime)
		opts.SinceTime = &t
	}
	return c.streams.CoreV1().Pods(ns).GetLogs(pod, opts).Stream(ctx)
}

// ListPages lists the full objects of type t in namespace ns ("" for
// every namespace, or for a cluster-scoped type), pageSize at a time,
// calling fn with each page before asking for the next, so memory holds
// one page whatever the count. fn's objects are its own to keep. A
// continue token that expired fails the list (410 Gone), as kubectl's
// does.
//
// Safe from any goroutine; it blocks for the requests.
func (c *Conn) ListPages(ctx context.Context, t Type, ns string, pageSize int64, fn func([]unstructured.Unstructured) error) error {
	ri := c.dynamic.Resource(t.GVR)
	var lister interface {
		List(context.Context, metav1.ListOptions) (*unstructured.UnstructuredList, error)
	} = ri
	if t.Namespaced && ns != "" {
		lister = ri.Namespace(ns)
	}
	opts := metav1.ListOptions{Limit: pageSize}
	for {
		list, err := lister.List(ctx, opts)
		if err != nil {
			return err
		}
		if err := fn(list.Items); err != nil {
			return err
		}
		if list.GetContinue() == "" {
			return nil
		}
		if err := sameContinue(opts.Continue, list.GetContinue()); err != nil {
			return err
		}
		opts.Continue = list.GetContinue()
	}
}
