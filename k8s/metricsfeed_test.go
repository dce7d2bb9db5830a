package k8s

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func container(req, lim corev1.ResourceList) corev1.Container {
	return corev1.Container{Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}
}

func TestPodCapacitySumsContainers(t *testing.T) {
	q := resource.MustParse
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		container(corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("64Mi")},
			corev1.ResourceList{corev1.ResourceCPU: q("1"), corev1.ResourceMemory: q("128Mi")}),
		// No limits: the pod has no bound to measure against.
		container(corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("32Mi")}, nil),
	}}}
	got := podCapacity(pod)
	want := capacity{req: usage{cpu: 150, mem: 96 << 20}, lim: usage{cpu: -1, mem: -1}}
	if got != want {
		t.Errorf("podCapacity = %+v, want %+v", got, want)
	}
}

func TestMetricsJoinAddsColumnsBeforeAge(t *testing.T) {
	e := &listEntry{}
	f := &metricsFeed{e: e, caps: map[objectName]capacity{
		rowKey("", "web-0"): {req: usage{cpu: 200, mem: 100 << 20}, lim: usage{cpu: 400, mem: 200 << 20}},
	}}
	f.figures = map[objectName]usage{rowKey("", "web-0"): {cpu: 100, mem: 190 << 20}, rowKey("", "db-0"): {cpu: 7, mem: 1 << 20}}
	f.at = time.Unix(1000, 0)
	columns := []Column{{Name: "Name", Format: "name"}, {Name: "Status"}, {Name: "Age"}, {Name: "IP", Priority: 1}}
	l := Listing{Columns: columns, Version: 1 << 40, Synced: true, Rows: []Row{
		{Name: "db-0", Cells: []Cell{{Text: "db-0"}, {Text: "Running"}, {Text: "1m", Since: 5}, {Text: "10.0.0.1"}}},
		{Name: "new-0", Cells: []Cell{{Text: "new-0"}, {Text: "Pending"}, {Text: "1s", Since: 6}, {Text: "<none>"}}},
		{Name: "web-0", Cells: []Cell{{Text: "web-0"}, {Text: "Running"}, {Text: "2m", Since: 4}, {Text: "10.0.0.2"}}},
	}}
	got := f.join(l)
	var names []string
	for _, c := range got.Columns {
		names = append(names, c.Name)
	}
	if want := []string{"Name", "Status", "CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "Age", "IP"}; !slices.Equal(names, want) {
		t.Fatalf("columns %v, want %v", names, want)
	}
	text := func(r Row) []string {
		var out []string
		for _, c := range r.Cells {
			out = append(out, c.Text)
		}
		return out
	}
	for i, want := range [][]string{
		{"db-0", "Running", "7m", "1Mi", "n/a", "n/a", "n/a", "n/a", "1m", "10.0.0.1"},
		// No figures yet: empty cells, the row's own cells in place.
		{"new-0", "Pending", "", "", "", "", "", "", "1s", "<none>"},
		{"web-0", "Running", "100m", "190Mi", "50", "25", "190", "95", "2m", "10.0.0.2"},
	} {
		if g := text(got.Rows[i]); !slices.Equal(g, want) {
			t.Errorf("row %d = %q, want %q", i, g, want)
		}
	}
	if got.Metrics.At != f.at || !got.Synced || got.Version == l.Version {
		t.Errorf("listing: at %v synced %v version %d", got.Metrics.At, got.Synced, got.Version)
	}
	// The source rows are not changed, and an unchanged join is reused.
	if len(l.Rows[0].Cells) != 4 {
		t.Errorf("join changed the listing's own rows")
	}
	if again := f.join(l); again.Version != got.Version {
		t.Errorf("a second join of the same listing made a new version")
	}
	// Without figures, the listing is as the server gave it, with why.
	f.figures, f.note = nil, "metrics: forbidden"
	if plain := f.join(l); len(plain.Columns) != len(columns) || plain.Metrics.Note != "metrics: forbidden" {
		t.Errorf("without figures: %d columns, note %q", len(plain.Columns), plain.Metrics.Note)
	}
}
