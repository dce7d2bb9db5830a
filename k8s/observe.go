package k8s

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
)

// observedMetadata is a metadata client that calls ok after every list or
// watch that succeeds. An informer's reflector reports its failures (the
// watch error handler) but not its recoveries; this is how a listing learns
// that its last error no longer holds.
type observedMetadata struct {
	metadata.Interface
	ok func()
}

// Resource implements metadata.Interface.
func (o observedMetadata) Resource(gvr schema.GroupVersionResource) metadata.Getter {
	return observedResource{Getter: o.Interface.Resource(gvr), ok: o.ok}
}

type observedResource struct {
	metadata.Getter
	ok func()
}

// Namespace implements metadata.Getter; informers always go through it,
// with "" for cluster-wide listings.
func (r observedResource) Namespace(ns string) metadata.ResourceInterface {
	return observedNamespace{ResourceInterface: r.Getter.Namespace(ns), ok: r.ok}
}

type observedNamespace struct {
	metadata.ResourceInterface
	ok func()
}

// List implements metadata.ResourceInterface.
func (n observedNamespace) List(ctx context.Context, opts metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) {
	list, err := n.ResourceInterface.List(ctx, opts)
	if err == nil {
		n.ok()
	}
	return list, err
}

// Watch implements metadata.ResourceInterface.
func (n observedNamespace) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	w, err := n.ResourceInterface.Watch(ctx, opts)
	if err == nil {
		n.ok()
	}
	return w, err
}
