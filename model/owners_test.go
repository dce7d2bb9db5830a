package model

import (
	"testing"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestRenderOwnerTree checks tree.txt's drawing: nesting, cells, ages,
// the object's own mark, an owner that could not be read, the lines that
// link to objects, and what could not be searched.
func TestRenderOwnerTree(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	typ := func(kind, plural string) k8s.Type {
		return k8s.Type{Name: plural, Kind: kind, Namespaced: true, GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: plural}}
	}
	node := func(kind, plural, name string, age time.Duration, ready, status string, kids ...*ownerNode) *ownerNode {
		return &ownerNode{t: typ(kind, plural), meta: k8s.Meta{Namespace: "a", Name: name, Created: now.Add(-age)},
			cells: [2]string{ready, status}, children: kids}
	}
	pod := node("Pod", "pods", "web-1-x", time.Minute, "1/1", "Running")
	rsNew := node("ReplicaSet", "replicasets", "web-1", time.Hour, "1", "", pod)
	rsOld := node("ReplicaSet", "replicasets", "web-0", 2*time.Hour, "0", "")
	dep := node("Deployment", "deployments", "web", 3*time.Hour, "1/1", "", rsOld, rsNew)
	missing := &ownerNode{missing: "gone"}
	missing.ref.Kind, missing.ref.Name = "Rollout", "web"
	chain := []*ownerNode{pod, rsNew, dep, missing}

	text, links := renderOwnerTree(chain, dep, pod, []string{"secrets (forbidden)"}, now)
	want := "" +
		"NAMESPACE  NAME                  READY  STATUS   AGE\n" +
		"a          Rollout/web                  (gone)\n" +
		"a          └─Deployment/web      1/1    -        3h\n" +
		"a            ├─ReplicaSet/web-0  0      -        120m\n" +
		"a            └─ReplicaSet/web-1  1      -        60m\n" +
		"a              └─Pod/web-1-x     1/1    Running  60s   ◀\n" +
		"\nNot searched: secrets (forbidden)\n"
	if text != want {
		t.Errorf("tree.txt:\n%s\nwant:\n%s", text, want)
	}
	if got := links[5]; got.String() != "/namespaces/a/pods/web-1-x" {
		t.Errorf("line 5 links to %q, want the pod", got)
	}
	if _, ok := links[1]; ok || len(links) != 4 {
		t.Errorf("links %v: want the four objects' lines, not the missing owner's", links)
	}
}
