package testcluster

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Node agent tuning. A real kubelet renews its Lease every 10 s, and the
// node lifecycle controller marks a node unreachable (and later evicts
// its pods) when the Lease goes stale for 50 s.
const (
	leaseDuration = 40 * time.Second
	leaseRenew    = 10 * time.Second
	// agentWorkers start pods concurrently, so a bench cluster's tens of
	// thousands of pods bound to the node all run within a minute.
	agentWorkers = 8
)

// NotRunAnnotation, set to "true" on a pod bound to the node, makes the
// node leave the pod alone: it stays Pending with no container statuses
// and the kubelet knows none of its containers, like a pod whose kubelet
// has not got to it yet. For tests of what kfsui shows then.
const NotRunAnnotation = "testcluster.kfsui.io/not-run"

// nodeAgent is the half of the fake kubelet that talks to the apiserver:
// it renews the node's Lease so the node stays Ready, and runs every pod
// bound to the node as a kubelet would (minus the containers). A pod the
// scheduler or a test binds to the node gets its containers registered
// with the Kubelet (empty logs) and the status of a started pod: Running,
// Ready, every container running, init containers completed. A pod being
// deleted gracefully is finished off (deleted with grace period 0) and its
// containers' log streams end, as they do when a kubelet kills a pod.
// Statuses a test posts later are left alone.
type nodeAgent struct {
	cs      kubernetes.Interface
	kubelet *Kubelet
	podIP   func() string
	pods    cache.SharedIndexInformer
	queue   workqueue.TypedRateLimitingInterface[string]
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu      sync.Mutex
	running map[types.UID]chan struct{} // closed once the pod runs or is gone
	uids    map[string]types.UID        // namespace/name → uid, of pods seen
}

// startNodeAgent starts the agent for c's node and waits until it has seen
// every pod bound to it. Its own clientset is not rate limited, so a bench
// cluster's pods start quickly.
func startNodeAgent(ctx context.Context, c *Cluster) (*nodeAgent, error) {
	cfg := c.RESTConfig()
	cfg.QPS, cfg.Burst = 1e4, 1e4
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("node agent: %w", err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", nodeName).String()
	}))
	runCtx, cancel := context.WithCancel(context.Background())
	a := &nodeAgent{
		cs:      cs,
		kubelet: c.kubelet,
		podIP:   c.nextPodIP,
		pods:    factory.Core().V1().Pods().Informer(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "fake-kubelet"}),
		cancel:  cancel,
		running: map[types.UID]chan struct{}{},
		uids:    map[string]types.UID{},
	}
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			a.queue.Add(key)
		}
	}
	if _, err := a.pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: enqueue,
	}); err != nil {
		cancel()
		return nil, fmt.Errorf("node agent: %w", err)
	}
	a.wg.Go(func() { a.pods.Run(runCtx.Done()) })
	a.wg.Go(func() { a.heartbeat(runCtx) })
	if !cache.WaitForCacheSync(ctx.Done(), a.pods.HasSynced) {
		a.stop()
		return nil, fmt.Errorf("node agent: listing the node's pods: %w", ctx.Err())
	}
	for range agentWorkers {
		a.wg.Go(func() {
			for a.work(runCtx) {
			}
		})
	}
	return a, nil
}

// stop ends the agent's goroutines and waits for them. Safe on a nil agent
// and more than once.
func (a *nodeAgent) stop() {
	if a == nil {
		return
	}
	a.cancel()
	a.queue.ShutDown()
	a.wg.Wait()
}

// work handles one queued pod; it returns false once the queue is shut down.
func (a *nodeAgent) work(ctx context.Context) bool {
	key, quit := a.queue.Get()
	if quit {
		return false
	}
	defer a.queue.Done(key)
	if err := a.sync(ctx, key); err != nil && ctx.Err() == nil {
		a.queue.AddRateLimited(key)
		return true
	}
	a.queue.Forget(key)
	return true
}

