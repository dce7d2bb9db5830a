package k8s

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/duration"
	sigsjson "sigs.k8s.io/json"
)

var tableNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// podColumns are the columns kube-apiserver's printer gives pods.
var podColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name"},
	{Name: "Ready", Type: "string"},
	{Name: "Status", Type: "string"},
	{Name: "Restarts", Type: "string"},
	{Name: "Age", Type: "string"},
	{Name: "IP", Type: "string", Priority: 1},
	{Name: "Node", Type: "string", Priority: 1},
	{Name: "Nominated Node", Type: "string", Priority: 1},
	{Name: "Readiness Gates", Type: "string", Priority: 1},
}

// benchTable is a page of pods as the API server sends it for a table
// request with includeObject=None.
func benchTable(n int) *metav1.Table {
	left := int64(12345)
	t := &metav1.Table{
		TypeMeta:          metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
		ListMeta:          metav1.ListMeta{ResourceVersion: "98765", Continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTg3NjV9", RemainingItemCount: &left},
		ColumnDefinitions: podColumns,
	}
	for i := range n {
		t.Rows = append(t.Rows, metav1.TableRow{Cells: []any{
			fmt.Sprintf("web-7d4b9c8f6-%05d", i), "1/1", "Running", "0", "3d4h",
			fmt.Sprintf("10.0.%d.%d", i/256, i%256), "kfsui-node", "<none>", "<none>",
		}})
	}
	return t
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeTable(t *testing.T) {
	table := &metav1.Table{
		TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
		ListMeta: metav1.ListMeta{ResourceVersion: "42", Continue: "next"},
		ColumnDefinitions: []metav1.TableColumnDefinition{
			{Name: "Ready", Type: "string"},
			{Name: "Name", Type: "string", Format: "name"},
			{Name: "Count", Type: "integer"},
			{Name: "Ratio", Type: "number", Priority: 1},
			{Name: "On", Type: "boolean"},
			{Name: "Note", Type: "string"},
			{Name: "Age", Type: "string"},
			{Name: "Seen", Type: "date"},
			{Name: "Created At", Type: "date"},
		},
		Rows: []metav1.TableRow{
			{Cells: []any{"1/2", "web-0", 17, 0.5, true, "line one\nline two", "5m", "2d3h", "2026-11-20T10:00:00Z"}},
			{Cells: []any{"0/1", "web-1", nil, 1e21, false, map[string]any{"a": 1}, "<unknown>", nil, nil}},
			{Cells: []any{"0/1", "short"}}, // fewer cells than columns
		},
	}
	list, err := decodeTable(mustJSON(t, table), "team-a", tableNow)
	if err != nil {
		t.Fatal(err)
	}
	if list.ResourceVersion != "42" || list.Continue != "next" {
		t.Errorf("list meta %+v", list.ListMeta)
	}
	if len(list.Columns) != 9 || list.Columns[1] != (Column{Name: "Name", Type: "string", Format: "name"}) || list.Columns[3].Priority != 1 {
		t.Errorf("columns %+v", list.Columns)
	}
	fiveMin, twoDays := tableNow.Add(-5*time.Minute).Unix(), tableNow.Add(-51*time.Hour).Unix()
	want := [][]Cell{
		{{Text: "1/2"}, {Text: "web-0"}, {Text: "17"}, {Text: "0.5"}, {Text: "true"}, {Text: "line one..."},
			{Text: "5m", Since: fiveMin}, {Text: "2d3h", Since: twoDays}, {Text: "2026-11-20T10:00:00Z"}},
		{{Text: "0/1"}, {Text: "web-1"}, {}, {Text: "1e+21"}, {Text: "false"}, {Text: "map[a:1]"},
			{Text: "<unknown>"}, {}, {}},
		{{Text: "0/1"}, {Text: "short"}, {}, {}, {}, {}, {}, {}, {}},
	}
	for i, row := range list.Items {
		if row.Name != row.cells[1].Text || row.Namespace != "team-a" || row.ResourceVersion != "42" {
			t.Errorf("row %d: identity %s/%s@%s", i, row.Namespace, row.Name, row.ResourceVersion)
		}
		if !reflect.DeepEqual(row.cells, want[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, row.cells, want[i])
		}
	}
}

// A type the server cannot print comes as a plain list: NAME and AGE,
// the age exact.
func TestDecodeTableFallsBackToNameAndAge(t *testing.T) {
	created := metav1.NewTime(tableNow.Add(-90 * time.Minute))
	list := map[string]any{
		"kind": "FlunderList", "apiVersion": "wardle.example.com/v1",
		"metadata": map[string]any{"resourceVersion": "7"},
		"items": []any{map[string]any{"kind": "Flunder", "metadata": map[string]any{
			"name": "f1", "namespace": "team-a", "resourceVersion": "6", "creationTimestamp": created,
		}}},
	}
	got, err := decodeTable(mustJSON(t, list), "team-a", tableNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Columns, fallbackColumns) || len(got.Items) != 1 {
		t.Fatalf("columns %+v, %d items", got.Columns, len(got.Items))
	}
	row := got.Items[0]
	if want := []Cell{{Text: "f1"}, {Text: "90m", Since: created.Unix()}}; row.Name != "f1" || row.ResourceVersion != "6" || !reflect.DeepEqual(row.cells, want) {
		t.Errorf("row %+v, cells %+v", row.ObjectMeta, row.cells)
	}
}

func TestDecodeTableRefusesOtherAnswers(t *testing.T) {
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", fmt.Errorf("no"))
	forbidden.ErrStatus.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	body := mustJSON(t, &forbidden.ErrStatus)
	if _, err := decodeTable(body, "", tableNow); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "pods is forbidden") {
		t.Errorf("a Status: %v, want the server's Forbidden", err)
	}
	for _, body := range []string{``, `{`, `{"kind":"Pod"}`, `{"kind":"Table","columnDefinitions":[],"rows":[{"cells":["x"]}]}`,
		`{"kind":"Table","columnDefinitions":[{"name":"Name"}],"rows":[{"cells":[-]}]}`} {
		if list, err := decodeTable([]byte(body), "", tableNow); err == nil {
			t.Errorf("%q: decoded as %+v, want an error", body, list)
		}
	}
}

func TestDecodeWatchObject(t *testing.T) {
	one := benchTable(1)
	obj, err := decodeWatchObject(mustJSON(t, one), "big", nil, tableNow)
	if err != nil {
		t.Fatal(err)
	}
	row := obj.(*tableRow)
	if row.Name != "web-7d4b9c8f6-00000" || row.ResourceVersion != "98765" || len(row.columns) != len(podColumns) || row.cells[2].Text != "Running" {
		t.Errorf("row %+v, columns %d", row, len(row.columns))
	}
	// Events after the first carry no columns: they are the watch's.
	one.ColumnDefinitions = nil
	if obj, err := decodeWatchObject(mustJSON(t, one), "big", row.columns, tableNow); err != nil || obj.(*tableRow).columns != nil || obj.(*tableRow).cells[2].Text != "Running" {
		t.Errorf("without columns: %+v, %v", obj, err)
	}
	if obj, err := decodeWatchObject(mustJSON(t, one), "big", nil, tableNow); err == nil {
		t.Errorf("a row without any columns known decoded: %+v", obj)
	}
	gone := apierrors.NewResourceExpired("too old resource version")
	gone.ErrStatus.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
	obj, err = decodeWatchObject(mustJSON(t, &gone.ErrStatus), "big", nil, tableNow)
	if status, ok := obj.(*metav1.Status); err != nil || !ok || status.Code != 410 {
		t.Errorf("a Status event: %+v, %v", obj, err)
	}
	two := benchTable(2)
	if _, err := decodeWatchObject(mustJSON(t, two), "big", nil, tableNow); err == nil {
		t.Error("a watch event of two rows decoded")
	}
}

// Every age the server can print reads back to a moment that prints the
// same, no later than the real one: an age shown locally is never ahead
// of the server's.
func TestHumanDurationsReadBack(t *testing.T) {
	for d := time.Duration(0); d < 3*365*24*time.Hour; d = d*11/10 + time.Second {
		text := duration.HumanDuration(d)
		got, ok := parseHumanDuration(text)
		if !ok {
			t.Fatalf("%v printed as %q: not read back", d, text)
		}
		if got > d || duration.HumanDuration(got) != text {
			t.Fatalf("%v printed as %q read back as %v (%q)", d, text, got, duration.HumanDuration(got))
		}
	}
	for _, bad := range []string{"", "<invalid>", "5", "m", "5x", "2026-11-20T10:00:00Z", "1234567890123s", "9999999y"} {
		if d, ok := parseHumanDuration(bad); ok {
			t.Errorf("%q read as %v", bad, d)
		}
	}
	c := Cell{Text: "5m", Since: tableNow.Add(-5 * time.Minute).Unix()}
	if got := c.Age(tableNow.Add(2 * time.Minute)); got != "7m" {
		t.Errorf("a 5m age two minutes later: %q", got)
	}
}

// referenceCells decodes a table's rows as kubectl's decoder does
// (sigs.k8s.io/json: keys case-sensitive), cell by cell through
// cellText: what the row scanner must agree with.
func referenceCells(body []byte) ([][]string, error) {
	var w struct {
		Kind string `json:"kind"`
		Rows []struct {
			Cells []json.RawMessage `json:"cells"`
		} `json:"rows"`
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(body, &w); err != nil {
		return nil, err
	}
	var out [][]string
	for _, r := range w.Rows {
		var row []string
		for _, c := range r.Cells {
			t, err := cellText(c)
			if err != nil {
				return nil, err
			}
			row = append(row, t)
		}
		out = append(out, row)
	}
	return out, nil
}

// FuzzDecodeTable feeds the table decoder arbitrary bytes: it must never
// panic, every row it returns has a cell for each column, and where
// kubectl's decoder reads the same table, the cells are the same.
func FuzzDecodeTable(f *testing.F) {
	f.Add(mustJSON(f, benchTable(2)))
	f.Add([]byte(`{"kind":"PodList","items":[{"metadata":{"name":"a"}}]}`))
	f.Add([]byte(`{"kind":"Table","columnDefinitions":[{"name":"Name","format":"name"},{"name":"Age"}],"rows":[{"cells":["a","3d"]},{"cells":[{"x":[1.5]},null]}]}`))
	f.Add([]byte(`{"kind":"Table","columnDefinitions":[{"name":"Name","format":"name"},{"name":"Note"}],"rows":[{"object":{"a":"]"},"cells":["a\u00e9\n2","x\"y"]},{"cells":["\ud83d\ude00", 1e3, -0.5, true]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		list, err := decodeTable(body, "ns", tableNow)
		if err != nil {
			return
		}
		for _, row := range list.Items {
			if len(row.cells) != len(list.Columns) {
				t.Fatalf("%d cells for %d columns", len(row.cells), len(list.Columns))
			}
		}
		ref, err := referenceCells(body)
		if err != nil || list.Kind != "Table" {
			return
		}
		if len(ref) != len(list.Items) {
			t.Fatalf("%d rows, kubectl's decoder %d", len(list.Items), len(ref))
		}
		for i, row := range ref {
			for j, text := range row {
				if j < len(list.Items[i].cells) && list.Items[i].cells[j].Text != text {
					t.Fatalf("row %d cell %d: %q, kubectl's decoder %q", i, j, list.Items[i].cells[j].Text, text)
				}
			}
		}
	})
}

// BenchmarkTableDecode reads a page of 5,000 pods' table, as a listing's
// pages arrive.
func BenchmarkTableDecode(b *testing.B) {
	body := mustJSON(b, benchTable(5000))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := decodeTable(body, "big", tableNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWatchEventApplied10k applies one watch event (a pod's row
// changed) to a 10,000-row listing and takes the listing's snapshot, as
// the tree reads it next.
func BenchmarkWatchEventApplied10k(b *testing.B) {
	l := newLists(nil, nil)
	defer l.Stop()
	e := &listEntry{lists: l, synced: make(chan struct{}), dirty: true}
	e.store = &rowStore{e: e, rows: map[string]Row{}}
	list, err := decodeTable(mustJSON(b, benchTable(10000)), "big", tableNow)
	if err != nil {
		b.Fatal(err)
	}
	items := make([]any, len(list.Items))
	for i := range list.Items {
		items[i] = &list.Items[i]
	}
	if err := e.store.Replace(items, "1"); err != nil {
		b.Fatal(err)
	}
	e.snapshot()
	changed := list.Items[5000]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		row := changed
		row.cells = append([]Cell(nil), changed.cells...)
		row.cells[3] = Cell{Text: fmt.Sprint(i)}
		if err := e.store.Update(&row); err != nil {
			b.Fatal(err)
		}
		if got := e.snapshot(); len(got.Rows) != 10000 {
			b.Fatalf("%d rows", len(got.Rows))
		}
	}
}

// A listing of every namespace asks for the rows' metadata and reads each
// row's namespace from it, not from a label or a managed field.
func TestDecodeTableOfEveryNamespace(t *testing.T) {
	body := `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"9"},
	"columnDefinitions":[{"name":"Name","type":"string","format":"name"},{"name":"Age","type":"string"}],
	"rows":[
	 {"cells":["web-0","5m"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"web-0","namespace":"team-a","labels":{"namespace":"x"}}}},
	 {"cells":["web-0","1h"],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"web-0","namespace":"team-b","managedFields":[{"fieldsV1":{"f:metadata":{"f:namespace":{}}}}]}}}
	]}`
	list, err := decodeTable([]byte(body), AllNamespaces, time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 || list.Items[0].Namespace != "team-a" || list.Items[1].Namespace != "team-b" {
		t.Fatalf("rows: %+v", list.Items)
	}
	if got := namespaceOf([]byte(`{"metadata":{"name":"a"}}`)); got != nil {
		t.Errorf("namespaceOf without a namespace = %q", got)
	}
	if path := collectionPath(schema.GroupVersionResource{Version: "v1", Resource: "pods"}, AllNamespaces); strings.Join(path, "/") != "/api/v1/pods" {
		t.Errorf("collection of every namespace: %q", path)
	}
}
