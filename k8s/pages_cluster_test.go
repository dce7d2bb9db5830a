package k8s

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
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

// The pager must list, page after page, the rows the server prints in one
// piece, for built-in types, custom resources, and cluster-wide
// collections; names and order as client-go's metadata client lists them.
func TestPagerListsWhatTheServerPrints(t *testing.T) {
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
		var got []tableRow
		opts := metav1.ListOptions{Limit: 1}
		pages := 0
		// The pages are one snapshot, the first page's; the whole list
		// and client-go's are read at exactly that one, so that objects
		// of other tests, still being deleted, cannot come between them.
		var snapshot metav1.ListOptions
		var whole *rowList
		for {
			page, err := p.list(ctx, k.GVR, k.Namespace, opts)
			if err != nil {
				t.Fatalf("%v: %v", k, err)
			}
			pages++
			if pages == 1 {
				snapshot = metav1.ListOptions{ResourceVersion: page.ResourceVersion, ResourceVersionMatch: metav1.ResourceVersionMatchExact}
				if whole, err = p.list(ctx, k.GVR, k.Namespace, snapshot); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(page.Columns, whole.Columns) {
				t.Errorf("%v: page %d has columns %+v, the whole list %+v", k, pages, page.Columns, whole.Columns)
			}
			got = append(got, page.Items...)
			if page.Continue == "" {
				break
			}
			opts = metav1.ListOptions{Limit: 1, Continue: page.Continue}
		}
		want, err := md.Resource(k.GVR).Namespace(k.Namespace).List(ctx, snapshot)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Items) < 2 || pages < 2 {
			t.Fatalf("%v: %d objects in %d pages; the test wants more than one page", k, len(want.Items), pages)
		}
		if len(got) != len(want.Items) || len(whole.Items) != len(got) {
			t.Fatalf("%v: %d rows in pages, %d in one list, client-go %d objects", k, len(got), len(whole.Items), len(want.Items))
		}
		for i := range got {
			if got[i].Name != want.Items[i].Name || got[i].Namespace != k.Namespace && k.Namespace != "" {
				t.Errorf("%v: row %d is %s/%s, client-go lists %s/%s", k, i, got[i].Namespace, got[i].Name, want.Items[i].Namespace, want.Items[i].Name)
			}
			// Ages may tick between the two requests, those of age
			// columns and those inside a cell ("1 (3s ago)" in RESTARTS).
			for j := range got[i].cells {
				a, b := got[i].cells[j], whole.Items[i].cells[j]
				if agoIn.ReplaceAllString(a.Text, "(ago)") != agoIn.ReplaceAllString(b.Text, "(ago)") && (a.Since == 0 || b.Since == 0) {
					t.Errorf("%v: row %d column %q: %q in pages, %q in one list", k, i, whole.Columns[j].Name, a.Text, b.Text)
				}
			}
		}
		if len(whole.Columns) < 2 || whole.Columns[NameColumn(whole.Columns)].Format != "name" {
			t.Errorf("%v: columns %+v", k, whole.Columns)
		}
	}
	t.Logf("answers by media type: %v", types.seen)

	// Errors are the server's, as client-go's clients give them.
	_, err = p.list(ctx, schema.GroupVersionResource{Group: "example.io", Version: "v1", Resource: "nosuchthings"}, "team-a", metav1.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "the server could not find the requested resource") {
		t.Errorf("listing an unknown resource: %v, want the server's NotFound", err)
	}
}

// A table watch brings each change as a one-row table: a new object's row
// with its cells, and its deletion.
func TestPagerWatchesRows(t *testing.T) {
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := c.RESTConfig()
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPager(cfg, hc)
	if err != nil {
		t.Fatal(err)
	}
	cms := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	list, err := p.list(ctx, cms, "default", metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.watch(ctx, cms, "default", metav1.ListOptions{ResourceVersion: list.ResourceVersion}, list.Columns)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	cs := c.Clientset()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "watched-row"}, Data: map[string]string{"a": "1", "b": "2"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().ConfigMaps("default").Delete(ctx, cm.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for len(seen) < 2 {
		select {
		case ev := <-w.ResultChan():
			row, ok := ev.Object.(*tableRow)
			if !ok {
				t.Fatalf("event %s with %T: %+v", ev.Type, ev.Object, ev.Object)
			}
			if row.Name != "watched-row" {
				continue
			}
			seen = append(seen, fmt.Sprintf("%s %s data=%s rv=%t", ev.Type, row.Name, row.cells[1].Text, row.ResourceVersion != ""))
		case <-ctx.Done():
			t.Fatalf("events seen: %v", seen)
		}
	}
	if want := []string{"ADDED watched-row data=2 rv=true", "DELETED watched-row data=2 rv=true"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("events %v, want %v", seen, want)
	}
}

// agoIn matches the age kubectl prints inside a cell, as in RESTARTS'
// "1 (3s ago)".
var agoIn = regexp.MustCompile(`\((\d+[smhdy])+ ago\)`)
