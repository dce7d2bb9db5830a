package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// applyYAML creates objects with `kubectl apply`, so they carry the
// last-applied-configuration annotation as real ones do.
func applyYAML(t *testing.T, ns, manifest string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(f, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := testcluster.Shared(t).Kubectl(ctx(t), "-n", ns, "apply", "-f", f); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
}
