package k8s

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// contentTypes records the media type of every answer.
type contentTypes struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]int
}

func (c *contentTypes) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
		c.mu.Lock()
		c.seen[mt]++
		c.mu.Unlock()
	}
	return resp, err
}

// The pager must list exactly what client-go's metadata client lists, page
// after page, for built-in types (protobuf), custom resources, and
// cluster-wide collections.
func TestPagerListsWhatClientGoLists(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := testcluster.SeedDemo(ctx, c); err != nil {
		t.Fatal(err)
	}
	cfg := c.RESTConfig()
	types := &contentTypes{seen: map[string]int{}}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { types.next = rt; return types })
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPager(cfg, hc)
	if err != nil {
		t.Fatal(err)
	}
	md := metadata.NewForConfigOrDie(c.RESTConfig())

	for _, k := range []ListKey{
		{GVR: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, Namespace: "team-a"},
		{GVR: schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
		{GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Namespace: "team-a"},
		{GVR: schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}},
		{GVR: schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}},
		{GVR: schema.GroupVersionResource{Group: "example.io", Version: "v1", Resource: "widgets"}, Namespace: "team-a"},
	} {
		want, err := md.Resource(k.GVR).Namespace(k.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []metav1.PartialObjectMetadata
		opts := metav1.ListOptions{Limit: 1}
		pages := 0
		for {
			page, err := p.list(ctx, k.GVR, k.Namespace, opts)
			if err != nil {
				t.Fatalf("%v: %v", k, err)
			}
			pages++
			got = append(got, page.Items...)
			if page.Continue == "" {
				break
			}
			opts = metav1.ListOptions{Limit: 1, Continue: page.Continue}
		}
		if len(want.Items) < 2 || pages < 2 {
			t.Fatalf("%v: %d objects in %d pages; the test wants more than one page", k, len(want.Items), pages)
		}
		for i := range want.Items {
			want.Items[i] = stripped(&want.Items[i])
			want.Items[i].TypeMeta = metav1.TypeMeta{}
		}
		if !reflect.DeepEqual(got, want.Items) {
			t.Errorf("%v: the pager listed\n%+v\nclient-go\n%+v", k, got, want.Items)
		}
	}
	t.Logf("answers by media type: %v", types.seen)
	if types.seen["application/vnd.kubernetes.protobuf"] == 0 {
		t.Errorf("no answer came in protobuf (%v): the fast path went untested", types.seen)
	}

	// Errors are the server's, as client-go's clients give them.
	_, err = p.list(ctx, schema.GroupVersionResource{Group: "example.io", Version: "v1", Resource: "nosuchthings"}, "team-a", metav1.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "the server could not find the requested resource") {
		t.Errorf("listing an unknown resource: %v, want the server's NotFound", err)
	}
}
