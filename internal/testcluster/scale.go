package testcluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// Scale is the size of the scale scenario SeedScale creates.
type Scale struct {
	BigPods     int // pods in namespace BigNamespace
	Namespaces  int // more namespaces, "scale-000"...
	PodsEach    int // pods in each of them
	CRDs        int // CustomResourceDefinitions, group bench.kfsui.io
	ObjectsEach int // objects of each CRD, in namespace "crds"
	ConfigMaps  int // ConfigMaps in namespace "configs"
	// DeploymentsEach Deployments in each of the Namespaces, scaled to
	// zero: a cluster's worth of workloads to search (kfsui grep) without
	// more pods.
	DeploymentsEach int
	Workers         int // concurrent creates
}

// BigNamespace holds the scale scenario's one large collection.
const BigNamespace = "big"

// DefaultScale is the scenario of the scale benchmark: 30,000 pods, 200
// CRDs with 10 objects each, 5,000 ConfigMaps, 1,000 Deployments.
var DefaultScale = Scale{BigPods: 10000, Namespaces: 100, PodsEach: 200, CRDs: 200, ObjectsEach: 10, ConfigMaps: 5000, DeploymentsEach: 10, Workers: 48}

// ScaleNamespace names the i-th namespace of the scenario.
func ScaleNamespace(i int) string { return fmt.Sprintf("scale-%03d", i) }

// SeedScale fills c with s's objects, creating them concurrently through a
// client without rate limits. Pods are bound to the one node, so
// describing the node lists all of them; SeedScale returns once the node
// runs every one, so a benchmark starts on a cluster at rest.
func SeedScale(ctx context.Context, c *Cluster, s Scale) error {
	cfg := c.RESTConfig()
	cfg.QPS, cfg.Burst = 1e6, 1e6
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	nss := []string{BigNamespace, "crds", "configs"}
	for i := range s.Namespaces {
		nss = append(nss, ScaleNamespace(i))
	}
	var jobs []func(context.Context) error
	for _, ns := range nss {
		jobs = append(jobs, func(ctx context.Context) error {
			_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
			return err
		})
	}
	if err := runAll(ctx, s.Workers, jobs); err != nil {
		return fmt.Errorf("namespaces: %w", err)
	}

	jobs = jobs[:0]
	var (
		mu   sync.Mutex
		uids []types.UID
	)
	pod := func(ns string, i int) func(context.Context) error {
		return func(ctx context.Context) error {
			p, err := cs.CoreV1().Pods(ns).Create(ctx, scalePod(ns, i), metav1.CreateOptions{})
			if err != nil {
				return err
			}
			mu.Lock()
			uids = append(uids, p.UID)
			mu.Unlock()
			return nil
		}
	}
	for i := range s.BigPods {
		jobs = append(jobs, pod(BigNamespace, i))
	}
	for n := range s.Namespaces {
		for i := range s.PodsEach {
			jobs = append(jobs, pod(ScaleNamespace(n), i))
		}
	}
	for i := range s.ConfigMaps {
		jobs = append(jobs, func(ctx context.Context) error {
			_, err := cs.CoreV1().ConfigMaps("configs").Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("settings-%05d", i), Labels: map[string]string{"app": "web"}},
				Data:       map[string]string{"mode": "blue", "replicas": "3"},
			}, metav1.CreateOptions{})
			return err
		})
	}
	for n := range s.Namespaces {
		for i := range s.DeploymentsEach {
			jobs = append(jobs, func(ctx context.Context) error {
				_, err := cs.AppsV1().Deployments(ScaleNamespace(n)).Create(ctx, scaleDeployment(n, i), metav1.CreateOptions{})
				return err
			})
		}
	}
	if err := runAll(ctx, s.Workers, jobs); err != nil {
		return fmt.Errorf("pods, configmaps and deployments: %w", err)
	}
	if err := seedCRDs(ctx, dyn, s); err != nil {
		return err
	}
	for _, uid := range uids {
		if err := c.node.waitRunning(ctx, uid); err != nil {
			return fmt.Errorf("waiting for the node to run the pods: %w", err)
		}
	}
	return nil
}

