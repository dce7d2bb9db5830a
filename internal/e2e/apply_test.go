package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// applyYAML creates objects in namespace ns of the shared cluster with
// `kubectl apply`, so they carry the last-applied-configuration
// annotation as real ones do.
func applyYAML(t *testing.T, ns, manifest string) {
	t.Helper()
	kubectlApply(t, testcluster.Shared(t), manifest, "-n", ns)
}

// kubectlApply runs `kubectl apply -f` of manifest, with args, against
// cluster c and returns what kubectl printed.
func kubectlApply(t *testing.T, c *testcluster.Cluster, manifest string, args ...string) []byte {
	t.Helper()
	f := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(f, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := c.Kubectl(ctx(t), append([]string{"apply", "-f", f}, args...)...)
	if err != nil {
		t.Fatalf("kubectl apply %v: %v\n%s", args, err, out)
	}
	return out
}

// applyDeployment applies deploymentYAML in ns and waits until the
// controllers have rolled Deployment web out, as `kubectl rollout status`
// does, and the deployment controller's event about it has arrived: its
// ReplicaSet, pods and events exist and its status stops changing, so
// what a test reads of them next is what kubectl reads too.
func applyDeployment(t *testing.T, ns string) {
	t.Helper()
	applyYAML(t, ns, deploymentYAML)
	cs := testcluster.Shared(t).Clientset()
	deps := cs.AppsV1().Deployments(ns)
	var last string
	rolledOut := func() bool {
		dep, err := deps.Get(ctx(t), "web", metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false
		}
		st := dep.Status
		last = fmt.Sprintf("generation %d, status %+v", dep.Generation, st)
		want := *dep.Spec.Replicas
		return st.ObservedGeneration >= dep.Generation && st.UpdatedReplicas == want &&
			st.Replicas == want && st.AvailableReplicas == want
	}
	eventually(t, "Deployment web to roll out", 30*time.Second, rolledOut, func() string { return last })
	eventually(t, "an event about Deployment web", 30*time.Second, func() bool {
		evs, err := cs.CoreV1().Events(ns).List(ctx(t), metav1.ListOptions{FieldSelector: "involvedObject.kind=Deployment,involvedObject.name=web"})
		return err == nil && len(evs.Items) > 0
	}, noDetail)
}
