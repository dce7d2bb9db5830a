package k8s

import (
	"slices"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Type is one resource type the server serves, as the tree names it.
type Type struct {
	// Name is the type's directory name: the lowercase plural, or
	// <plural>.<group> when another group serves the same plural.
	Name string
	// GVR is the resource at the version kfsui reads it in: the group's
	// preferred version when it serves the resource there, else the first
	// version in the group's order that does.
	GVR        schema.GroupVersionResource
	Kind       string
	Singular   string
	ShortNames []string
	Namespaced bool
	// Watchable is false for types without the watch verb; their listings
	// are refreshed on demand only.
	Watchable bool
}

// QualifiedName is the name that always resolves, whatever collides:
// <plural>.<group>, or the bare plural for the core group.
func (t Type) QualifiedName() string {
	if t.GVR.Group == "" {
		return t.GVR.Resource
	}
	return t.GVR.Resource + "." + t.GVR.Group
}

// IsCore reports whether t is the core-group resource with the given plural,
// e.g. IsCore("pods").
func (t Type) IsCore(plural string) bool {
	return t.GVR.Group == "" && t.GVR.Resource == plural
}

// IsApps reports whether t is the apps-group resource with the given
// plural, e.g. IsApps("deployments").
func (t Type) IsApps(plural string) bool {
	return t.GVR.Group == "apps" && t.GVR.Resource == plural
}

// GroupVersionError records one group-version whose discovery failed.
type GroupVersionError struct {
	GroupVersion schema.GroupVersion
	Err          error
}

// Catalog is an immutable snapshot of the types the server serves. It is
// safe to share between goroutines.
type Catalog struct {
	namespaced []Type
	cluster    []Type
	byName     map[string]Type
	// Failed lists group-versions whose discovery failed; their types are
	// missing from this snapshot.
	Failed []GroupVersionError

	served    map[schema.GroupVersion]bool  // every group-version discovery reported
	resources map[schema.GroupResource]bool // every resource of any version, eligible or not
}

// NewCatalog builds a catalog from discovery results: the server's groups (in
// their preference order) and resource lists of every served version.
// Subresources and resources lacking get or list are left out.
func NewCatalog(groups []*metav1.APIGroup, lists []*metav1.APIResourceList) *Catalog {
	byGV := map[schema.GroupVersion]*metav1.APIResourceList{}
	for _, l := range lists {
		if l == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		byGV[gv] = l
	}

	// One Type per (group, plural): the first version in preference order
	// that serves it with get and list wins.
	var types []Type
	seen := map[schema.GroupResource]bool{}
	for _, g := range groups {
		if g == nil {
			continue
		}
		for _, v := range versionsPreferredFirst(g) {
			gv := schema.GroupVersion{Group: g.Name, Version: v}
			l := byGV[gv]
			if l == nil {
				continue
			}
			for _, r := range l.APIResources {
				gr := schema.GroupResource{Group: g.Name, Resource: r.Name}
				if seen[gr] || !eligible(r) {
					continue
				}
				seen[gr] = true
				types = append(types, Type{
					GVR:        gv.WithResource(r.Name),
					Kind:       r.Kind,
					Singular:   r.SingularName,
					ShortNames: append([]string(nil), r.ShortNames...),
					Namespaced: r.Namespaced,
					Watchable:  hasVerb(r.Verbs, "watch"),
				})
			}
		}
	}
	nameTypes(types)

	c := &Catalog{byName: map[string]Type{}, served: map[schema.GroupVersion]bool{}, resources: map[schema.GroupResource]bool{}}
	for _, g := range groups {
		if g == nil {
			continue
		}
		for _, v := range g.Versions {
			c.served[schema.GroupVersion{Group: g.Name, Version: v.Version}] = true
		}
	}
	for gv, l := range byGV {
		for _, r := range l.APIResources {
			c.resources[schema.GroupResource{Group: gv.Group, Resource: r.Name}] = true
		}
	}
	// Helm's releases are kept in Secrets: where those can be read, so
	// can releases.
	if seen[schema.GroupResource{Resource: "secrets"}] {
		types = append(types, helmType())
	}
	sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
	for _, t := range types {
		if t.Namespaced {
			c.namespaced = append(c.namespaced, t)
		} else {
			c.cluster = append(c.cluster, t)
		}
		c.byName[t.Name] = t
	}
	// Qualified names resolve too, but never shadow a display name.
	for _, t := range types {
		if _, taken := c.byName[t.QualifiedName()]; !taken {
			c.byName[t.QualifiedName()] = t
		}
	}
	return c
}

// Explains reports whether this catalog already accounts for the objects
// a catalog source lists: every CustomResourceDefinition, named
// "<plural>.<group>", has its resource, and every APIService, named
// "<version>.<group>", its group-version (served, or failed and retried).
// When it does, a fresh listing of the sources needs no rediscovery.
//
// One way only: a type whose source was deleted between discovery and
// this first list (a window of a round trip at start) stays until the
// next change to the sources. Telling which served types come from which
// APIService would take the objects' spec, which listings do not keep.
func (c *Catalog) Explains(source schema.GroupResource, names []string) bool {
	failed := map[schema.GroupVersion]bool{}
	for _, f := range c.Failed {
		failed[f.GroupVersion] = true
	}
	for _, n := range names {
		first, group, ok := strings.Cut(n, ".")
		if !ok {
			return false
		}
		switch source.Resource {
		case "customresourcedefinitions":
			if !c.resources[schema.GroupResource{Group: group, Resource: first}] {
				return false
			}
		case "apiservices":
			gv := schema.GroupVersion{Group: group, Version: first}
			if !c.served[gv] && !failed[gv] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func versionsPreferredFirst(g *metav1.APIGroup) []string {
	pref := g.PreferredVersion.Version
	out := make([]string, 0, len(g.Versions))
	if pref != "" {
		out = append(out, pref)
	}
	for _, v := range g.Versions {
		if v.Version != pref {
			out = append(out, v.Version)
		}
	}
	return out
}

func eligible(r metav1.APIResource) bool {
	return !strings.Contains(r.Name, "/") && hasVerb(r.Verbs, "get") && hasVerb(r.Verbs, "list")
}

func hasVerb(verbs []string, verb string) bool {
	for _, v := range verbs {
		if v == verb {
			return true
		}
	}
	return false
}

// nameTypes gives each type its directory name. A plural served by one group
// stays bare; on a collision the core group keeps the bare plural and every
// other group's resource is qualified with its group.
func nameTypes(types []Type) {
	count := map[string]int{}
	for _, t := range types {
		count[t.GVR.Resource]++
	}
	for i := range types {
		t := &types[i]
		if count[t.GVR.Resource] == 1 || t.GVR.Group == "" {
			t.Name = t.GVR.Resource
		} else {
			t.Name = t.QualifiedName()
		}
	}
}

// Lookup resolves a type by its directory name or its qualified name.
// Like every Catalog method it is safe from any goroutine.
func (c *Catalog) Lookup(name string) (Type, bool) {
	t, ok := c.byName[name]
	return t, ok
}

// Namespaced returns the namespaced types sorted by name. Do not modify it.
func (c *Catalog) Namespaced() []Type { return c.namespaced }

// ClusterScoped returns the cluster-scoped types sorted by name. Do not
// modify it.
func (c *Catalog) ClusterScoped() []Type { return c.cluster }

// Len returns the number of types.
func (c *Catalog) Len() int { return len(c.namespaced) + len(c.cluster) }

// Resolve finds the type a user means by alias, as kubectl does: its
// directory name, <plural>.<group>, plural, singular, a short name, or the
// kind, in any case. When several types answer to an alias the core group
// wins, then the first by name. Safe from any goroutine.
func (c *Catalog) Resolve(alias string) (Type, bool) {
	if t, ok := c.byName[alias]; ok {
		return t, true
	}
	a := strings.ToLower(alias)
	var found []Type
	for _, list := range [][]Type{c.namespaced, c.cluster} {
		for _, t := range list {
			if t.GVR.Resource == a || t.Singular == a || strings.ToLower(t.Kind) == a || slices.Contains(t.ShortNames, a) {
				found = append(found, t)
			}
		}
	}
	if len(found) == 0 {
		return Type{}, false
	}
	sort.SliceStable(found, func(i, j int) bool {
		ci, cj := found[i].GVR.Group == "", found[j].GVR.Group == ""
		if ci != cj {
			return ci
		}
		return found[i].Name < found[j].Name
	})
	return found[0], true
}

// Aliases lists every name Resolve answers to, sorted, for completion.
func (c *Catalog) Aliases() []string {
	seen := map[string]bool{}
	for _, list := range [][]Type{c.namespaced, c.cluster} {
		for _, t := range list {
			for _, a := range append([]string{t.Name, t.QualifiedName(), t.GVR.Resource, t.Singular, strings.ToLower(t.Kind)}, t.ShortNames...) {
				if a != "" {
					seen[a] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
