package k8s

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/kfsui/kfsui/internal/testcluster"
)

func TestNameRowsTakesNamesOnlyWhenTheyAgree(t *testing.T) {
	rows := func() []tableRow {
		return []tableRow{{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, {ObjectMeta: metav1.ObjectMeta{Name: "web"}}, {ObjectMeta: metav1.ObjectMeta{Name: "db"}}}
	}
	names := []objectName{{"team-a", "web"}, {"team-b", "web"}, {"team-b", "db"}}
	r := rows()
	if !nameRows(r, names) || r[0].Namespace != "team-a" || r[1].Namespace != "team-b" || r[2].Namespace != "team-b" {
		t.Errorf("agreeing lists: rows %+v", r)
	}
	for _, bad := range [][]objectName{
		names[:2], // one fewer: an object came or went between the two
		{{"team-a", "web"}, {"team-b", "db"}, {"team-b", "web"}}, // another order
	} {
		r := rows()
		if nameRows(r, bad) {
			t.Errorf("names %v taken for rows %v", bad, r)
		}
		for _, row := range r {
			if row.Namespace != "" {
				t.Errorf("rows changed although the names were refused: %+v", r)
			}
		}
	}
}

// protoList is a protobuf list answer as the API server sends it: the
// magic, then a runtime.Unknown whose field 2 is a list with meta and
// items, and whose other fields are skipped.
func protoList(meta []byte, items ...[]byte) []byte {
	var list []byte
	list = protowire.AppendTag(list, 1, protowire.BytesType)
	list = protowire.AppendBytes(list, meta)
	for _, it := range items {
		list = protowire.AppendTag(list, 2, protowire.BytesType)
		list = protowire.AppendBytes(list, it)
	}
	var unknown []byte
	unknown = protowire.AppendTag(unknown, 1, protowire.BytesType) // TypeMeta
	unknown = protowire.AppendBytes(unknown, []byte("\n\x02v1\x12\x07PodList"))
	unknown = protowire.AppendTag(unknown, 2, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, list)
	unknown = protowire.AppendTag(unknown, 4, protowire.BytesType) // contentType
	unknown = protowire.AppendBytes(unknown, nil)
	return append(append([]byte(nil), k8sProtobufMagic...), unknown...)
}

func listMeta(rv, cont string) []byte {
	var b []byte
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, rv)
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	return protowire.AppendString(b, cont)
}

// A list read item by item gives each item and the list's metadata; a
// stream cut anywhere, or an item claiming more than the bound, is an
// error, never a hang or a huge allocation.
func TestStreamListReadsItemsAndRefusesBrokenStreams(t *testing.T) {
	items := [][]byte{[]byte("first"), bytes.Repeat([]byte("x"), 100000), []byte("third")}
	raw := protoList(listMeta("42", "more"), items...)
	var got [][]byte
	meta, err := streamList(bufio.NewReaderSize(bytes.NewReader(raw), 16), func(b []byte) error {
		got = append(got, bytes.Clone(b))
		return nil
	})
	if err != nil || meta.ResourceVersion != "42" || meta.Continue != "more" || len(got) != 3 ||
		!bytes.Equal(got[0], items[0]) || !bytes.Equal(got[1], items[1]) || !bytes.Equal(got[2], items[2]) {
		t.Fatalf("meta %+v, %d items, err %v", meta, len(got), err)
	}
	for cut := 1; cut < len(raw)-1; cut += 997 {
		if _, err := reduceList(raw[:cut], func([]byte) error { return nil }); err == nil {
			t.Errorf("a stream cut at %d of %d read without error", cut, len(raw))
		}
	}
	huge := append(append([]byte(nil), k8sProtobufMagic...), protowire.AppendTag(nil, 2, protowire.BytesType)...)
	huge = protowire.AppendVarint(huge, 1<<40)
	huge = protowire.AppendTag(huge, 2, protowire.BytesType)
	huge = protowire.AppendVarint(huge, 1<<40)
	if _, err := reduceList(huge, func([]byte) error { return nil }); err == nil || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("an item of a terabyte: %v", err)
	}
	stop := errors.New("stop")
	if _, err := reduceList(raw, func([]byte) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("the item's error: %v", err)
	}
	if _, err := reduceList([]byte(`{"kind":"PodList"}`), func([]byte) error { return nil }); err == nil {
		t.Error("JSON taken for protobuf")
	}
}

