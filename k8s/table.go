package k8s

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/duration"
)

// Column is one column of a listing, as the server's printer for the type
// defines it: the columns `kubectl get` prints.
type Column struct {
	Name     string // as the server names it ("Ready"); kubectl prints it upper-cased
	Type     string // "string", "integer", "number", "boolean" or "date"
	Format   string // "name" for the object's name
	Priority int32  // 0: always shown; above 0: only in the wide view (-o wide)
}

// FormatMoment marks a column whose cells are moments written out in
// full (Helm's UPDATED): the tree shows each as its age, from Since, and
// `ls -l` prints the text, as the tool that made the column prints it.
const FormatMoment = "timestamp"

// Cell is one cell of a row.
type Cell struct {
	// Text is the cell as kubectl prints it, cut at its first line break
	// with "..." as kubectl does. Relative times hold the server's text.
	Text string
	// Since is, for a relative time (AGE and other date columns), the
	// Unix second it counts from; 0 for every other cell. See Age.
	Since int64
}

// Row is one object of a listing.
type Row struct {
	Name string
	// Namespace is the object's namespace: the listing's, or, in a
	// listing of every namespace, the object's own; "" for
	// cluster-scoped objects.
	Namespace string
	Cells     []Cell // one per column
}

// AllNamespaces, as a listing's namespace, lists a namespaced type in
// every namespace at once, as kubectl get -A does. It is no namespace's
// name ('*' is not allowed in one).
const AllNamespaces = "*"

// Age returns what the relative time of a cell shows at now: the
// server's words for the same moment (kubectl's HumanDuration). Other
// cells are returned as they are.
func (c Cell) Age(now time.Time) string {
	if c.Since == 0 {
		return c.Text
	}
	return duration.HumanDuration(now.Sub(time.Unix(c.Since, 0)))
}

// fallbackColumns are the columns of a type the server cannot print as a
// table (an aggregated API without Table support): NAME and AGE.
var fallbackColumns = []Column{{Name: "Name", Type: "string", Format: "name"}, {Name: "Age", Type: "string"}}

// tableRow is one object as it travels through client-go's reflector: a
// row of the server's table, with the identity the reflector needs
// (namespace, name, resource version). It never reaches the listing's
// users; the store keeps a Row.
type tableRow struct {
	metav1.TypeMeta
	metav1.ObjectMeta
	cells []Cell
	// columns are those of the watch event that brought the row, nil
	// when the event carried none (all but a watch's first).
	columns []Column
}

// DeepCopyObject implements runtime.Object. Rows are never changed after
// decoding, so a shallow copy is a copy.
func (r *tableRow) DeepCopyObject() runtime.Object { c := *r; return &c }

var (
	_ runtime.Object = (*tableRow)(nil)
	_ runtime.Object = (*rowList)(nil)
)

// rowList is one page of a table, as the reflector lists it.
type rowList struct {
	metav1.TypeMeta
	metav1.ListMeta
	Columns []Column
	Items   []tableRow
}

// DeepCopyObject implements runtime.Object, shallowly: see tableRow.
func (l *rowList) DeepCopyObject() runtime.Object { c := *l; return &c }

// The wire forms of a table and of the lists and objects that come when
// the server cannot print one. Rows stay raw until they are formatted,
// so a page is decoded once (scanTable, rowScanner).
type (
	wireTable struct {
		Kind       string          `json:"kind"`
		APIVersion string          `json:"apiVersion"`
		Metadata   metav1.ListMeta `json:"metadata"`
		Columns    []wireColumn    `json:"columnDefinitions"`
		Rows       []byte          // the rows, raw: see rowScanner
		// A plain list's items, when the server sent no table.
		Items []wireObject `json:"items"`
	}
	wireColumn struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Format   string `json:"format"`
		Priority int32  `json:"priority"`
	}
	wireObject struct {
		Kind     string            `json:"kind"`
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
)

