package model

import (
	"errors"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	cases := []struct {
		in   string
		kind Kind
		want string
	}{
		{"/", KindRoot, "/"},
		{"/namespaces", KindNamespaces, "/namespaces"},
		{"/namespaces/", KindNamespaces, "/namespaces"},
		{"/namespaces/team-a", KindNamespace, "/namespaces/team-a"},
		{"/namespaces/team-a/pods", KindTypeDir, "/namespaces/team-a/pods"},
		{"/namespaces/team-a/pods/web-0", KindObject, "/namespaces/team-a/pods/web-0"},
		{"/namespaces/team-a/pods/web-0/manifest.yaml", KindLeaf, "/namespaces/team-a/pods/web-0/manifest.yaml"},
		{"/namespaces/team-a/pods/web-0/events.txt", KindLeaf, "/namespaces/team-a/pods/web-0/events.txt"},
		{"/namespaces/team-a/pods/web-0/logs", KindLogsDir, "/namespaces/team-a/pods/web-0/logs"},
		{"/namespaces/team-a/pods/web-0/logs/web.log", KindLog, "/namespaces/team-a/pods/web-0/logs/web.log"},
		{"/cluster", KindClusterDir, "/cluster"},
		{"/cluster/clusterroles/system:node", KindObject, "/cluster/clusterroles/system:node"},
		{"/cluster/nodes/n1/status.yaml", KindLeaf, "/cluster/nodes/n1/status.yaml"},
		{"/namespaces/a/widgets.example.io/w1/manifest.json", KindLeaf, "/namespaces/a/widgets.example.io/w1/manifest.json"},
		{"/namespaces/a/deployments/web/tree.txt", KindLeaf, "/namespaces/a/deployments/web/tree.txt"},
		{"/cluster/nodes/n1/tree.txt", KindLeaf, "/cluster/nodes/n1/tree.txt"},
		{"/namespaces/a/deployments/web/revisions", KindRevisionsDir, "/namespaces/a/deployments/web/revisions"},
		{"/namespaces/a/deployments/web/revisions/12.yaml", KindRevision, "/namespaces/a/deployments/web/revisions/12.yaml"},
		{"/namespaces/a/statefulsets/db/revisions/3.diff", KindRevision, "/namespaces/a/statefulsets/db/revisions/3.diff"},
		{"/namespaces/a/deployments/web/logs", KindLogsDir, "/namespaces/a/deployments/web/logs"},
		{"/namespaces/a/deployments/web/logs/web-1", KindPodLogsDir, "/namespaces/a/deployments/web/logs/web-1"},
		{"/namespaces/a/deployments/web/logs/web-1/app.log", KindLog, "/namespaces/a/deployments/web/logs/web-1/app.log"},
		// A pod named like a log stays a pod below a workload.
		{"/namespaces/a/jobs/j/logs/x.log", KindPodLogsDir, "/namespaces/a/jobs/j/logs/x.log"},
		{"/all", KindAll, "/all"},
		{"/all/pods", KindTypeDir, "/all/pods"},
		{"/all/pods/team-a:web-0", KindLink, "/all/pods/team-a:web-0"},
		// Below an entry is the object's own directory, as the link gives it.
		{"/all/pods/team-a:web-0/manifest.yaml", KindLeaf, "/namespaces/team-a/pods/web-0/manifest.yaml"},
		{"/all/deployments/a:web/logs/web-1/app.log", KindLog, "/namespaces/a/deployments/web/logs/web-1/app.log"},
		// The name may hold ':' (the namespace never does).
		{"/all/roles/a:system:x", KindLink, "/all/roles/a:system:x"},
		// Helm releases: the latest revision's leaves, and each revision's.
		{"/namespaces/a/helm", KindTypeDir, "/namespaces/a/helm"},
		{"/namespaces/a/helm/web", KindObject, "/namespaces/a/helm/web"},
		{"/namespaces/a/helm/web/values-all.yaml", KindLeaf, "/namespaces/a/helm/web/values-all.yaml"},
		{"/namespaces/a/helm/web/notes.txt", KindLeaf, "/namespaces/a/helm/web/notes.txt"},
		{"/namespaces/a/helm/web/revisions", KindRevisionsDir, "/namespaces/a/helm/web/revisions"},
		{"/namespaces/a/helm/web/revisions/12", KindHelmRevision, "/namespaces/a/helm/web/revisions/12"},
		{"/namespaces/a/helm/web/revisions/12/hooks.yaml", KindLeaf, "/namespaces/a/helm/web/revisions/12/hooks.yaml"},
		{"/namespaces/a/helm/web/revisions/2.diff", KindRevision, "/namespaces/a/helm/web/revisions/2.diff"},
		{"/all/helm/a:web", KindLink, "/all/helm/a:web"},
		{"/all/helm/a:web/revisions/1/values.yaml", KindLeaf, "/namespaces/a/helm/web/revisions/1/values.yaml"},
	}
	for _, c := range cases {
		p, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if p.Kind != c.kind || p.String() != c.want {
			t.Errorf("Parse(%q) = kind %d %q, want kind %d %q", c.in, p.Kind, p, c.kind, c.want)
		}
		again, err := Parse(p.String())
		if err != nil || again != p {
			t.Errorf("Parse(String()) of %q = %+v, %v; want %+v", c.in, again, err, p)
		}
	}
}

