package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// describe.txt is what the pinned kubectl describe prints, apart from
// relative ages, for a pod, a Deployment, a node, a custom resource and a
// ConfigMap.
func TestE2EDescribeMatchesKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "describe")
	if _, err := c.CreatePod(ctx(t), ns, "api-0", []string{"main", "sidecar"}, []string{"init"}); err != nil {
		t.Fatal(err)
	}
	crashLoop(t, ns, "api-0", 3)
	applyDeployment(t, ns)
	createGadgets(t, ns, "doodads", "Doodad")
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Labels: map[string]string{"app": "web"}},
		Data: map[string]string{"color": "green", "size": "[red]big[-]"}}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	doodads, err := c.Kubectl(ctx(t), "-n", ns, "get", "doodads", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	doodad := strings.TrimPrefix(strings.Fields(string(doodads))[0], "doodad.columns.example.io/")

	for _, tc := range []struct {
		path    string
		kubectl []string
	}{
		{"/namespaces/" + ns + "/pods/api-0", []string{"-n", ns, "describe", "pod", "api-0"}},
		{"/namespaces/" + ns + "/deployments/web", []string{"-n", ns, "describe", "deployment", "web"}},
		{"/cluster/nodes/" + c.NodeName(), []string{"describe", "node", c.NodeName()}},
		{"/namespaces/" + ns + "/doodads/" + doodad, []string{"-n", ns, "describe", "doodads", doodad}},
		{"/namespaces/" + ns + "/configmaps/settings", []string{"-n", ns, "describe", "configmap", "settings"}},
	} {
		// The node's describe lists the pods of the tests running beside
		// this one, and its lease renews: the two reads can see two
		// states of the cluster. They are read again, both, when they
		// differ; a real difference differs every time.
		var got, want string
		for attempt := 0; attempt < 5; attempt++ {
			out, err := c.Kubectl(ctx(t), tc.kubectl...)
			if err != nil {
				t.Fatalf("%v: %v", tc.kubectl, err)
			}
			var errOut string
			var code int
			got, errOut, code = kfsui(t, "cat", tc.path+"/describe.txt")
			if code != 0 {
				t.Fatalf("cat %s/describe.txt: exit %d: %s", tc.path, code, errOut)
			}
			if want = string(out); maskAges(got) == maskAges(want) {
				break
			}
		}
		if maskAges(got) != maskAges(want) {
			t.Errorf("%s/describe.txt differs from kubectl %v\n--- kfsui\n%s--- kubectl\n%s", tc.path, tc.kubectl, got, want)
		}
	}
}

// A service-account token Secret's describe shows the token's size, not
// the token, unless Secrets are revealed (--reveal-secrets, x); then it is
// kubectl's text.
func TestE2EDescribeMasksServiceAccountTokens(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "describe-secret")
	const token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.c2lnbmF0dXJl"
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "robot-token", Annotations: map[string]string{corev1.ServiceAccountNameKey: "default"}},
		Type:       corev1.SecretTypeServiceAccountToken,
		Data:       map[string][]byte{"token": []byte(token), "namespace": []byte(ns)},
	}
	if _, err := c.Clientset().CoreV1().Secrets(ns).Create(ctx(t), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	leaf := "/namespaces/" + ns + "/secrets/robot-token/describe.txt"
	want, err := c.Kubectl(ctx(t), "-n", ns, "describe", "secret", "robot-token")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(want), token) {
		t.Fatalf("kubectl describe no longer prints the token; the test's premise is gone:\n%s", want)
	}
	got, errOut, code := kfsui(t, "cat", leaf)
	if code != 0 {
		t.Fatalf("cat: exit %d: %s", code, errOut)
	}
	size := fmt.Sprintf("%d bytes", len(token))
	masked := strings.Replace(string(want), token, size, 1)
	if strings.Contains(got, token) || maskAges(got) != maskAges(masked) {
		t.Errorf("masked describe:\n%s\nwant\n%s", got, masked)
	}
	got, _, _ = kfsui(t, "cat", "--reveal-secrets", leaf)
	if maskAges(got) != maskAges(string(want)) {
		t.Errorf("--reveal-secrets:\n%s\nwant kubectl's\n%s", got, want)
	}

	// In the viewer: masked, then x shows it.
	d := startApp(t, "/namespaces/"+ns+"/secrets/robot-token")
	d.waitText(10*time.Second, "──describe.txt")
	d.waitSelected("/namespaces/"+ns+"/secrets/robot-token", 5*time.Second)
	d.keys("jjjjjj") // manifest.yaml, manifest.neat.yaml, manifest.json, status.yaml, events.txt, describe.txt
	d.waitSelected(leaf, 5*time.Second)
	d.key(tcell.KeyEnter)
	screen := d.waitText(10*time.Second, "robot-token", "token:", size)
	if strings.Contains(screen, token) {
		t.Errorf("the token shows in the viewer:\n%s", screen)
	}
	d.keys("x")
	d.waitText(10*time.Second, token)
}
