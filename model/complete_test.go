package model

import (
	"slices"
	"testing"
)

// Tab completes the last word from what it follows: a context after
// "ctx ", a segment after a '/', a name after a resource, else an alias;
// Common is what every match begins with.
func TestComplete(t *testing.T) {
	cat := testCatalog()
	base := MustParse("/namespaces/team-a")
	listed := map[string][]Entry{
		"/namespaces/team-a/deployments": {{Name: "web", Dir: true}, {Name: "worker", Dir: true}, {Name: "api", Dir: true}},
		"/":                              {{Name: "namespaces", Dir: true}, {Name: "cluster", Dir: true}, {Name: "all", Dir: true}},
	}
	list := func(p Path) []Entry { return listed[p.String()] }
	contexts := []string{"dev", "prod", "prod-eu"}
	cases := []struct {
		in, prefix, common string
		matches            []string
	}{
		{"ctx pr", "ctx ", "prod", []string{"prod", "prod-eu"}},
		{"deployments/w", "deployments/", "w", []string{"web/", "worker/"}},
		{"deploy a", "deploy ", "api", []string{"api"}},
		{"/n", "/", "namespaces/", []string{"namespaces/"}},
		{"dep", "", "deploy", []string{"deploy", "deployment", "deployments", "deployments.apps"}},
		{"deployments/x", "deployments/", "x", nil},
	}
	for _, c := range cases {
		got := Complete(c.in, cat, base, "", contexts, list)
		if got.Prefix != c.prefix || got.Common() != c.common || !slices.Equal(got.Matches, c.matches) {
			t.Errorf("Complete(%q) = %q %v (common %q), want %q %v (common %q)", c.in, got.Prefix, got.Matches, got.Common(), c.prefix, c.matches, c.common)
		}
	}
}
