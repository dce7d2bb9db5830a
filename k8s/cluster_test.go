package k8s

import (
	"context"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// The tests in this file run against the real kube-apiserver of
// internal/testcluster; the others need none.
func TestMain(m *testing.M) { os.Exit(testcluster.RunMain(m)) }

// newNamespace creates namespace ns in the shared cluster, deleted when the
// test ends, and returns once the controllers have given it what they give
// every namespace: the kube-root-ca.crt ConfigMap and the default
// ServiceAccount. They come a moment after the namespace, so a listing
// taken before then would hold them or not by chance.
func newNamespace(t *testing.T, ns string) {
	t.Helper()
	c := testcluster.Shared(t).Clientset().CoreV1()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	waitUntil(t, "namespace "+ns+"'s kube-root-ca.crt ConfigMap and default ServiceAccount", func() bool {
		_, errCM := c.ConfigMaps(ns).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
		_, errSA := c.ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return errCM == nil && errSA == nil
	})
}

type countRequests struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *countRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// Servers without aggregated discovery are read one group-version at a
// time; the catalog must come out the same.
func TestLegacyDiscoveryGivesTheSameCatalog(t *testing.T) {
	cfg := testcluster.Shared(t).RESTConfig()
	discoverWith := func(legacy bool) (*Catalog, int32) {
		c := rest.CopyConfig(cfg)
		counter := &countRequests{}
		c.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter })
		dc, err := discovery.NewDiscoveryClientForConfig(c)
		if err != nil {
			t.Fatal(err)
		}
		var di discovery.DiscoveryInterface = dc
		if legacy {
			di = dc.WithLegacy()
		}
		cat, err := discover(di)
		if err != nil {
			t.Fatalf("discover (legacy %v): %v", legacy, err)
		}
		return cat, counter.n.Load()
	}
	aggregated, nAgg := discoverWith(false)
	legacy, nLegacy := discoverWith(true)
	if nAgg != 2 {
		t.Errorf("aggregated discovery took %d requests, want 2", nAgg)
	}
	if nLegacy <= 2 {
		t.Errorf("legacy discovery took %d requests; the fallback was not exercised", nLegacy)
	}
	names := func(c *Catalog) map[string]string {
		out := map[string]string{}
		for _, list := range [][]Type{c.Namespaced(), c.ClusterScoped()} {
			for _, typ := range list {
				out[typ.Name] = typ.GVR.String()
			}
		}
		return out
	}
	a, l := names(aggregated), names(legacy)
	if len(a) != len(l) {
		t.Errorf("aggregated found %d types, legacy %d", len(a), len(l))
	}
	for name, gvr := range a {
		if l[name] != gvr {
			t.Errorf("%s: aggregated %s, legacy %q", name, gvr, l[name])
		}
	}
}