// requestLog records the list requests sent, but watches.
type requestLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []*http.Request
}

func (l *requestLog) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Query().Get("watch") != "true" {
		l.mu.Lock()
		l.seen = append(l.seen, r)
		l.mu.Unlock()
	}
	return l.next.RoundTrip(r)
}

func (l *requestLog) lists(path string) []*http.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*http.Request
	for _, r := range l.seen {
		if r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// A listing of every namespace lists its table without the objects and
// names its rows from their metadata listed beside it in protobuf, both
// from the API server's cache: the rows are client-go's objects, each in
// its own namespace.
func TestEveryNamespaceNamesItsRowsBesideTheTable(t *testing.T) {
	log := &requestLog{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := ConnectConfig(ctx, testcluster.Shared(t).RESTConfig(), Info{}, Options{
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { log.next = rt; return log },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := testcluster.Shared(t).Clientset()
	stamp := time.Now().UnixNano() % 1e6
	namespaces := []string{fmt.Sprintf("names-a-%d", stamp), fmt.Sprintf("names-b-%d", stamp)}
	for i, ns := range namespaces {
		newNamespace(t, ns)
		for j := range 3 {
			// The same names in both: only the namespace tells them apart.
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("same-%d", j), Labels: map[string]string{"ns": fmt.Sprint(i)}}}
			if _, err := c.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	cms := lookup(t, conn, "configmaps")
	lists := conn.Lists()
	// The rest of the cluster moves meanwhile (namespaces of earlier tests
	// still being emptied), and the server's cache may answer a moment
	// behind the creates above: the listing is waited for until it has
	// this test's namespaces as client-go lists them, on its own events.
	changed := make(chan struct{}, 1)
	defer lists.Subscribe(func(k ListKey) {
		if k.Namespace == AllNamespaces {
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	})()
	lists.Names(cms, AllNamespaces)
	if err := lists.WaitSynced(ctx, cms, AllNamespaces); err != nil {
		t.Fatal(err)
	}
	want, err := metadata.NewForConfigOrDie(testcluster.Shared(t).RESTConfig()).Resource(cms.GVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ours := func(ns string) bool { return slices.Contains(namespaces, ns) }
	var wanted []objectName
	for _, o := range want.Items {
		if ours(o.Namespace) {
			wanted = append(wanted, objectName{o.Namespace, o.Name})
		}
	}
	if len(wanted) < 6 {
		t.Fatalf("client-go lists %d of this test's ConfigMaps, want at least the 6 made", len(wanted))
	}
	rowsOfOurs := func() []objectName {
		var have []objectName
		for _, r := range lists.Names(cms, AllNamespaces).Rows {
			if ours(r.Namespace) {
				have = append(have, objectName{r.Namespace, r.Name})
			}
		}
		return have
	}
	sorted := func(names []objectName) []objectName {
		return slices.SortedFunc(slices.Values(names), func(a, b objectName) int {
			return strings.Compare(a.namespace+"/"+a.name, b.namespace+"/"+b.name)
		})
	}
	for !slices.Equal(sorted(rowsOfOurs()), sorted(wanted)) {
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("the rows of this test's namespaces are %v, client-go lists %v", sorted(rowsOfOurs()), sorted(wanted))
		}
	}
	var tables, names int
	for _, r := range log.lists("/api/v1/configmaps") {
		q := r.URL.Query()
		switch {
		case strings.Contains(r.Header.Get("Accept"), "as=Table"):
			tables++
			if q.Get("includeObject") != string(metav1.IncludeNone) {
				t.Errorf("the table was listed with includeObject=%s", q.Get("includeObject"))
			}
			if tables == 1 && q.Get("resourceVersion") != "0" {
				t.Errorf("the table was first listed at resource version %q, want the cache's (0)", q.Get("resourceVersion"))
			}
		case strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadataList"):
			names++
			rv, match := q.Get("resourceVersion"), q.Get("resourceVersionMatch")
			// Listed side by side with the table from the server's cache;
			// listed again only at exactly the table's resource version,
			// should the cluster have moved between the two answers.
			if names == 1 && (rv != "0" || match != "") {
				t.Errorf("the names were first listed at %q, %q; want the cache's (0)", rv, match)
			}
			if names > 1 && (rv == "0" || match != string(metav1.ResourceVersionMatchExact)) {
				t.Errorf("the names were listed again at %q, %q; want exactly the table's resource version", rv, match)
			}
		}
	}
	if tables == 0 || names == 0 || names > 2*tables {
		t.Errorf("%d table lists and %d name lists, want the table and one or two lists of names for each", tables, names)
	}
}

// Metrics in protobuf are read as they come: a pod's containers summed,
// nodes' usage as it is, the oldest time kept.
func TestReduceUsageReadsPodAndNodeMetrics(t *testing.T) {
	quantity := func(name, q string) []byte {
		var v []byte
		v = protowire.AppendTag(v, 1, protowire.BytesType)
		v = protowire.AppendString(v, q)
		var e []byte
		e = protowire.AppendTag(e, 1, protowire.BytesType)
		e = protowire.AppendString(e, name)
		e = protowire.AppendTag(e, 2, protowire.BytesType)
		return protowire.AppendBytes(e, v)
	}
	meta := func(ns, name string) []byte {
		var m []byte
		m = protowire.AppendTag(m, 1, protowire.BytesType)
		m = protowire.AppendString(m, name)
		m = protowire.AppendTag(m, 3, protowire.BytesType)
		return protowire.AppendString(m, ns)
	}
	stamp := func(sec int64) []byte {
		var s []byte
		s = protowire.AppendTag(s, 1, protowire.VarintType)
		return protowire.AppendVarint(s, uint64(sec))
	}
	item := func(ns, name string, sec int64, usage ...[]byte) []byte {
		var b []byte
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, meta(ns, name))
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, stamp(sec))
		for _, u := range usage {
			b = protowire.AppendTag(b, 4, protowire.BytesType)
			b = protowire.AppendBytes(b, u)
		}
		return b
	}
	container := func(name string, entries ...[]byte) []byte {
		var c []byte
		c = protowire.AppendTag(c, 1, protowire.BytesType)
		c = protowire.AppendString(c, name)
		for _, e := range entries {
			c = protowire.AppendTag(c, 2, protowire.BytesType)
			c = protowire.AppendBytes(c, e)
		}
		return c
	}
	pods := protoList(listMeta("7", ""),
		item("team-a", "web-0", 2000,
			container("app", quantity("cpu", "1500000n"), quantity("memory", "64Mi")),
			container("sidecar", quantity("cpu", "250m"), quantity("memory", "1024Ki"), quantity("ephemeral-storage", "1Gi"))),
		item("team-b", "web-0", 1000, container("app", quantity("cpu", "0"), quantity("memory", "0"))))
	got, err := reduceUsage(bufio.NewReader(bytes.NewReader(pods)), false)
	if err != nil {
		t.Fatal(err)
	}
	// 1.5m rounds up to 2m, as Quantity.MilliValue and kubectl top do.
	if u := got.figures[rowKey("team-a", "web-0")]; u != (usage{cpu: 252, mem: 65 << 20}) {
		t.Errorf("team-a/web-0: %+v", u)
	}
	if u, ok := got.figures[rowKey("team-b", "web-0")]; !ok || u != (usage{}) {
		t.Errorf("team-b/web-0: %+v %v", u, ok)
	}
	if !got.oldest.Equal(time.Unix(1000, 0)) {
		t.Errorf("oldest %v", got.oldest)
	}
	nodes := protoList(listMeta("7", ""), item("", "node-1", 3000, quantity("cpu", "2"), quantity("memory", "1Gi")))
	got, err = reduceUsage(bufio.NewReader(bytes.NewReader(nodes)), true)
	if err != nil {
		t.Fatal(err)
	}
	if u := got.figures[rowKey("", "node-1")]; u != (usage{cpu: 2000, mem: 1 << 30}) {
		t.Errorf("node-1: %+v", u)
	}
	bad := protoList(listMeta("7", ""), item("", "node-1", 3000, quantity("cpu", "lots")))
	if _, err := reduceUsage(bufio.NewReader(bytes.NewReader(bad)), true); err == nil {
		t.Error("a quantity that is none read without error")
	}
	if _, err := reduceUsage(bufio.NewReader(io.LimitReader(bytes.NewReader(pods), int64(len(pods)/2))), false); err == nil {
		t.Error("half an answer read without error")
	}
}

// namesServer serves a bare table of two configmaps across namespaces at
// resource version 10, and their names: from the cache (resource version
// 0) as cached says, exactly at 10 as exact says.
func namesServer(t *testing.T, cached, exact []objectName) (*pager, *[]string) {
	t.Helper()
	var asked []string
	var mu sync.Mutex
	nameList := func(names []objectName) []byte {
		var items [][]byte
		for _, n := range names {
			var m []byte
			m = protowire.AppendTag(m, 1, protowire.BytesType)
			m = protowire.AppendString(m, n.name)
			m = protowire.AppendTag(m, 3, protowire.BytesType)
			m = protowire.AppendString(m, n.namespace)
			items = append(items, protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), m))
		}
		return protoList(listMeta("10", ""), items...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(r.Header.Get("Accept"), "as=Table") {
			asked = append(asked, "table include="+q.Get("includeObject"))
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"10"},
				"columnDefinitions":[{"name":"Name","type":"string","format":"name"},{"name":"Data","type":"integer"}],
				"rows":[{"cells":["a",1],"object":{"metadata":{"name":"a","namespace":"one"}}},{"cells":["b",2],"object":{"metadata":{"name":"b","namespace":"two"}}}]}`)
			return
		}
		asked = append(asked, "names rv="+q.Get("resourceVersion")+" "+q.Get("resourceVersionMatch"))
		w.Header().Set("Content-Type", "application/vnd.kubernetes.protobuf")
		if q.Get("resourceVersion") == "0" {
			w.Write(nameList(cached))
		} else {
			w.Write(nameList(exact))
		}
	}))
	t.Cleanup(srv.Close)
	p, err := newPager(&rest.Config{Host: srv.URL}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return p, &asked
}

// The cache's names disagreeing with the table (a configmap came between
// the two answers), the names are listed again at the table's resource
// version; those disagreeing too, the table is listed with its metadata.
func TestListNamedAsksAgainWhenTheNamesDisagree(t *testing.T) {
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	both := []objectName{{"one", "a"}, {"two", "b"}}
	for _, tc := range []struct {
		name          string
		cached, exact []objectName
		want          []string
	}{
		{"agree", both, nil, []string{"names rv=0 ", "table include=None"}},
		{"again", both[:1], both, []string{"names rv=0 ", "table include=None", "names rv=10 Exact"}},
		{"with metadata", both[:1], both[1:], []string{"names rv=0 ", "table include=None", "names rv=10 Exact", "table include=Metadata"}},
	} {
		p, asked := namesServer(t, tc.cached, tc.exact)
		ctx, cancel := context.WithCancel(context.Background())
		e := &listEntry{lists: &Lists{pages: p}, key: ListKey{GVR: gvr, Namespace: AllNamespaces}, ctx: ctx, synced: make(chan struct{})}
		list, err := e.listPages(ctx)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(list.Items) != 2 || list.Items[0].Namespace != "one" || list.Items[1].Namespace != "two" {
			t.Errorf("%s: rows %+v", tc.name, list.Items)
		}
		got := slices.Clone(*asked)
		// The first names and the table go side by side, in either order.
		if len(got) >= 2 && got[0] != "names rv=0 " {
			got[0], got[1] = got[1], got[0]
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: asked %q, want %q", tc.name, got, tc.want)
		}
	}
}
