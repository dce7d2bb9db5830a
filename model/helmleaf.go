package model

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/cli/output"
	"sigs.k8s.io/yaml"

	"github.com/kfsui/kfsui/k8s"
)

// HelmLeafText renders one leaf of a decoded release as the pinned helm
// prints it:
//
//   - values.yaml: helm get values -o yaml (the user-supplied values);
//   - values-all.yaml: helm get values --all -o yaml (computed with Helm's
//     own coalescing);
//   - manifest.yaml: helm get manifest;
//   - notes.txt: helm get notes;
//   - hooks.yaml: helm get hooks;
//   - chart.yaml: the chart's Chart.yaml metadata, as helm show chart
//     prints a chart's;
//   - status.yaml: helm get metadata --revision N -o yaml, with the
//     revision's description (why it is in its status) added. (Without
//     --revision, helm 4.3 also prints Helm's own storage labels, owner,
//     status and the like, read by another path; with it, the release's
//     labels only, as here.)
//
// The values leaves take -o yaml's form rather than the table form's
// "USER-SUPPLIED VALUES:" heading so that they are YAML, fit for helm's -f.
// Unless reveal, the data of Secrets in manifest.yaml and hooks.yaml is
// masked, as everywhere in kfsui. Safe from any goroutine.
func HelmLeafText(rel *k8s.HelmRelease, leaf string, reveal bool) (string, Format, error) {
	var b bytes.Buffer
	switch leaf {
	case LeafHelmValues:
		if err := output.EncodeYAML(&b, rel.Config); err != nil {
			return "", FormatYAML, err
		}
	case LeafHelmValuesAll:
		vals, err := util.CoalesceValues(rel.Chart, rel.Config)
		if err != nil {
			return "", FormatYAML, err
		}
		if err := output.EncodeYAML(&b, map[string]any(vals)); err != nil {
			return "", FormatYAML, err
		}
	case LeafHelmManifest:
		fmt.Fprintln(&b, maskManifestSecrets(rel.Manifest, reveal))
	case LeafHelmNotes:
		if rel.Info != nil && rel.Info.Notes != "" {
			fmt.Fprintf(&b, "NOTES:\n%s\n", rel.Info.Notes)
		}
		return b.String(), FormatText, nil
	case LeafHelmHooks:
		for _, h := range rel.Hooks {
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, maskManifestSecrets(h.Manifest, reveal))
		}
	case LeafHelmChart:
		if rel.Chart == nil || rel.Chart.Metadata == nil {
			return "", FormatYAML, fmt.Errorf("release %s revision %d has no chart metadata", rel.Name, rel.Version)
		}
		if err := output.EncodeYAML(&b, rel.Chart.Metadata); err != nil {
			return "", FormatYAML, err
		}
	case LeafHelmStatus:
		return helmStatus(rel)
	default:
		return "", FormatYAML, fmt.Errorf("%w: no leaf %q in a Helm release", ErrNoSuchPath, leaf)
	}
	return b.String(), FormatYAML, nil
}

// helmMetadata is what helm get metadata -o yaml prints (its action's
// Metadata, whose package kfsui does not link: see the README), plus the
// revision's description.
type helmMetadata struct {
	Name         string            `json:"name"`
	Chart        string            `json:"chart"`
	Version      string            `json:"version"`
	AppVersion   string            `json:"appVersion"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Dependencies []any             `json:"dependencies,omitempty"`
	Namespace    string            `json:"namespace"`
	Revision     int               `json:"revision"`
	Status       string            `json:"status"`
	DeployedAt   string            `json:"deployedAt"`
	ApplyMethod  string            `json:"applyMethod,omitempty"`
	Description  string            `json:"description,omitempty"`
}

func helmStatus(rel *k8s.HelmRelease) (string, Format, error) {
	m := helmMetadata{Name: rel.Name, Namespace: rel.Namespace, Revision: rel.Version, Labels: rel.Labels, ApplyMethod: rel.ApplyMethod}
	if c := rel.Chart; c != nil && c.Metadata != nil {
		m.Chart, m.Version, m.AppVersion, m.Annotations = c.Metadata.Name, c.Metadata.Version, c.Metadata.AppVersion, c.Metadata.Annotations
		for _, d := range c.Metadata.Dependencies {
			m.Dependencies = append(m.Dependencies, d)
		}
	}
	if rel.Info != nil {
		m.Status, m.Description = rel.Info.Status.String(), rel.Info.Description
		m.DeployedAt = rel.Info.LastDeployed.Format(time.RFC3339)
	}
	out, err := yaml.Marshal(m)
	return string(out), FormatYAML, err
}

// maskManifestSecrets masks the values of the Secrets among the YAML
// documents of a manifest, each document kept as it is otherwise (its
// "# Source:" comment included), unless reveal.
func maskManifestSecrets(manifest string, reveal bool) string {
	if reveal || !strings.Contains(manifest, "Secret") {
		return manifest
	}
	docs := strings.Split(manifest, "\n---")
	for i, doc := range docs {
		var head struct {
			Kind string `json:"kind"`
		}
		if yaml.Unmarshal([]byte(doc), &head) != nil || head.Kind != "Secret" {
			continue
		}
		var obj map[string]any
		if yaml.Unmarshal([]byte(doc), &obj) != nil {
			continue
		}
		for _, field := range []string{"data", "stringData"} {
			values, ok := obj[field].(map[string]any)
			if !ok {
				continue
			}
			for k, v := range values {
				s, _ := v.(string)
				values[k] = fmt.Sprintf("[hidden: %d bytes]", len(s))
			}
		}
		masked, err := yaml.Marshal(obj)
		if err != nil {
			continue
		}
		// Keep the comment lines (# Source: ...) above the object.
		var comments []string
		for _, line := range strings.Split(strings.TrimPrefix(doc, "\n"), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			comments = append(comments, line)
		}
		lead := ""
		if strings.HasPrefix(doc, "\n") {
			lead = "\n"
		}
		docs[i] = lead + strings.Join(append(comments, strings.TrimSuffix(string(masked), "\n")), "\n")
	}
	return strings.Join(docs, "\n---")
}
