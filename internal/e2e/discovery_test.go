package e2e

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// An aggregated API whose backing service does not exist fails discovery
// for its group-version only: the rest of the tree stays, the failure is
// shown, and it goes away once the API does.
func TestE2EFailedGroupVersionIsVisibleAndTheRestShows(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "disc")
	d := startApp(t, "/namespaces/"+ns)
	d.waitText(10*time.Second, "configmaps/", "secrets/")

	gvr := schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
	api := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": "v1.broken.example.io"},
		"spec": map[string]any{
			"group": "broken.example.io", "version": "v1",
			"groupPriorityMinimum": int64(100), "versionPriority": int64(100),
			// A service that does not exist: nothing is ever contacted.
			"service":               map[string]any{"namespace": ns, "name": "nowhere", "port": int64(443)},
			"insecureSkipTLSVerify": true,
		},
	}}
	dyn := dynamic.NewForConfigOrDie(c.RESTConfig())
	if _, err := dyn.Resource(gvr).Create(ctx(t), api, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deleted := false
	t.Cleanup(func() {
		if !deleted {
			_ = dyn.Resource(gvr).Delete(ctx(t), "v1.broken.example.io", metav1.DeleteOptions{})
		}
	})
	screen := d.waitText(15*time.Second, "discovery failed for broken.example.io/v1")
	for _, want := range []string{"configmaps/", "secrets/", "deployments/"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%s vanished with the failed group:\n%s", want, screen)
		}
	}
	_, errOut, code := kfsui(t, "ls", "/namespaces/"+ns)
	if code != 0 || !strings.Contains(errOut, "broken.example.io/v1") {
		t.Errorf("ls with a failed group: exit %d, stderr %q; want 0 and a warning", code, errOut)
	}

	if err := dyn.Resource(gvr).Delete(ctx(t), "v1.broken.example.io", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deleted = true
	d.waitFor("the failure to clear", 15*time.Second, func(s string) bool {
		return !strings.Contains(s, "broken.example.io") && strings.Contains(s, "configmaps/")
	})
}