func scalePod(ns string, i int) *corev1.Pod {
	name := fmt.Sprintf("web-%05d", i)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns,
			Labels:      map[string]string{"app": "web", "pod-template-hash": "7d9f8b6c5d", "tier": "frontend"},
			Annotations: map[string]string{"kubectl.kubernetes.io/default-container": "app"},
		},
		Spec: corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{
			Name: "app", Image: "registry.example/web:1.27",
			Ports: []corev1.ContainerPort{{ContainerPort: 8080, Name: "http"}},
			Env:   []corev1.EnvVar{{Name: "MODE", Value: "production"}},
			// As most production pods have them, so that the metrics
			// columns' shares of requests and limits have figures.
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			},
		}}},
	}
}

// ScaleNginx says which of the scale Deployments run nginx: every tenth,
// so a search for it finds a tenth of them.
func ScaleNginx(i int) bool { return i%10 == 3 }

// scaleDeployment is the i-th Deployment of the n-th scale namespace:
// scaled to zero, with a pod template as services have.
func scaleDeployment(n, i int) *appsv1.Deployment {
	name := fmt.Sprintf("svc-%02d", i)
	image := fmt.Sprintf("registry.example/svc-%d:1.%d", i, n%7)
	if ScaleNginx(i) {
		image = "nginx:1.27"
	}
	labels := map[string]string{"app": name, "team": fmt.Sprintf("team-%d", n%12)}
	zero := int32(0)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: map[string]string{"owner": "platform@example.com"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &zero,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: image,
					Ports: []corev1.ContainerPort{{ContainerPort: 8080, Name: "http"}},
					Env:   []corev1.EnvVar{{Name: "MODE", Value: "production"}, {Name: "REGION", Value: "eu-west-1"}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
					},
				}}},
			},
		},
	}
}

func seedCRDs(ctx context.Context, dyn dynamic.Interface, s Scale) error {
	const group = "bench.kfsui.io"
	var jobs []func(context.Context) error
	for i := range s.CRDs {
		plural, kind := fmt.Sprintf("things%03d", i), fmt.Sprintf("Thing%03d", i)
		jobs = append(jobs, func(ctx context.Context) error {
			crd := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
				"metadata": map[string]any{"name": plural + "." + group},
				"spec": map[string]any{
					"group": group, "scope": "Namespaced",
					"names": map[string]any{"plural": plural, "kind": kind, "listKind": kind + "List"},
					"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
						"schema": map[string]any{"openAPIV3Schema": map[string]any{
							"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
				},
			}}
			crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
			if _, err := dyn.Resource(crds).Create(ctx, crd, metav1.CreateOptions{}); err != nil {
				return err
			}
			// Objects can be created once the CRD is established.
			gvr := schema.GroupVersionResource{Group: group, Version: "v1", Resource: plural}
			return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
				for j := range s.ObjectsEach {
					obj := &unstructured.Unstructured{Object: map[string]any{
						"apiVersion": group + "/v1", "kind": kind,
						"metadata": map[string]any{"name": fmt.Sprintf("item-%02d", j)},
						"spec":     map[string]any{"size": j},
					}}
					if _, err := dyn.Resource(gvr).Namespace("crds").Create(ctx, obj, metav1.CreateOptions{}); err != nil {
						if j == 0 && apierrors.IsNotFound(err) {
							return false, nil // not served yet
						}
						return false, err
					}
				}
				return true, nil
			})
		})
	}
	if err := runAll(ctx, min(s.Workers, 16), jobs); err != nil {
		return fmt.Errorf("CRDs: %w", err)
	}
	return nil
}

// runAll runs jobs on n workers and returns the first error.
func runAll(ctx context.Context, n int, jobs []func(context.Context) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(n, 1))
	for _, job := range jobs {
		g.Go(func() error { return job(ctx) })
	}
	return g.Wait()
}
