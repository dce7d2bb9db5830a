package model

import "testing"

func TestGlobSegments(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		ok, match     bool
	}{
		{"web", "web", true, true},
		{"web", "web-0", true, false},
		{"web-*", "web-0", true, true},
		{"team-?", "team-a", true, true},
		{"[ab]pi", "api", true, true},
		{"[ab", "a", false, false},
		{"a%*", "", false, false},
		{"x#?", "", false, false},
		{"..", "", false, false},
		{"", "anything", false, true},
	} {
		err := checkGlobSegment(tc.pattern)
		if (err == nil) != tc.ok {
			t.Errorf("checkGlobSegment(%q) = %v, want ok=%v", tc.pattern, err, tc.ok)
		}
		if tc.ok || tc.pattern == "" {
			if got := matchSegment(tc.pattern, tc.name); got != tc.match {
				t.Errorf("matchSegment(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.match)
			}
		}
	}
}

func TestSplitRef(t *testing.T) {
	contexts := []string{"dev", "arn:aws:eks:eu-west-1:1:cluster/prod"}
	for _, tc := range []struct{ in, ctx, path string }{
		{"/namespaces/*/deployments", "", "/namespaces/*/deployments"},
		{"dev:/namespaces/team-*", "dev", "/namespaces/team-*"},
		{"dev:", "dev", "/"},
		{"arn:aws:eks:eu-west-1:1:cluster/prod:/cluster", "arn:aws:eks:eu-west-1:1:cluster/prod", "/cluster"},
	} {
		ctx, path, err := SplitRef(tc.in, contexts)
		if err != nil || ctx != tc.ctx || path != tc.path {
			t.Errorf("SplitRef(%q) = %q, %q, %v", tc.in, ctx, path, err)
		}
	}
	if _, _, err := SplitRef("nope:/x", contexts); err == nil {
		t.Error("an unknown context split without an error")
	}
}
