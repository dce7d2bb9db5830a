package model

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/k8s"
)

func testCatalog() *k8s.Catalog {
	g := func(name string) *metav1.APIGroup {
		return &metav1.APIGroup{Name: name, PreferredVersion: metav1.GroupVersionForDiscovery{Version: "v1"}, Versions: []metav1.GroupVersionForDiscovery{{Version: "v1"}}}
	}
	verbs := metav1.Verbs{"get", "list", "watch"}
	r := func(name, singular, kind string, namespaced bool, short ...string) metav1.APIResource {
		return metav1.APIResource{Name: name, SingularName: singular, Kind: kind, Namespaced: namespaced, Verbs: verbs, ShortNames: short}
	}
	return k8s.NewCatalog([]*metav1.APIGroup{g(""), g("apps"), g("example.io")}, []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{r("pods", "pod", "Pod", true, "po"), r("services", "service", "Service", true, "svc"), r("nodes", "node", "Node", false, "no"), r("namespaces", "namespace", "Namespace", false, "ns")}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{r("deployments", "deployment", "Deployment", true, "deploy")}},
		{GroupVersion: "example.io/v1", APIResources: []metav1.APIResource{r("widgets", "widget", "Widget", true, "wd")}},
	})
}

func TestJump(t *testing.T) {
	cat := testCatalog()
	base := MustParse("/namespaces/team-a/pods")
	cases := []struct{ in, want string }{
		{"/cluster/nodes", "/cluster/nodes"},
		{"po", "/namespaces/team-a/pods"},
		{"deploy web", "/namespaces/team-a/deployments/web"},
		{"svc -n kube-system", "/namespaces/kube-system/services"},
		{"svc --namespace=kube-system api", "/namespaces/kube-system/services/api"},
		{"widgets.example.io", "/namespaces/team-a/widgets"},
		{"Node n1", "/cluster/nodes/n1"},
		{"web-0", "/namespaces/team-a/pods/web-0"},
		{"web-0/logs/app.log", "/namespaces/team-a/pods/web-0/logs/app.log"},
		{"../secrets", "/namespaces/team-a/secrets"},
		{"ns team-b", "/namespaces/team-b"},
		{"ns", "/namespaces"},
		{"po -A", "/all/pods"},
		{"po all", "/all/pods"},
		{"deploy --all-namespaces", "/all/deployments"},
	}
	for _, c := range cases {
		got, err := Jump(c.in, cat, base, "")
		if err != nil || got.String() != c.want {
			t.Errorf("Jump(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	if got, _ := Jump("po", cat, MustParse("/cluster"), "ops"); got.String() != "/namespaces/ops/pods" {
		t.Errorf("default namespace not used: %s", got)
	}
	for _, in := range []struct{ in, path, label, field string }{
		{"po -l app=web", "/namespaces/team-a/pods", "app=web", ""},
		{"po -A -l tier=db", "/all/pods", "tier=db", ""},
		{"po -l env in (a, b),app -n x", "/namespaces/x/pods", "env in (a, b),app", ""},
		{"po -A --field status.phase!=Running", "/all/pods", "", "status.phase!=Running"},
		{"po --selector=app=web,tier!=db --field-selector=spec.nodeName=n1 -n x", "/namespaces/x/pods", "app=web,tier!=db", "spec.nodeName=n1"},
	} {
		p, sel, err := JumpSelect(in.in, cat, base, "")
		if err != nil || p.String() != in.path || sel.Label != in.label || sel.Field != in.field {
			t.Errorf("JumpSelect(%q) = %s %+v %v; want %s -l %q --field %q", in.in, p, sel, err, in.path, in.label, in.field)
		}
	}
	for _, bad := range []string{"po -l", "po -l 'app in (a'", "po -l app=web web-0", "po --field status.phase~x", "po -l a==b=c"} {
		if p, sel, err := JumpSelect(bad, cat, base, ""); err == nil {
			t.Errorf("JumpSelect(%q) = %s %+v, want an error", bad, p, sel)
		}
	}
	for _, bad := range []string{"", "nope web", "deploy -n", "po a b", "/namespaces/../x", "deploy a%2f", "no -A", "po -A web", "po -A -n x", "po -l app=web"} {
		if got, err := Jump(bad, cat, base, ""); err == nil {
			t.Errorf("Jump(%q) = %s, want an error", bad, got)
		}
	}
}
