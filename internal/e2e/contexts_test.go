package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// sameNamespace creates namespace ns in cluster c (the second cluster
// has none of the shared one's), deleted when the test ends.
func sameNamespace(t *testing.T, c *testcluster.Cluster, ns string) {
	t.Helper()
	nss := c.Clientset().CoreV1().Namespaces()
	if _, err := nss.Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nss.Delete(context.Background(), ns, metav1.DeleteOptions{}) })
}

// payments creates ConfigMap "payments" in ns of cluster c, with image.
func payments(t *testing.T, c *testcluster.Cluster, ns, image string) {
	t.Helper()
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "payments", Namespace: ns},
		Data:       map[string]string{"image": image, "region": "eu", "replicas": "3"},
	}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// ls, cat and tail take CONTEXT:/PATH and read that context's cluster;
// a context named like an EKS ARN (':' and '/' in it) splits where the
// kubeconfig's name ends; a bare path stays in the current context.
func TestE2EQualifiedPathsReadTheirContext(t *testing.T) {
	dev, prod := testcluster.Shared(t), testcluster.Second(t)
	kubeconfig := testcluster.WriteContexts(t)
	ns := newNamespace(t, "qualified")
	sameNamespace(t, prod, ns)
	payments(t, dev, ns, "pay:1.4")
	payments(t, prod, ns, "pay:1.5")
	if _, err := prod.CreatePod(ctx(t), ns, "only-in-prod", []string{"app"}, nil); err != nil {
		t.Fatal(err)
	}
	prod.Kubelet().Write(ns, "only-in-prod", "app", "hello from prod")

	cm := "/namespaces/" + ns + "/configmaps/payments/manifest.yaml"
	for _, c := range []struct{ arg, want string }{
		{cm, "image: pay:1.4"},
		{"dev:" + cm, "image: pay:1.4"},
		{"prod:" + cm, "image: pay:1.5"},
		{testcluster.ContextARN + ":" + cm, "image: pay:1.5"},
	} {
		out, errOut, code := kfsuiWith(t, kubeconfig, "cat", c.arg)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("cat %s: exit %d, want %q in:\n%s%s", c.arg, code, c.want, out, errOut)
		}
	}
	out, errOut, code := kfsuiWith(t, kubeconfig, "ls", "prod:/namespaces/"+ns+"/pods")
	if code != 0 || out != "only-in-prod/\n" {
		t.Errorf("ls prod:…/pods = %q, exit %d, %s", out, code, errOut)
	}
	if out, _, _ := kfsuiWith(t, kubeconfig, "ls", "/namespaces/"+ns+"/pods"); out != "" {
		t.Errorf("the bare path listed another context's pods: %q", out)
	}
	out, errOut, code = kfsuiWith(t, kubeconfig, "tail", "prod:/namespaces/"+ns+"/pods/only-in-prod/logs/app.log")
	if code != 0 || out != "hello from prod\n" {
		t.Errorf("tail prod:… = %q, exit %d, %s", out, code, errOut)
	}
	// An unknown context is one line and names the ones there are.
	_, errOut, code = kfsuiWith(t, kubeconfig, "ls", "staging:/namespaces")
	if code != 1 || !strings.Contains(errOut, `unknown context "staging"`) || !strings.Contains(errOut, "prod") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("unknown context: exit %d, %q", code, errOut)
	}
}