// decodeTable reads a server's answer to a table request made at now: a
// Table, or, from a server that cannot print the type, a plain list
// (read as NAME and AGE), or a Status (returned as its error).
func decodeTable(body []byte, ns string, now time.Time) (*rowList, error) {
	w, err := scanTable(body)
	if err != nil {
		return nil, fmt.Errorf("unable to decode the list as a Table: %w", err)
	}
	list := &rowList{TypeMeta: metav1.TypeMeta{Kind: w.Kind, APIVersion: w.APIVersion}, ListMeta: w.Metadata}
	switch {
	case w.Kind == "Status":
		return nil, statusError(body)
	case w.Kind == "Table":
		list.Columns = columnsOf(w.Columns)
		rows, err := rowsOf(w.Rows, list.Columns, ns, w.Metadata.ResourceVersion, now)
		if err != nil {
			return nil, err
		}
		list.Items = rows
	case strings.HasSuffix(w.Kind, "List"):
		list.Columns = fallbackColumns
		list.Items = make([]tableRow, len(w.Items))
		for i, item := range w.Items {
			list.Items[i] = objectRow(&item.Metadata, now)
		}
	default:
		return nil, fmt.Errorf("unable to decode the list as a Table: kind %q", w.Kind)
	}
	return list, nil
}

// decodeWatchObject reads the object of one watch event made at now: a
// one-row Table, an object the server could not print, or a Status. A
// table event carries columns only when they are the watch's first;
// columns are those it had, and the row's columns field says whether it
// brought any.
func decodeWatchObject(raw []byte, ns string, columns []Column, now time.Time) (runtime.Object, error) {
	w, err := scanTable(raw)
	if err != nil {
		return nil, err
	}
	switch w.Kind {
	case "Status":
		var status metav1.Status
		if err := json.Unmarshal(raw, &status); err != nil {
			return nil, err
		}
		return &status, nil
	case "Table":
		brought := columnsOf(w.Columns)
		if brought != nil {
			columns = brought
		}
		rows, err := rowsOf(w.Rows, columns, ns, w.Metadata.ResourceVersion, now)
		if err != nil {
			return nil, err
		}
		if len(rows) != 1 {
			return nil, fmt.Errorf("a watch event's table has %d rows, want 1", len(rows))
		}
		rows[0].columns = brought
		return &rows[0], nil
	case "":
		return nil, errors.New("a watch event's object has no kind")
	}
	var obj wireObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	row := objectRow(&obj.Metadata, now)
	row.columns = fallbackColumns
	return &row, nil
}

func statusError(body []byte) error {
	var status metav1.Status
	if err := json.Unmarshal(body, &status); err != nil {
		return err
	}
	return apierrors.FromObject(&status)
}

func columnsOf(wire []wireColumn) []Column {
	if len(wire) == 0 {
		return nil
	}
	out := make([]Column, len(wire))
	for i, c := range wire {
		out[i] = Column(c)
	}
	return out
}

// NameColumn is the index of the column holding objects' names: the one
// of format "name", as kubectl finds it, else the first.
func NameColumn(columns []Column) int {
	for i, c := range columns {
		if c.Format == "name" {
			return i
		}
	}
	return 0
}

// relative reports whether a column's cells are ages: AGE, which the
// built-in printers send as text, and CRDs' date columns, which the
// server sends the same way.
func relative(c Column) bool {
	return c.Type == "date" || strings.EqualFold(c.Name, "Age")
}

