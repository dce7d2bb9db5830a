package k8s

import (
	"context"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var _ PodWatcher = (*Conn)(nil)

// PodExists asks the API server whether pod ns/name exists. Safe from any
// goroutine; it blocks for the request.
func (c *Conn) PodExists(ctx context.Context, ns, name string) (bool, error) {
	_, err := c.core.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	}
	return false, err
}

// PodGone returns a channel closed once pod ns/name has left the pods
// listing of its namespace: the same informer the tree uses, so following a
// log costs no extra watch. If pods cannot be listed the channel never
// closes, and followers learn of a deletion when their stream ends.
//
// Safe from any goroutine; the subscription ends with ctx.
func (c *Conn) PodGone(ctx context.Context, ns, name string) <-chan struct{} {
	gone := make(chan struct{})
	pods, ok := c.Catalog().Lookup("pods")
	if !ok || !pods.IsCore("pods") {
		return gone
	}
	key := ListKey{GVR: pods.GVR, Namespace: ns}
	check := make(chan struct{}, 1)
	unsub := c.lists.Subscribe(func(k ListKey) {
		if k == key {
			select {
			case check <- struct{}{}:
			default:
			}
		}
	})
	check <- struct{}{}
	go func() {
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case <-check:
			}
			l := c.lists.Names(pods, ns)
			if !l.Synced || l.Err != nil {
				continue
			}
			if i := sort.SearchStrings(l.Names, name); i >= len(l.Names) || l.Names[i] != name {
				close(gone)
				return
			}
		}
	}()
	return gone
}
