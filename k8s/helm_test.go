package k8s

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestHelmRecordOf(t *testing.T) {
	meta := func(name string, labels map[string]string) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "a", Labels: labels, ResourceVersion: "7"}}
	}
	r, ok := helmRecordOf(meta("sh.helm.release.v1.web.v3", map[string]string{
		"owner": "helm", "name": "web", "version": "3", "status": "deployed", "createdAt": "1700000000", "modifiedAt": "1700000100",
	}), false)
	want := HelmRecord{Namespace: "a", Release: "web", Revision: 3, Status: "deployed", Modified: time.Unix(1700000100, 0),
		Object: "sh.helm.release.v1.web.v3", ResourceVersion: "7"}
	if !ok || r != want {
		t.Errorf("record = %+v, %v; want %+v", r, ok, want)
	}
	// Without modifiedAt (never updated), createdAt.
	r, _ = helmRecordOf(meta("x", map[string]string{"owner": "helm", "name": "web", "version": "1", "createdAt": "1700000000"}), true)
	if !r.Modified.Equal(time.Unix(1700000000, 0)) || !r.ConfigMap {
		t.Errorf("record without modifiedAt = %+v", r)
	}
	for _, labels := range []map[string]string{
		{"owner": "someone", "name": "web", "version": "1"},
		{"owner": "helm", "version": "1"},
		{"owner": "helm", "name": "web", "version": "x"},
		{"owner": "helm", "name": "web", "version": "0"},
	} {
		if r, ok := helmRecordOf(meta("x", labels), false); ok {
			t.Errorf("labels %v made a record: %+v", labels, r)
		}
	}
}

func TestLatestRecordsAndCells(t *testing.T) {
	records := map[helmKey]HelmRecord{}
	for _, r := range []HelmRecord{
		{Namespace: "a", Release: "web", Revision: 1, Status: "superseded", Object: "w1"},
		{Namespace: "a", Release: "web", Revision: 2, Status: "failed", Object: "w2", Modified: time.Unix(1700000000, 0)},
		{Namespace: "a", Release: "api", Revision: 5, Status: "deployed", Object: "a5"},
		{Namespace: "b", Release: "web", Revision: 1, Status: "pending-install", Object: "bw1"},
	} {
		records[r.key()] = r
	}
	latest := latestRecords(records)
	var got []string
	for _, r := range latest {
		got = append(got, r.Namespace+"/"+r.Release+"@"+r.Status)
	}
	want := []string{"a/api@deployed", "a/web@failed", "b/web@pending-install"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("latest = %q, want %q", got, want)
	}
	cells := helmCells(latest[1], helmChart{})
	if cells[0].Text != "web" || cells[1].Text != "2" || cells[2].Since != 1700000000 || cells[3].Text != "failed" || cells[4].Text != "" {
		t.Errorf("cells before decoding = %+v", cells)
	}
	cells = helmCells(latest[1], helmChart{chart: "app-1.0.0", app: "2", updated: "2026-01-01 00:00:00 +0000 UTC", updatedAt: 1767225600})
	if cells[2].Text != "2026-01-01 00:00:00 +0000 UTC" || cells[2].Since != 1767225600 || cells[4].Text != "app-1.0.0" || cells[5].Text != "2" {
		t.Errorf("cells decoded = %+v", cells)
	}
}
