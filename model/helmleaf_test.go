package model

import (
	"strings"
	"testing"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/release/common"
	rspb "helm.sh/helm/v4/pkg/release/v1"

	"github.com/kfsui/kfsui/k8s"
)

func testRelease() *k8s.HelmRelease {
	manifest := "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n" +
		"---\n# Source: app/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: aHVudGVyMg==\nstringData:\n  token: abc\n"
	return &k8s.HelmRelease{Release: &rspb.Release{
		Name: "web", Namespace: "a", Version: 2,
		Chart: &chart.Chart{
			Metadata: &chart.Metadata{APIVersion: "v2", Name: "app", Version: "1.2.3", AppVersion: "4.5"},
			Values:   map[string]any{"replicas": 1, "image": "nginx", "nested": map[string]any{"x": 1, "y": 2}},
		},
		Config:   map[string]any{"replicas": 3, "nested": map[string]any{"y": 5}},
		Manifest: manifest,
		Hooks:    []*rspb.Hook{{Path: "app/templates/hook.yaml", Manifest: "kind: Secret\ndata:\n  k: dmFsdWU="}},
		Info: &rspb.Info{Status: common.StatusDeployed, Description: "Upgrade complete", Notes: "Hello.",
			LastDeployed: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)},
	}}
}

func TestHelmLeafText(t *testing.T) {
	rel := testRelease()
	cases := map[string]string{
		LeafHelmValues:    "nested:\n  \"y\": 5\nreplicas: 3\n",
		LeafHelmValuesAll: "image: nginx\nnested:\n  x: 1\n  \"y\": 5\nreplicas: 3\n",
		LeafHelmNotes:     "NOTES:\nHello.\n",
		LeafHelmChart:     "apiVersion: v2\nappVersion: \"4.5\"\nname: app\nversion: 1.2.3\n",
	}
	for leaf, want := range cases {
		got, _, err := HelmLeafText(rel, leaf, false)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", leaf, got, err, want)
		}
	}
	status, _, err := HelmLeafText(rel, LeafHelmStatus, false)
	for _, line := range []string{"name: web\n", "chart: app\n", "version: 1.2.3\n", "appVersion: \"4.5\"\n", "revision: 2\n",
		"status: deployed\n", "deployedAt: \"2026-12-07T10:00:00Z\"\n", "description: Upgrade complete\n", "namespace: a\n"} {
		if err != nil || !strings.Contains(status, line) {
			t.Errorf("status.yaml lacks %q (%v):\n%s", line, err, status)
		}
	}
	if _, _, err := HelmLeafText(rel, "describe.txt", false); err == nil {
		t.Error("an unknown leaf rendered")
	}
	// Notes left empty print nothing, as helm get notes does.
	rel.Info.Notes = ""
	if got, _, _ := HelmLeafText(rel, LeafHelmNotes, false); got != "" {
		t.Errorf("empty notes = %q", got)
	}
}

func TestHelmManifestMasksSecrets(t *testing.T) {
	rel := testRelease()
	masked, _, err := HelmLeafText(rel, LeafHelmManifest, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"aHVudGVyMg==", "token: abc"} {
		if strings.Contains(masked, secret) {
			t.Errorf("manifest.yaml shows %q:\n%s", secret, masked)
		}
	}
	for _, kept := range []string{"# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n---\n",
		"# Source: app/templates/secret.yaml\n", "password: '[hidden: 12 bytes]'", "token: '[hidden: 3 bytes]'"} {
		if !strings.Contains(masked, kept) {
			t.Errorf("manifest.yaml lacks %q:\n%s", kept, masked)
		}
	}
	hooks, _, _ := HelmLeafText(rel, LeafHelmHooks, false)
	if strings.Contains(hooks, "dmFsdWU=") || !strings.HasPrefix(hooks, "---\n# Source: app/templates/hook.yaml\n") {
		t.Errorf("hooks.yaml = %q", hooks)
	}
	revealed, _, _ := HelmLeafText(rel, LeafHelmManifest, true)
	if revealed != rel.Manifest+"\n" {
		t.Errorf("revealed manifest.yaml is not helm get manifest's:\n%s", revealed)
	}
}