func TestParseRejects(t *testing.T) {
	bad := []string{
		"", "//", "namespaces", "/nope", "/namespaces//", "/namespaces//pods", "/namespaces/./pods", "/namespaces/../cluster",
		"/namespaces/a%2Fb", "/namespaces/a?x", "/namespaces/a#x", "/namespaces/a\x1b[31m", "/namespaces/a\x7f",
		"/namespaces/a/pods/p/other.txt", "/namespaces/a/pods/p/logs/web", "/namespaces/a/pods/p/logs/.log",
		"/namespaces/a/pods/p/logs/web.log/x", "/cluster/nodes/n/logs", "/namespaces/a/pods/p/manifest.yaml/x",
		"/namespaces/a/deployments/d/revisions/0.yaml", "/namespaces/a/deployments/d/revisions/01.yaml",
		"/namespaces/a/deployments/d/revisions/1.txt", "/namespaces/a/deployments/d/revisions/-1.diff",
		"/namespaces/a/deployments/d/revisions/.yaml", "/namespaces/a/deployments/d/revisions/1.yaml/x",
		"/namespaces/a/deployments/d/revisions/99999999999999999999.yaml", "/cluster/nodes/n/revisions",
		"/namespaces/a/deployments/d/logs/p/app", "/namespaces/a/deployments/d/logs/p/app.log/x",
		"/namespaces/a/deployments/d/logs/p/.log",
		"/all/pods/web-0", "/all/pods/:web-0", "/all/pods/a:", "/all/pods/a:b/nope",
		"/namespaces/a/helm/web/describe.txt", "/namespaces/a/helm/web/revisions/1.yaml", "/namespaces/a/helm/web/revisions/0",
		"/namespaces/a/helm/web/revisions/01", "/namespaces/a/helm/web/revisions/+1", "/namespaces/a/helm/web/revisions/1/x",
		"/namespaces/a/helm/web/revisions/1/values.yaml/x", "/namespaces/a/helm/web/revisions/1.diff/x", "/namespaces/a/helm/web/logs",
	}
	for _, in := range bad {
		if p, err := Parse(in); err == nil || !errors.Is(err, ErrNoSuchPath) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNoSuchPath", in, p, err)
		}
	}
}

func TestParentChildAncestors(t *testing.T) {
	p := MustParse("/namespaces/a/pods/p/logs/c.log")
	want := []string{"/", "/namespaces", "/namespaces/a", "/namespaces/a/pods", "/namespaces/a/pods/p", "/namespaces/a/pods/p/logs"}
	anc := p.Ancestors()
	if len(anc) != len(want) {
		t.Fatalf("Ancestors = %v", anc)
	}
	for i, a := range anc {
		if a.String() != want[i] {
			t.Errorf("ancestor %d = %s, want %s", i, a, want[i])
		}
	}
	if p.Base() != "c.log" || p.Parent().String() != want[5] {
		t.Errorf("Base/Parent = %q/%s", p.Base(), p.Parent())
	}
	c, err := MustParse("/cluster/nodes").Child("n1")
	if err != nil || c.String() != "/cluster/nodes/n1" || c.Kind != KindObject {
		t.Errorf("Child = %v, %v", c, err)
	}
	if _, err := MustParse("/cluster/nodes/n1").Child("bogus.txt"); err == nil {
		t.Error("Child(bogus.txt) of an object succeeded")
	}
	if _, err := Root.Child("a/b"); err == nil {
		t.Error("Child with a slash succeeded")
	}
	if Root.Parent() != Root {
		t.Error("root's parent is not the root")
	}
}
