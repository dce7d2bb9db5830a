package cli

import (
	"strings"
	"testing"
)

// A wrong grep or mount command line fails at once, as one line, with
// grep's trouble status for grep, before any cluster is asked.
func TestGrepAndMountCommandLines(t *testing.T) {
	kc := kubeconfig(t, "https://127.0.0.1:1")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"grep", "x"}, 2, "a pattern and at least one path"},
		{[]string{"grep", "a(", "/namespaces"}, 2, "pattern: error parsing regexp"},
		{[]string{"grep", "--in", "bogus.txt", "x", "/namespaces"}, 2, `--in "bogus.txt"`},
		{[]string{"grep", "x", "nope:/namespaces"}, 2, `unknown context "nope"`},
		{[]string{"mount"}, 2, "exactly one directory"},
		{[]string{"mount", "--max-in-flight", "0", t.TempDir()}, 2, "must be positive"},
		{[]string{"mount", t.TempDir() + "/missing"}, 1, "does not exist"},
	} {
		_, errOut, code := run(append([]string{"--kubeconfig", kc}, tc.args...)...)
		if code != tc.code || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestGrepMatcher(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		s       grepFlags
		line    string
		want    bool
	}{
		{"image: nginx", grepFlags{}, "  image: nginx:1.27", true},
		{"IMAGE", grepFlags{}, "image", false},
		{"IMAGE", grepFlags{ignoreCase: true}, "image", true},
		{"a.b", grepFlags{fixed: true}, "axb", false},
		{"a.b", grepFlags{fixed: true}, "a.b", true},
		{"^kind: (Pod|Service)$", grepFlags{}, "kind: Service", true},
	} {
		match, err := grepMatcher(tc.pattern, tc.s)
		if err != nil {
			t.Fatal(err)
		}
		if got := match(tc.line); got != tc.want {
			t.Errorf("%q %+v on %q = %v", tc.pattern, tc.s, tc.line, got)
		}
	}
}

func TestContextDir(t *testing.T) {
	for in, want := range map[string]string{
		"dev": "dev", "arn:aws:eks:eu-west-1:1:cluster/prod": "arn:aws:eks:eu-west-1:1:cluster_prod", "..": "_..",
	} {
		if got := contextDir(in); got != want {
			t.Errorf("contextDir(%q) = %q, want %q", in, got, want)
		}
	}
}
