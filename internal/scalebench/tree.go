package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// treeReplicas is the size of the Deployment whose tree.txt is timed: a
// service of a good size, among the big namespace's other pods.
const treeReplicas = 20

// treeFigures are tree.txt's timings, each from a fresh connection with
// no listing running, and the requests one of them made.
type treeFigures struct {
	times    []time.Duration // sorted
	requests int64
	lines    int
}

// measureTree rolls out Deployment "shop" in the big namespace, then reads
// its tree.txt through a fresh connection runs times, as `kfsui cat`
// would, counting the API requests of the read (not of connecting).
func measureTree(ctx context.Context, c *testcluster.Cluster, runs int) (treeFigures, error) {
	var f treeFigures
	if err := rollOut(ctx, c); err != nil {
		return f, err
	}
	p := model.MustParse("/namespaces/" + testcluster.BigNamespace + "/deployments/shop/tree.txt")
	for range runs {
		var n atomic.Int64
		count := func(rt http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				n.Add(1)
				return rt.RoundTrip(r)
			})
		}
		conn, err := k8s.ConnectConfig(ctx, c.RESTConfig(), k8s.Info{Context: "bench"}, k8s.Options{WrapTransport: count})
		if err != nil {
			return f, err
		}
		fs := model.NewFS(conn, model.Options{})
		n.Store(0)
		start := time.Now()
		leaf, err := fs.Read(ctx, p)
		elapsed := time.Since(start)
		conn.Close()
		if err != nil {
			return f, fmt.Errorf("tree.txt: %w", err)
		}
		if got := strings.Count(leaf.Text, "Pod/shop-"); got != treeReplicas {
			return f, fmt.Errorf("tree.txt shows %d of shop's %d pods:\n%s", got, treeReplicas, leaf.Text)
		}
		f.times = append(f.times, elapsed)
		f.requests = n.Load()
		f.lines = strings.Count(leaf.Text, "\n")
		time.Sleep(200 * time.Millisecond)
	}
	slices.Sort(f.times)
	return f, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rollOut creates Deployment shop and waits until the controllers and the
// fake node have all its replicas running.
func rollOut(ctx context.Context, c *testcluster.Cluster) error {
	labels := map[string]string{"app": "shop"}
	deps := c.Clientset().AppsV1().Deployments(testcluster.BigNamespace)
	_, err := deps.Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(treeReplicas)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "shop", Image: "registry.example/shop:2.1"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("creating Deployment shop: %w", err)
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		d, err := deps.Get(ctx, "shop", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return d.Status.AvailableReplicas == treeReplicas && d.Status.UpdatedReplicas == treeReplicas, nil
	})
}
