package model

import (
	"strings"
	"testing"
)

// FuzzParse: whatever the input, Parse either refuses it or returns a path
// whose segments are all valid and whose string parses back to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"/", "/namespaces/a/pods/b/logs/c.log", "/cluster/nodes/n/events.txt",
		"/namespaces/a/deployments/b/manifest.yaml", "//", "/namespaces/../x", "/cluster/x/%2e",
		"/namespaces/a/b/c/d/e/f", "/namespaces/a\x00b", "/cluster/clusterroles/system:node/manifest.json",
		"relative/path", "/namespaces/a/pods/b/logs/", "/namespaces/?/pods",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		str := p.String()
		if !strings.HasPrefix(str, "/") {
			t.Fatalf("Parse(%q).String() = %q, not absolute", s, str)
		}
		for _, seg := range strings.Split(strings.Trim(str, "/"), "/") {
			if str != "/" && CheckSegment(seg) != nil {
				t.Fatalf("Parse(%q) let through segment %q", s, seg)
			}
		}
		back, err := Parse(str)
		if err != nil || back != p {
			t.Fatalf("Parse(%q) = %+v, but its string %q parses to %+v, %v", s, p, str, back, err)
		}
	})
}
