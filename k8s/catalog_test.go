package k8s

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func group(name, preferred string, versions ...string) *metav1.APIGroup {
	g := &metav1.APIGroup{Name: name, PreferredVersion: metav1.GroupVersionForDiscovery{Version: preferred}}
	for _, v := range versions {
		g.Versions = append(g.Versions, metav1.GroupVersionForDiscovery{Version: v})
	}
	return g
}

func resources(gv string, rs ...metav1.APIResource) *metav1.APIResourceList {
	return &metav1.APIResourceList{GroupVersion: gv, APIResources: rs}
}

var readVerbs = metav1.Verbs{"get", "list", "watch"}

func res(name, kind string, namespaced bool, verbs metav1.Verbs) metav1.APIResource {
	return metav1.APIResource{Name: name, Kind: kind, Namespaced: namespaced, Verbs: verbs}
}

func TestNewCatalog(t *testing.T) {
	groups := []*metav1.APIGroup{
		group("", "v1", "v1"),
		group("events.k8s.io", "v1", "v1"),
		group("example.io", "v2", "v1", "v2"),
		group("other.io", "v1", "v1"),
		group("a.io", "v1", "v1"),
		group("b.io", "v1", "v1"),
	}
	lists := []*metav1.APIResourceList{
		resources("v1",
			res("pods", "Pod", true, readVerbs),
			res("pods/log", "Pod", true, metav1.Verbs{"get"}),
			res("events", "Event", true, readVerbs),
			res("nodes", "Node", false, readVerbs),
			res("bindings", "Binding", true, metav1.Verbs{"create"}),
		),
		resources("events.k8s.io/v1", res("events", "Event", true, readVerbs)),
		// widgets is served in both versions: the preferred v2 wins.
		// gadgets only in the non-preferred v1: it still appears.
		resources("example.io/v1", res("widgets", "Widget", true, readVerbs), res("gadgets", "Gadget", false, metav1.Verbs{"get", "list"})),
		resources("example.io/v2", res("widgets", "Widget", true, readVerbs), res("events", "Event", false, readVerbs)),
		resources("other.io/v1", res("reviews", "Review", false, metav1.Verbs{"create"})),
		// things collides between two non-core groups: both get qualified.
		resources("a.io/v1", res("things", "Thing", true, readVerbs)),
		resources("b.io/v1", res("things", "Thing", true, readVerbs)),
	}
	cat := NewCatalog(groups, lists)

	names := func(ts []Type) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	wantNS := []string{"events", "events.events.k8s.io", "pods", "things.a.io", "things.b.io", "widgets"}
	wantCluster := []string{"events.example.io", "gadgets", "nodes"}
	if got := names(cat.Namespaced()); !slices.Equal(got, wantNS) {
		t.Errorf("namespaced = %v, want %v", got, wantNS)
	}
	if got := names(cat.ClusterScoped()); !slices.Equal(got, wantCluster) {
		t.Errorf("cluster = %v, want %v", got, wantCluster)
	}

	w, ok := cat.Lookup("widgets")
	if !ok || w.GVR.Version != "v2" || w.Kind != "Widget" {
		t.Errorf("widgets = %+v, %v; want v2", w, ok)
	}
	g, _ := cat.Lookup("gadgets")
	if g.GVR.Version != "v1" || g.Watchable {
		t.Errorf("gadgets = %+v; want v1, not watchable", g)
	}
	// The qualified name always resolves, even when the display name is bare.
	if q, ok := cat.Lookup("widgets.example.io"); !ok || q.GVR != w.GVR {
		t.Errorf("widgets.example.io did not resolve: %+v", q)
	}
	if e, ok := cat.Lookup("events"); !ok || e.GVR.Group != "" {
		t.Errorf("events = %+v; want core", e)
	}
	for _, missing := range []string{"pods/log", "bindings", "reviews", "things"} {
		if _, ok := cat.Lookup(missing); ok {
			t.Errorf("%s should not be a type", missing)
		}
	}
}

func TestResolveAliases(t *testing.T) {
	groups := []*metav1.APIGroup{group("", "v1", "v1"), group("apps", "v1", "v1"), group("example.io", "v1", "v1")}
	pods := res("pods", "Pod", true, readVerbs)
	pods.SingularName, pods.ShortNames = "pod", []string{"po"}
	deploy := res("deployments", "Deployment", true, readVerbs)
	deploy.SingularName, deploy.ShortNames = "deployment", []string{"deploy"}
	widgets := res("widgets", "Widget", true, readVerbs)
	widgets.SingularName, widgets.ShortNames = "widget", []string{"wd"}
	cat := NewCatalog(groups, []*metav1.APIResourceList{
		resources("v1", pods), resources("apps/v1", deploy), resources("example.io/v1", widgets),
	})
	for alias, want := range map[string]string{
		"po": "pods", "pod": "pods", "Pod": "pods", "pods": "pods",
		"deploy": "deployments", "Deployment": "deployments", "deployments.apps": "deployments",
		"wd": "widgets", "widgets.example.io": "widgets", "WIDGET": "widgets",
	} {
		if got, ok := cat.Resolve(alias); !ok || got.Name != want {
			t.Errorf("Resolve(%q) = %q, %v; want %s", alias, got.Name, ok, want)
		}
	}
	if _, ok := cat.Resolve("nope"); ok {
		t.Error("Resolve(nope) found something")
	}
	if a := cat.Aliases(); !slices.Contains(a, "deploy") || !slices.Contains(a, "widgets.example.io") {
		t.Errorf("Aliases = %v", a)
	}
}

// A catalog explains the CRDs and APIServices it was discovered with, and
// not one that came after: that one calls for a rediscovery.
func TestCatalogExplainsItsSources(t *testing.T) {
	cat := NewCatalog(
		[]*metav1.APIGroup{group("", "v1", "v1"), group("example.io", "v2", "v1", "v2"), group("other.io", "v1", "v1")},
		[]*metav1.APIResourceList{
			resources("v1", res("pods", "Pod", true, readVerbs)),
			resources("example.io/v2", res("widgets", "Widget", true, readVerbs)),
			// Not a type (no get or list), but served: its CRD is explained.
			resources("other.io/v1", res("reviews", "Review", false, metav1.Verbs{"create"})),
		})
	cat.Failed = []GroupVersionError{{GroupVersion: schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}}}
	crds := schema.GroupResource{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions"}
	apiServices := schema.GroupResource{Group: "apiregistration.k8s.io", Resource: "apiservices"}
	for _, c := range []struct {
		source schema.GroupResource
		names  []string
		want   bool
	}{
		{crds, nil, true},
		{crds, []string{"widgets.example.io", "reviews.other.io"}, true},
		{crds, []string{"widgets.example.io", "gizmos.example.io"}, false},
		{crds, []string{"nodots"}, false},
		// Every served version has its APIService, preferred or not; a
		// failed one is retried by itself.
		{apiServices, []string{"v1.", "v1.example.io", "v2.example.io", "v1beta1.metrics.k8s.io"}, true},
		{apiServices, []string{"v3.example.io"}, false},
		{schema.GroupResource{Resource: "pods"}, []string{"a.b"}, false},
	} {
		if got := cat.Explains(c.source, c.names); got != c.want {
			t.Errorf("%s %v: %v, want %v", c.source.Resource, c.names, got, c.want)
		}
	}
}