// rowsOf formats the wire rows of a table. Rows come without objects
// (includeObject=None): the name is the name column's cell, and the
// namespace the listing's; a listing of every namespace asks for their
// metadata, for each row's namespace.
func rowsOf(raw []byte, columns []Column, ns, rv string, now time.Time) ([]tableRow, error) {
	if raw == nil {
		return nil, nil
	}
	name := NameColumn(columns)
	// Sized once: a page's rows are many and large.
	out := make([]tableRow, 0, bytes.Count(raw, []byte(`"cells"`)))
	s := rowScanner{b: raw, intern: map[string]string{}, unique: name}
	err := s.rows(func(texts []string, object []byte) error {
		if len(columns) == 0 {
			return errors.New("a table without columns")
		}
		cells := make([]Cell, len(columns))
		for j := range columns {
			if j >= len(texts) {
				break
			}
			cells[j] = Cell{Text: texts[j]}
			if relative(columns[j]) {
				cells[j].Since = since(texts[j], now)
			}
		}
		rowNS := ns
		if ns == AllNamespaces {
			rowNS = s.text(namespaceOf(object))
		}
		out = append(out, tableRow{ObjectMeta: metav1.ObjectMeta{Name: cells[name].Text, Namespace: rowNS, ResourceVersion: rv}, cells: cells})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, s.end()
}

// objectRow is the NAME and AGE row of an object the server could not
// print; its age is exact.
func objectRow(m *metav1.ObjectMeta, now time.Time) tableRow {
	age := Cell{Text: "<unknown>"}
	if !m.CreationTimestamp.IsZero() {
		age = Cell{Text: duration.HumanDuration(now.Sub(m.CreationTimestamp.Time)), Since: m.CreationTimestamp.Unix()}
	}
	return tableRow{
		ObjectMeta: metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, ResourceVersion: m.ResourceVersion},
		cells:      []Cell{{Text: m.Name}, age},
	}
}

// cellText formats one cell as kubectl's table printer does: strings cut
// at the first newline, carriage return or form feed with "...", numbers
// as the integers or floats kubectl decodes them to, null as nothing.
func cellText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if i := strings.IndexAny(s, "\f\n\r"); i >= 0 {
			s = s[:i] + "..."
		}
		return s, nil
	case 'n':
		return "", nil
	case 't', 'f':
		return string(raw), nil
	case '{', '[':
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return "", err
		}
		return fmt.Sprint(kubectlNumbers(v)), nil
	}
	v, err := number(string(raw))
	if err != nil {
		return "", err
	}
	return fmt.Sprint(v), nil
}

// number is a JSON number as kubectl's decoder gives it: an int64 where
// it is one, else a float64.
func number(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("bad cell %q", s)
	}
	return f, nil
}

// kubectlNumbers replaces the json.Numbers in v with what number makes
// of them, so fmt prints a compound cell as kubectl does.
func kubectlNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if n, err := number(string(t)); err == nil {
			return n
		}
	case map[string]any:
		for k, e := range t {
			t[k] = kubectlNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = kubectlNumbers(e)
		}
	}
	return v
}

// since reads a relative time the server printed at now ("5m", "3d4h",
// "45s") and returns the Unix second it counts from; 0 for anything else
// ("<unknown>", an RFC 3339 time, which does not count).
//
// The server rounds ages down to its unit (seconds under ten minutes,
// minutes under three hours, then coarser), so the moment found is at
// most one unit late, and so is every age shown from it: the same
// precision kubectl's own output has. A later event for the object
// narrows it (see rowStore.put).
func since(text string, now time.Time) int64 {
	d, ok := parseHumanDuration(text)
	if !ok {
		return 0
	}
	return now.Add(-d).Unix()
}

// parseHumanDuration reads what apimachinery's duration.HumanDuration
// writes: numbers each followed by y, d, h, m or s.
func parseHumanDuration(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 6 { // six digits: no overflow of a Duration
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		var unit time.Duration
		switch s[i] {
		case 'y':
			unit = 365 * 24 * time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, false
		}
		total += time.Duration(n) * unit
		s = s[i+1:]
	}
	return total, true
}

// tableAccept asks for the server's own printing of a collection, the
// table `kubectl get` shows, as kubectl asks for it; a server that cannot
// print a type answers with a plain list instead.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

// collectionPath is the path of gvr's collection in ns ("" for
// cluster-wide).
func collectionPath(gvr schema.GroupVersionResource, ns string) []string {
	prefix := []string{"/apis", gvr.Group, gvr.Version}
	if gvr.Group == "" {
		prefix = []string{"/api", gvr.Version}
	}
	if ns != "" && ns != AllNamespaces {
		prefix = append(prefix, "namespaces", ns)
	}
	return append(prefix, gvr.Resource)
}

// namespaceOf reads metadata.namespace from a row's object, which the
// server writes as PartialObjectMetadata: its metadata's fields in their
// declared order, so the first "namespace" key is metadata's own, before
// any label, annotation or managed field. Namespace names need no
// escapes.
func namespaceOf(object []byte) []byte {
	const key = `"namespace":"`
	i := bytes.Index(object, []byte(key))
	if i < 0 {
		return nil
	}
	rest := object[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}
