package model

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	contexts := []string{
		"dev", "prod", "prod:eu", "kind-kind",
		"arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu",
		"gke_project_europe-west1_main",
	}
	for _, c := range []struct {
		in, context, path string
	}{
		{"/namespaces/a", "", "/namespaces/a"},
		{"/cluster/clusterroles/system:node", "", "/cluster/clusterroles/system:node"},
		{"dev:/namespaces/a/pods", "dev", "/namespaces/a/pods"},
		{"dev:", "dev", "/"},
		{"dev:/", "dev", "/"},
		// The longest context that fits: "prod:eu" over "prod".
		{"prod:eu:/cluster", "prod:eu", "/cluster"},
		{"prod:/cluster", "prod", "/cluster"},
		{"arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu:/namespaces/payments/deployments/api/manifest.yaml",
			"arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu", "/namespaces/payments/deployments/api/manifest.yaml"},
		{"arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu:", "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu", "/"},
		{"gke_project_europe-west1_main:/cluster/nodes", "gke_project_europe-west1_main", "/cluster/nodes"},
	} {
		r, err := ParseRef(c.in, contexts)
		if err != nil {
			t.Errorf("ParseRef(%q): %v", c.in, err)
			continue
		}
		if r.Context != c.context || r.Path.String() != c.path {
			t.Errorf("ParseRef(%q) = %q, %q; want %q, %q", c.in, r.Context, r.Path, c.context, c.path)
		}
		if !strings.HasSuffix(c.in, ":") && r.String() != c.in {
			t.Errorf("ParseRef(%q).String() = %q", c.in, r.String())
		}
	}
	for _, c := range []struct{ in, want string }{
		{"staging:/namespaces", `unknown context "staging"`},
		{"staging:", `unknown context "staging"`},
		{"namespaces/a", "neither an absolute path"},
		{"dev:/namespaces/../x", `".."`},
		{"dev:namespaces", "neither an absolute path"},
		// Part of an ARN is no context.
		{"arn:aws:eks:eu-west-1:123456789012:cluster/prod:/cluster", `unknown context "arn:aws:eks:eu-west-1:123456789012:cluster/prod"`},
	} {
		_, err := ParseRef(c.in, contexts)
		if err == nil || !errors.Is(err, ErrNoSuchPath) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRef(%q) = %v, want an error saying %s", c.in, err, c.want)
		}
	}
}
