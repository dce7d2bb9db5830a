package k8s

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var _ PodWatcher = (*Conn)(nil)

// ContainerState asks the API server whether pod ns/name still exists and
// whether its container will write more: it will not once the pod has
// Succeeded or Failed, once an init container has completed, or once a
// container of a pod that never restarts has terminated. Safe from any
// goroutine; it blocks for the request.
func (c *Conn) ContainerState(ctx context.Context, ns, name, container string) (ContainerState, error) {
	pod, err := c.core.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return ContainerState{}, nil
	case err != nil:
		return ContainerState{Exists: true}, err
	}
	st := ContainerState{Exists: true}
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed:
		st.Finished, st.Reason = true, "pod "+string(pod.Status.Phase)
		return st, nil
	}
	for _, cs := range pod.Status.InitContainerStatuses {
		if t := cs.State.Terminated; cs.Name == container && t != nil && t.ExitCode == 0 {
			st.Finished, st.Reason = true, "init container completed"
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if t := cs.State.Terminated; cs.Name == container && t != nil && pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
			st.Finished, st.Reason = true, fmt.Sprintf("container terminated (exit %d)", t.ExitCode)
		}
	}
	return st, nil
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
	// The listing must keep running while the follower needs it, even if
	// no directory shows it.
	release := c.lists.Hold(pods, ns)
	go func() {
		defer unsub()
		defer release()
		for {
			select {
			case <-ctx.Done():
				return
			case <-check:
			}
			// A lookup, not a sorted copy of every name: this runs on
			// each change to the namespace's pods.
			if present, known := c.lists.has(pods, ns, name); known && !present {
				close(gone)
				return
			}
		}
	}()
	return gone
}
