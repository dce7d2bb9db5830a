// Package e2e drives kfsui end to end against a real kube-apiserver started
// by internal/testcluster: the app on a tcell simulation screen, the
// headless commands in-process, and the built binary in tmux.
package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kfsui/kfsui/internal/testcluster"
)

func TestMain(m *testing.M) {
	// The binary and the command line read the user's config directory:
	// an empty one keeps a developer's own files out of the tests (tmux
	// passes the environment on to the binary it runs).
	dir, err := os.MkdirTemp("", "kfsui-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	if workDir, err = os.MkdirTemp("", "kfsui-e2e-"); err != nil {
		panic(err)
	}
	code := testcluster.RunMain(m)
	os.RemoveAll(dir)
	os.RemoveAll(workDir)
	os.Exit(code)
}

// workDir holds what the tests share across tests, such as the built
// binary; TestMain removes it.
var workDir string

var nsCounter atomic.Int32

// newNamespace creates a namespace of its own for one test, and returns
// once the controllers have settled it (see waitNamespaceSettled).
func newNamespace(t testing.TB, prefix string) string {
	t.Helper()
	c := testcluster.Shared(t)
	name := fmt.Sprintf("e2e-%s-%d", prefix, nsCounter.Add(1))
	_, err := c.Clientset().CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	waitNamespaceSettled(t, c, name)
	return name
}

// waitNamespaceSettled waits until cluster c's controllers have given
// namespace ns what they give every namespace: the kube-root-ca.crt
// ConfigMap and the default ServiceAccount. They come a moment after the
// namespace, so a listing taken before then would hold them or not by
// chance; after it, every listing of ns holds them, as on a real cluster.
func waitNamespaceSettled(t testing.TB, c *testcluster.Cluster, ns string) {
	t.Helper()
	cs, ctx := c.Clientset().CoreV1(), ctx(t)
	settled := func() bool {
		_, errCM := cs.ConfigMaps(ns).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		_, errSA := cs.ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return errCM == nil && errSA == nil
	}
	eventually(t, "namespace "+ns+"'s kube-root-ca.crt ConfigMap and default ServiceAccount", 30*time.Second, settled, noDetail)
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// createCRD creates a namespaced CRD served at v1 and waits until it is
// established; the CRD is deleted when the test ends.
func createCRD(t *testing.T, group, plural, kind string) {
	t.Helper()
	c := testcluster.Shared(t)
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	name := plural + "." + group
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": name},
		"spec": map[string]any{
			"group": group,
			"scope": "Namespaced",
			"names": map[string]any{"plural": plural, "singular": strings.ToLower(kind), "kind": kind},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
	if _, err := dyn.Resource(crdGVR).Create(ctx(t), crd, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create CRD %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = dyn.Resource(crdGVR).Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	established := func() bool {
		got, err := dyn.Resource(crdGVR).Get(ctx(t), name, metav1.GetOptions{})
		if err != nil {
			return false
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, cnd := range conds {
			m, _ := cnd.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true
			}
		}
		return false
	}
	eventually(t, "CRD "+name+" to be established", 30*time.Second, established, noDetail)
}

// eventually polls cond until it holds, and fails with what and detail()
// when it does not within timeout.
func eventually(t testing.TB, what string, timeout time.Duration, cond func() bool, detail func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s\n%s", timeout, what, detail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func noDetail() string { return "" }

// deletePodNow deletes a pod with no grace period: without a real kubelet
// to confirm it, a graceful delete would leave the pod terminating forever.
func deletePodNow(t testing.TB, ns, name string) {
	t.Helper()
	zero := int64(0)
	err := testcluster.Shared(t).Clientset().CoreV1().Pods(ns).Delete(ctx(t), name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	if err != nil {
		t.Fatal(err)
	}
}
