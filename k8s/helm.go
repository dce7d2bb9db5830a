package k8s

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Helm releases are no API type: Helm keeps each revision of a release as
// a Secret (or, with HELM_DRIVER=configmap, a ConfigMap) labelled
// owner=helm, whose labels say the release's name, revision and status.
// The catalog serves them as one more namespaced type, "helm", so that
// namespaces list them, /all joins them and every front end shows them
// as it shows a type; its listing is fed by the metadata of those Secrets
// and ConfigMaps alone, and a release is decoded only when it is opened
// (or, in the background, for the CHART column of its latest revision).

// HelmGVR names the helm type's listings (ListKey) and its change
// notices. No server serves it; requests for it go to Secrets and
// ConfigMaps.
var HelmGVR = schema.GroupVersionResource{Group: "helm.sh", Version: "v1", Resource: "releases"}

// HelmTypeName is the helm type's directory name.
const HelmTypeName = "helm"

// HelmSelector selects Helm's release records, as Helm's own storage
// drivers list them.
const HelmSelector = "owner=helm"

var (
	secretsGVR    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// helmType is the catalog's type of Helm releases.
func helmType() Type {
	return Type{Name: HelmTypeName, GVR: HelmGVR, Kind: "Release", Namespaced: true, Watchable: true}
}

// IsHelm reports whether t is the type of Helm releases.
func (t Type) IsHelm() bool { return t.GVR == HelmGVR }

// helmColumns are the columns `helm list` prints, NAMESPACE left to
// /all as for every type.
var helmColumns = []Column{
	{Name: "Name", Type: "string", Format: "name"},
	{Name: "Revision", Type: "integer"},
	{Name: "Updated", Type: "string", Format: FormatMoment},
	{Name: "Status", Type: "string"},
	{Name: "Chart", Type: "string"},
	{Name: "App Version", Type: "string"},
}

// HelmRecord is one revision of a release, as the labels of the Secret
// or ConfigMap holding it tell.
type HelmRecord struct {
	Namespace string
	Release   string
	Revision  int64
	Status    string
	// Modified is when Helm last wrote the record (its modifiedAt label,
	// else createdAt); zero when neither is set.
	Modified time.Time
	// Object is the Secret's or ConfigMap's name.
	Object string
	// ConfigMap is set for records kept by Helm's configmap driver.
	ConfigMap       bool
	ResourceVersion string
}

// helmRecordOf reads the record a Secret's or ConfigMap's metadata
// describes; ok is false for objects that are no release record.
func helmRecordOf(m *metav1.PartialObjectMetadata, configMap bool) (HelmRecord, bool) {
	lb := m.Labels
	rev, err := strconv.ParseInt(lb["version"], 10, 64)
	if lb["owner"] != "helm" || lb["name"] == "" || err != nil || rev < 1 {
		return HelmRecord{}, false
	}
	r := HelmRecord{Namespace: m.Namespace, Release: lb["name"], Revision: rev, Status: lb["status"],
		Object: m.Name, ConfigMap: configMap, ResourceVersion: m.ResourceVersion}
	for _, l := range []string{"modifiedAt", "createdAt"} {
		if s, err := strconv.ParseInt(lb[l], 10, 64); err == nil {
			r.Modified = time.Unix(s, 0)
			break
		}
	}
	return r, true
}

// helmKey keys a record in a helmState: its kind, namespace and object.
type helmKey struct {
	configMap bool
	namespace string
	object    string
}

func (r HelmRecord) key() helmKey { return helmKey{r.ConfigMap, r.Namespace, r.Object} }

// helmState is a helm listing's records, from two reflectors (Secrets
// and ConfigMaps), and the charts decoded for its CHART column.
//
// Concurrency: safe from any goroutine.
type helmState struct {
	e *listEntry

	mu      sync.Mutex
	records map[helmKey]HelmRecord
	listed  [2]bool  // [secrets, configmaps]: a complete list arrived
	errs    [2]error // each side's last failure
	charts  map[helmKey]helmChart
	asked   map[helmKey]string // the resource version each decode in flight is for
	redraw  *time.Timer        // the rebuild for the charts decoded lately, until it runs
}

// helmBatch is how long the charts decoded wait for others before their
// rows are rebuilt.
const helmBatch = 250 * time.Millisecond

// helmChart is what the CHART, APP VERSION and UPDATED columns take from
// a decoded release, for one resource version of its record.
type helmChart struct {
	resourceVersion string
	chart, app      string
	updated         string // Info.LastDeployed as helm list prints it; "" if unset
	updatedAt       int64  // the same, in Unix seconds
}

// changed rebuilds the listing's rows from the records and asks for the
// charts its rows lack. The rows are set under s.mu, so that two changes
// at once cannot leave the older one's rows shown.
func (s *helmState) changed() {
	s.mu.Lock()
	latest := latestRecords(s.records)
	rows := make([]Row, 0, len(latest))
	var want []HelmRecord
	pending := 0
	shown := make(map[helmKey]bool, len(latest))
	for _, r := range latest {
		shown[r.key()] = true
		c, ok := s.charts[r.key()]
		if !ok || c.resourceVersion != r.ResourceVersion {
			c = helmChart{}
			pending++
			if s.asked[r.key()] != r.ResourceVersion {
				s.asked[r.key()] = r.ResourceVersion
				want = append(want, r)
			}
		}
		rows = append(rows, Row{Name: r.Release, Namespace: r.Namespace, Cells: helmCells(r, c)})
	}
	// Charts of revisions no longer latest, or of releases gone, are
	// not needed again.
	for k := range s.charts {
		if !shown[k] {
			delete(s.charts, k)
		}
	}
	synced, err := s.syncedLocked(), s.errLocked()
	sortRows(rows)
	e := s.e
	e.mu.Lock()
	e.setRows(rows)
	e.dirty, e.pending = false, pending
	e.mu.Unlock()
	s.mu.Unlock()
	if synced && !e.isSynced() {
		e.markSynced() // notifies
		if err != nil {
			e.setErr(err) // which markSynced cleared: one side fails
		}
	} else {
		e.lists.notify(e.key)
	}
	for _, r := range want {
		go s.decodeChart(r)
	}
}

// helmCells are a release's row: labels first, the chart's columns once
// decoded.
func helmCells(r HelmRecord, c helmChart) []Cell {
	updated := Cell{Text: c.updated, Since: c.updatedAt}
	if updated.Text == "" && !r.Modified.IsZero() {
		updated = Cell{Text: r.Modified.String(), Since: r.Modified.Unix()}
	}
	if updated.Text == "" {
		updated.Text = "-"
	}
	return []Cell{{Text: r.Release}, {Text: strconv.FormatInt(r.Revision, 10)}, updated,
		{Text: r.Status}, {Text: c.chart}, {Text: c.app}}
}

// latestRecords returns each release's latest revision. A release's
// records are in one namespace and one driver; should both drivers hold
// one, the higher revision wins.
func latestRecords(records map[helmKey]HelmRecord) []HelmRecord {
	type release struct{ ns, name string }
	latest := map[release]HelmRecord{}
	for _, r := range records {
		k := release{r.Namespace, r.Release}
		if old, ok := latest[k]; !ok || r.Revision > old.Revision {
			latest[k] = r
		}
	}
	out := make([]HelmRecord, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	// In the order shown, so that the charts of the rows on screen
	// first are decoded first.
	slices.SortFunc(out, func(a, b HelmRecord) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Release, b.Release))
	})
	return out
}
