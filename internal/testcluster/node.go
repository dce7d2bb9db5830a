package testcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// nodeName is the one Node, whose kubelet is the fake one.
const nodeName = "kfsui-node"

// demoImage is the image every CreatePod container claims to run.
const demoImage = "busybox"

// Kubelet returns the cluster's fake kubelet, through which tests script
// container logs. Safe from any goroutine.
func (c *Cluster) Kubelet() *Kubelet {
	return c.kubelet
}

// NodeName returns the name of the cluster's only Node, "kfsui-node",
// whose kubelet is Kubelet. A pod must have it as spec.nodeName for the
// apiserver to send its log requests to the fake kubelet. Safe from any
// goroutine.
func (c *Cluster) NodeName() string {
	return nodeName
}

// registerNode creates the Node and posts the status a healthy kubelet
// would, pointing the apiserver at the fake kubelet: InternalIP 127.0.0.1
// (the address type the apiserver is told to prefer) and the kubelet's
// port as the daemon endpoint.
func (c *Cluster) registerNode(ctx context.Context) error {
	nodes := c.clientset.CoreV1().Nodes()
	node, err := nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name: nodeName,
		Labels: map[string]string{
			"kubernetes.io/hostname": nodeName,
			"kubernetes.io/os":       "linux",
			"kubernetes.io/arch":     runtime.GOARCH,
		},
	}}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating Node %s: %w", nodeName, err)
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("8Gi"),
		// Far above a kubelet's default 110: the scale scenario binds
		// tens of thousands of pods to this one node, and the
		// scheduler must still find room for a test's pods.
		corev1.ResourcePods: resource.MustParse("100000"),
	}
	condition := func(t corev1.NodeConditionType, status corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: status, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	node.Status = corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Phase:       corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			condition(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			condition(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			condition(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			condition(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
			{Type: corev1.NodeHostName, Address: nodeName},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{
			KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(c.kubelet.Port())},
		},
		NodeInfo: corev1.NodeSystemInfo{
			KernelVersion:           "6.1.0-kfsui",
			OSImage:                 "kfsui fake node",
			ContainerRuntimeVersion: "fake://" + Version,
			KubeletVersion:          Version,
			OperatingSystem:         "linux",
			Architecture:            runtime.GOARCH,
		},
	}
	status := node.Status
	// The node lifecycle controller updates the Node too (and may
	// between our Get and Update): retry on conflicts with a fresh copy.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := nodes.Get(ctx, nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		node.Status = status
		_, err = nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("setting status of Node %s: %w", nodeName, err)
	}
	// The TaintNodesByCondition admission plugin marks every new Node
	// not-ready. The node lifecycle controller lifts that taint once the
	// node reports Ready, but only at its next pass; lifting it here
	// lets the scheduler place pods at once.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := nodes.Get(ctx, nodeName, metav1.GetOptions{})
		if err != nil || len(node.Spec.Taints) == 0 {
			return err
		}
		node.Spec.Taints = nil
		_, err = nodes.Update(ctx, node, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("untainting Node %s: %w", nodeName, err)
	}
	return nil
}

// CreatePod creates a pod in ns bound to the fake node, with the given
// containers and init containers (image "busybox"), and waits until the
// node runs it: every container registered with the fake kubelet with an
// empty log, and the status a kubelet posts once a pod is up (phase
// Running, Ready, every container running and ready with no restarts,
// every init container terminated with exit code 0). It returns the pod as
// stored then. The apiserver's errors come back as they are, so
// apierrors.IsAlreadyExists works on them. Safe from any goroutine.
func (c *Cluster) CreatePod(ctx context.Context, ns, name string, containers, initContainers []string) (*corev1.Pod, error) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.PodSpec{NodeName: nodeName},
	}
	for _, n := range initContainers {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{Name: n, Image: demoImage})
	}
	for _, n := range containers {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: n, Image: demoImage})
	}
	pods := c.clientset.CoreV1().Pods(ns)
	created, err := pods.Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		return nil, err
	}
	return c.WaitRunning(ctx, created)
}

// WaitRunning waits until the fake node runs pod (which must be bound to
// it, by the scheduler or by its spec) and returns the pod as stored then.
// Safe from any goroutine.
func (c *Cluster) WaitRunning(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, error) {
	if err := c.node.waitRunning(ctx, pod.UID); err != nil {
		return nil, fmt.Errorf("waiting for Pod %s/%s to run: %w", pod.Namespace, pod.Name, err)
	}
	return c.clientset.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
}

// RestartContainer restarts a container the way a crash and a kubelet
// restart would look: the fake kubelet's current log of it becomes the
// previous one (see Kubelet.Restart), and the pod's status shows the
// restart (restartCount up by one, lastState terminated with exit code 1,
// running again since now). Safe from any goroutine.
func (c *Cluster) RestartContainer(ctx context.Context, ns, pod, container string) error {
	c.kubelet.Restart(ns, pod, container)
	return c.markRestarted(ctx, ns, pod, container)
}

// markRestarted posts the status of a container that exited with an error
// and was started again, retrying when the pod changed under it.
func (c *Cluster) markRestarted(ctx context.Context, ns, pod, container string) error {
	pods := c.clientset.CoreV1().Pods(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := pods.Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return err
		}
		var status *corev1.ContainerStatus
		for i := range p.Status.ContainerStatuses {
			if p.Status.ContainerStatuses[i].Name == container {
				status = &p.Status.ContainerStatuses[i]
			}
		}
		if status == nil {
			return fmt.Errorf("pod has no status for container %q", container)
		}
		now := metav1.Now()
		startedAt := now
		if status.State.Running != nil {
			startedAt = status.State.Running.StartedAt
		}
		status.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 1, Reason: "Error", StartedAt: startedAt, FinishedAt: now, ContainerID: status.ContainerID,
		}}
		status.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
		status.ContainerID = newContainerID()
		status.RestartCount++
		_, err = pods.UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("marking container %q of Pod %s/%s restarted: %w", container, ns, pod, err)
	}
	return nil
}

// nextPodIP hands out pod IPs from 10.244.0.0/16, as a node's pod CIDR
// would; nothing routes to them.
func (c *Cluster) nextPodIP() string {
	n := c.podIPs.Add(1)
	return fmt.Sprintf("10.244.%d.%d", n/250, n%250+2)
}

// newContainerID returns a containerd-style ID, unique like a real one so
// that views keyed on it see a restart as a new container.
func newContainerID() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on Linux
	return "containerd://" + hex.EncodeToString(b[:])
}