// sync brings one pod of the node to what a kubelet would make of it.
func (a *nodeAgent) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	obj, exists, err := a.pods.GetStore().GetByKey(key)
	if err != nil {
		return err
	}
	if !exists {
		a.kubelet.forgetPod(ns, name)
		a.forget(key)
		return nil
	}
	pod := obj.(*corev1.Pod)
	a.mu.Lock()
	old, seen := a.uids[key]
	a.uids[key] = pod.UID
	a.mu.Unlock()
	if seen && old != pod.UID {
		// Deleted and created anew between two syncs: the new pod's
		// containers start with empty logs.
		a.kubelet.forgetPod(ns, name)
	}
	if pod.Annotations[NotRunAnnotation] == "true" {
		return nil
	}
	switch {
	case pod.DeletionTimestamp != nil:
		a.kubelet.forgetPod(ns, name)
		err := a.cs.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{
			GracePeriodSeconds: new(int64(0)),
			Preconditions:      &metav1.Preconditions{UID: &pod.UID},
		})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil // gone already, or a new pod of the same name
		}
		return err
	case started(pod):
		a.markRunning(pod.UID)
		return nil
	}
	running := pod.DeepCopy()
	a.kubelet.registerPod(ns, name, names(pod.Spec.Containers), names(pod.Spec.InitContainers))
	running.Status = startedStatus(pod, a.podIP(), metav1.Now())
	if _, err := a.cs.CoreV1().Pods(ns).UpdateStatus(ctx, running, metav1.UpdateOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	a.markRunning(pod.UID)
	return nil
}

// started reports whether the pod has been run already (by the agent, or
// by a test posting a status of its own) or has finished.
func started(pod *corev1.Pod) bool {
	s := pod.Status
	return len(s.ContainerStatuses) > 0 || s.Phase == corev1.PodSucceeded || s.Phase == corev1.PodFailed
}

func names(cs []corev1.Container) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// startedStatus is the status a kubelet posts once a pod's containers
// started: every container running and ready with no restarts, every init
// container terminated with exit code 0.
func startedStatus(pod *corev1.Pod, podIP string, now metav1.Time) corev1.PodStatus {
	s := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP:     podIP,
		PodIPs:    []corev1.PodIP{{IP: podIP}},
		StartTime: &now,
		// The apiserver sets the class from the requests and limits at
		// creation, and refuses a status that changes it.
		QOSClass: cmp.Or(pod.Status.QOSClass, corev1.PodQOSBestEffort),
	}
	for _, t := range []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady, corev1.PodScheduled} {
		s.Conditions = append(s.Conditions, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	for _, c := range pod.Spec.InitContainers {
		s.InitContainerStatuses = append(s.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: newContainerID(), Ready: true, Started: new(false),
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now,
			}},
		})
	}
	for _, c := range pod.Spec.Containers {
		s.ContainerStatuses = append(s.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), ContainerID: newContainerID(), Ready: true, Started: new(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return s
}

// imageID is the digest a fake container reports for its image: the same
// made-up digest for every image, as nothing is pulled.
func imageID(image string) string {
	return image + "@sha256:0000000000000000000000000000000000000000000000000000000000000000"
}

// markRunning records that the pod with uid runs, waking waitRunning.
func (a *nodeAgent) markRunning(uid types.UID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ch, ok := a.running[uid]
	if !ok {
		ch = make(chan struct{})
		a.running[uid] = ch
	}
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// forget drops what the agent keeps about the pod at key once it is gone,
// waking anyone still waiting for it to run.
func (a *nodeAgent) forget(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	uid, ok := a.uids[key]
	if !ok {
		return
	}
	delete(a.uids, key)
	if ch, ok := a.running[uid]; ok {
		select {
		case <-ch:
		default:
			close(ch)
		}
		delete(a.running, uid)
	}
}

// waitRunning waits until the agent has run the pod with uid (or seen it
// go), or ctx ends.
func (a *nodeAgent) waitRunning(ctx context.Context, uid types.UID) error {
	a.mu.Lock()
	ch, ok := a.running[uid]
	if !ok {
		ch = make(chan struct{})
		a.running[uid] = ch
	}
	a.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// heartbeat keeps the node's Lease fresh until ctx ends, as the kubelet
// does, so the node lifecycle controller keeps the node Ready and never
// evicts its pods. Failures (an apiserver outage) are retried at the next
// tick.
func (a *nodeAgent) heartbeat(ctx context.Context) {
	tick := time.NewTicker(leaseRenew)
	defer tick.Stop()
	for {
		_ = a.renewLease(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// renewLease creates or renews kube-node-lease/<node>.
func (a *nodeAgent) renewLease(ctx context.Context) error {
	leases := a.cs.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, nodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: nodeName, Namespace: corev1.NamespaceNodeLease},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity:       new(nodeName),
				LeaseDurationSeconds: new(int32(leaseDuration / time.Second)),
				RenewTime:            &now,
			},
		}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	lease.Spec.RenewTime = &now
	_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	return err
}
