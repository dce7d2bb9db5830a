package k8s

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// methodRecorder sits inside the read-only guard, where the server is:
// whatever it sees would have reached the API server.
type methodRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]int
}

func (m *methodRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.seen[r.Method]++
	m.mu.Unlock()
	return m.next.RoundTrip(r)
}

// Writes attempted through every client kfsui builds are refused with
// ErrWriteRefused before they leave the process: the server never sees
// them, and the cluster is unchanged.
func TestWritesThroughKfsuisClientsNeverReachTheServer(t *testing.T) {
	cl := testcluster.Shared(t)
	rec := &methodRecorder{seen: map[string]int{}}
	ctx := context.Background()
	conn, err := ConnectConfig(ctx, cl.RESTConfig(), Info{}, Options{
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { rec.next = rt; return rec },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	admin := cl.Clientset().CoreV1().ConfigMaps("default")
	if _, err := admin.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "readonly-target"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Delete(ctx, "readonly-target", metav1.DeleteOptions{}) })

	cms, _ := conn.Catalog().Lookup("configmaps")
	newCM := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "readonly-created"}}
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "readonly-created"}}}
	patch := []byte(`{"data":{"k":"changed"}}`)
	attempts := map[string]func() error{
		"typed create": func() error {
			_, err := conn.core.CoreV1().ConfigMaps("default").Create(ctx, newCM, metav1.CreateOptions{})
			return err
		},
		"typed update": func() error {
			_, err := conn.core.CoreV1().ConfigMaps("default").Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "readonly-target"}}, metav1.UpdateOptions{})
			return err
		},
		"typed patch": func() error {
			_, err := conn.core.CoreV1().ConfigMaps("default").Patch(ctx, "readonly-target", types.MergePatchType, patch, metav1.PatchOptions{})
			return err
		},
		"typed delete": func() error {
			return conn.core.CoreV1().ConfigMaps("default").Delete(ctx, "readonly-target", metav1.DeleteOptions{})
		},
		"streams delete": func() error {
			return conn.streams.CoreV1().ConfigMaps("default").Delete(ctx, "readonly-target", metav1.DeleteOptions{})
		},
		"pod eviction": func() error {
			return conn.core.CoreV1().Pods("default").EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "any"}})
		},
		"dynamic create": func() error {
			_, err := conn.dynamic.Resource(cms.GVR).Namespace("default").Create(ctx, u, metav1.CreateOptions{})
			return err
		},
		"dynamic patch": func() error {
			_, err := conn.dynamic.Resource(cms.GVR).Namespace("default").Patch(ctx, "readonly-target", types.MergePatchType, patch, metav1.PatchOptions{})
			return err
		},
		"dynamic delete collection": func() error {
			return conn.dynamic.Resource(cms.GVR).Namespace("default").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		},
		"metadata delete": func() error {
			return conn.lists.md.Resource(cms.GVR).Namespace("default").Delete(ctx, "readonly-target", metav1.DeleteOptions{})
		},
		"metadata patch": func() error {
			_, err := conn.lists.md.Resource(cms.GVR).Namespace("default").Patch(ctx, "readonly-target", types.MergePatchType, patch, metav1.PatchOptions{})
			return err
		},
		"raw DELETE through the pager's REST client": func() error {
			return conn.lists.pages.rest.Delete().AbsPath("/api/v1/namespaces/default/configmaps/readonly-target").Do(ctx).Error()
		},
		"DELETE through the describers' transport": func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodDelete, conn.describe.host+"/api/v1/namespaces/default/configmaps/readonly-target", nil)
			if err != nil {
				return err
			}
			resp, err := (&http.Client{Transport: conn.describe.transport}).Do(req)
			if err == nil {
				resp.Body.Close()
			}
			return err
		},
		"raw POST through discovery's REST client": func() error {
			return conn.discovery.RESTClient().Post().AbsPath("/api/v1/namespaces/default/configmaps").
				Body([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"readonly-created"}}`)).Do(ctx).Error()
		},
	}
	for name, attempt := range attempts {
		if err := attempt(); !errors.Is(err, ErrWriteRefused) {
			t.Errorf("%s: err = %v, want ErrWriteRefused", name, err)
		}
	}
	rec.mu.Lock()
	for method, n := range rec.seen {
		if method != http.MethodGet {
			t.Errorf("%d %s requests reached the server", n, method)
		}
	}
	rec.mu.Unlock()

	got, err := admin.Get(ctx, "readonly-target", metav1.GetOptions{})
	if err != nil || got.Data["k"] != "v" {
		t.Errorf("the target changed: %v, %v", got.Data, err)
	}
	if _, err := admin.Get(ctx, "readonly-created", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("an object was created: %v", err)
	}
}