// kfsui diff prints exactly the lines that differ between two clusters'
// objects and exits as diff(1) does; Secrets stay masked unless revealed.
func TestE2EDiffAcrossContexts(t *testing.T) {
	dev, prod := testcluster.Shared(t), testcluster.Second(t)
	kubeconfig := testcluster.WriteContexts(t)
	ns := newNamespace(t, "diff")
	sameNamespace(t, prod, ns)
	payments(t, dev, ns, "pay:1.4")
	payments(t, prod, ns, "pay:1.5")
	data := "/namespaces/" + ns + "/configmaps/payments/manifest.yaml"

	out, errOut, code := kfsuiWith(t, kubeconfig, "diff", "dev:"+data, "prod:"+data)
	if code != 1 {
		t.Fatalf("diff of different objects: exit %d, stderr %q", code, errOut)
	}
	var changed []string
	for _, l := range strings.Split(out, "\n") {
		if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
			changed = append(changed, l)
		}
	}
	// Besides the image, what differs between two clusters' copies of
	// the same object: its uid, creation time, resource version and the
	// managed fields' time.
	for _, want := range []string{"-  image: pay:1.4", "+  image: pay:1.5"} {
		if !slices.Contains(changed, want) {
			t.Errorf("%q missing from the diff:\n%s", want, out)
		}
	}
	for _, l := range changed {
		if strings.Contains(l, "region") || strings.Contains(l, "replicas") || strings.Contains(l, "name: payments") {
			t.Errorf("an unchanged line is in the diff: %q\n%s", l, out)
		}
	}
	if !strings.HasPrefix(out, "--- dev:"+data+"\n+++ prod:"+data+"\n@@ ") {
		t.Errorf("the diff's header:\n%s", out)
	}

	// The same object with itself, across the two names of one cluster.
	out, errOut, code = kfsuiWith(t, kubeconfig, "diff", "prod:"+data, testcluster.ContextARN+":"+data)
	if code != 0 || out != "" {
		t.Errorf("diff of one object: exit %d, %q %q", code, out, errOut)
	}

	// Secrets: masked values compare as masked.
	for _, c := range []*testcluster.Cluster{dev, prod} {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: ns}, StringData: map[string]string{"password": "hunter2-" + c.Server}}
		if _, err := c.Clientset().CoreV1().Secrets(ns).Create(ctx(t), s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	secret := "/namespaces/" + ns + "/secrets/creds/manifest.yaml"
	out, _, _ = kfsuiWith(t, kubeconfig, "diff", "dev:"+secret, "prod:"+secret)
	if strings.Contains(out, "hunter2") {
		t.Errorf("a Secret's value in the diff:\n%s", out)
	}
	out, _, code = kfsuiWith(t, kubeconfig, "diff", "--reveal-secrets", "dev:"+secret, "prod:"+secret)
	if code != 1 || !strings.Contains(out, "-  password: hunter2-"+dev.Server) || !strings.Contains(out, "+  password: hunter2-"+prod.Server) {
		t.Errorf("diff --reveal-secrets: exit %d:\n%s", code, out)
	}

	// Trouble is exit 2: a missing object, a directory, a usage error.
	for _, args := range [][]string{
		{"dev:" + data, "prod:/namespaces/" + ns + "/configmaps/nope/manifest.yaml"},
		{"dev:/namespaces", "prod:" + data},
		{"dev:" + data},
	} {
		if _, errOut, code := kfsuiWith(t, kubeconfig, append([]string{"diff"}, args...)...); code != 2 || errOut == "" {
			t.Errorf("diff %v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

// A context whose server never answers fails alone, within
// --request-timeout, while the others work; a user without permissions
// in one context gets the server's Forbidden for that context only.
func TestE2EUnreachableAndForbiddenContexts(t *testing.T) {
	dev := testcluster.Shared(t)
	kubeconfig := testcluster.WriteContexts(t)
	ns := newNamespace(t, "down")
	payments(t, dev, ns, "pay:1.4")
	data := "/namespaces/" + ns + "/configmaps/payments/manifest.yaml"

	start := time.Now()
	_, errOut, code := kfsuiWith(t, kubeconfig, "--request-timeout", "2s", "diff", "dev:"+data, "down:"+data)
	took := time.Since(start)
	if code != 2 || !strings.Contains(errOut, `context "down"`) {
		t.Errorf("diff with a silent context: exit %d, %q", code, errOut)
	}
	if took > 10*time.Second {
		t.Errorf("the silent context took %v to fail with --request-timeout 2s", took)
	}
	t.Logf("a silent context failed in %v", took)
	if out, _, code := kfsuiWith(t, kubeconfig, "--request-timeout", "2s", "cat", "dev:"+data); code != 0 || !strings.Contains(out, "pay:1.4") {
		t.Errorf("dev beside it: exit %d", code)
	}

	_, errOut, code = kfsuiWith(t, kubeconfig, "cat", testcluster.ContextRestricted+":"+data)
	if code != 1 || !strings.Contains(strings.ToLower(errOut), "forbidden") || !strings.Contains(errOut, testcluster.RestrictedUser) {
		t.Errorf("cat as a user without permissions: exit %d, %q", code, errOut)
	}
	if out, _, code := kfsuiWith(t, kubeconfig, "cat", "dev:"+data); code != 0 || out == "" {
		t.Errorf("dev after the forbidden context: exit %d", code)
	}
}
