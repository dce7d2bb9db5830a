package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/readclose"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
)

// sameNamespace creates namespace ns in cluster c (the second cluster
// has none of the shared one's), settled as newNamespace's are, and
// deleted when the test ends.
func sameNamespace(t *testing.T, c *testcluster.Cluster, ns string) {
	t.Helper()
	nss := c.Clientset().CoreV1().Namespaces()
	if _, err := nss.Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nss.Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	waitNamespaceSettled(t, c, ns)
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

// twoClusters returns the shared cluster (dev) and the second one (prod),
// a kubeconfig with both and more (testcluster.WriteContexts), and a
// namespace made in both whose ConfigMap "payments" differs only in its
// image: pay:1.4 in dev, pay:1.5 in prod.
func twoClusters(t *testing.T, prefix string) (dev, prod *testcluster.Cluster, kubeconfig, ns string) {
	t.Helper()
	dev, prod = testcluster.Shared(t), testcluster.Second(t)
	kubeconfig = testcluster.WriteContexts(t)
	ns = newNamespace(t, prefix)
	sameNamespace(t, prod, ns)
	payments(t, dev, ns, "pay:1.4")
	payments(t, prod, ns, "pay:1.5")
	return dev, prod, kubeconfig, ns
}

// ls, cat and tail take CONTEXT:/PATH and read that context's cluster;
// a context named like an EKS ARN (':' and '/' in it) splits where the
// kubeconfig's name ends; a bare path stays in the current context.
func TestE2EQualifiedPathsReadTheirContext(t *testing.T) {
	_, prod, kubeconfig, ns := twoClusters(t, "qualified")
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
	// --user applies to the starting context only: as the user without
	// permissions, dev refuses, prod still answers as its own admin.
	if _, errOut, code := kfsuiWith(t, kubeconfig, "--user", "restricted", "cat", cm); code != 1 || !strings.Contains(errOut, "forbidden") {
		t.Errorf("cat with --user restricted in dev: exit %d, %q", code, errOut)
	}
	if out, errOut, code := kfsuiWith(t, kubeconfig, "--user", "restricted", "cat", "prod:"+cm); code != 0 || !strings.Contains(out, "image: pay:1.5") {
		t.Errorf("cat prod:… with --user restricted: exit %d, %s", code, errOut)
	}
	// An unknown context is one line and names the ones there are.
	_, errOut, code = kfsuiWith(t, kubeconfig, "ls", "staging:/namespaces")
	if code != 1 || !strings.Contains(errOut, `unknown context "staging"`) || !strings.Contains(errOut, "prod") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("unknown context: exit %d, %q", code, errOut)
	}
}

// changedLines are the lines a unified diff removes or adds.
func changedLines(diff string) []string {
	var changed []string
	for _, l := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
			changed = append(changed, l)
		}
	}
	return changed
}

// kfsui diff prints exactly the lines that differ between two clusters'
// objects and exits as diff(1) does; Secrets stay masked unless revealed.
func TestE2EDiffAcrossContexts(t *testing.T) {
	dev, prod, kubeconfig, ns := twoClusters(t, "diff")
	data := "/namespaces/" + ns + "/configmaps/payments/manifest.yaml"
	neat := "/namespaces/" + ns + "/configmaps/payments/manifest.neat.yaml"

	// Two manifest.yaml compare neat: the image, and nothing the server
	// stamped.
	out, errOut, code := kfsuiWith(t, kubeconfig, "diff", "dev:"+data, "prod:"+data)
	if code != 1 {
		t.Fatalf("diff of different objects: exit %d, stderr %q", code, errOut)
	}
	if got := changedLines(out); !slices.Equal(got, []string{"-  image: pay:1.4", "+  image: pay:1.5"}) || !strings.HasPrefix(out, "--- dev:"+neat+"\n+++ prod:"+neat+"\n@@ ") {
		t.Errorf("the neat diff:\n%s", out)
	}

	// --raw: as stored.
	out, errOut, code = kfsuiWith(t, kubeconfig, "diff", "--raw", "dev:"+data, "prod:"+data)
	if code != 1 {
		t.Fatalf("diff --raw of different objects: exit %d, stderr %q", code, errOut)
	}
	changed := changedLines(out)
	// Besides the image, what differs between two clusters' copies of
	// the same object: its uid, creation time, resource version and the
	// managed fields' time.
	if !slices.ContainsFunc(changed, func(l string) bool { return strings.Contains(l, "uid:") }) {
		t.Errorf("the raw diff has no uid line:\n%s", out)
	}
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

	// Secrets: masked values compare as masked, neat or raw.
	for _, c := range []*testcluster.Cluster{dev, prod} {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: ns}, StringData: map[string]string{"password": "hunter2-" + c.Server}}
		if _, err := c.Clientset().CoreV1().Secrets(ns).Create(ctx(t), s, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	secret := "/namespaces/" + ns + "/secrets/creds/manifest.yaml"
	for _, raw := range []string{"--raw=false", "--raw"} {
		out, _, _ = kfsuiWith(t, kubeconfig, "diff", raw, "dev:"+secret, "prod:"+secret)
		if strings.Contains(out, "hunter2") {
			t.Errorf("diff %s: a Secret's value in the diff:\n%s", raw, out)
		}
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

// startAppContexts runs the app as the command line does with a
// kubeconfig of several contexts: it starts on the current one, and :ctx
// switches. requestTimeout is --request-timeout ("" for the default).
func startAppContexts(t *testing.T, kubeconfig, requestTimeout, start string) *driver {
	t.Helper()
	return startAppContextsWith(t, kubeconfig, requestTimeout, start, k8s.Options{}, 0)
}

// startAppContextsWith is startAppContexts with the connections' options
// and every context's listings stopping after idle (0: never).
func startAppContextsWith(t *testing.T, kubeconfig, requestTimeout, start string, opts k8s.Options, idle time.Duration) *driver {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	if requestTimeout != "" {
		flags.Timeout = &requestTimeout
	}
	cs, err := k8s.LoadContexts(flags, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close) // after the app quits: cleanups run last first
	conn, err := cs.Conn(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	newFS := func(conn *k8s.Conn) *model.FS {
		conn.Lists().SetIdleTimeout(idle)
		return model.NewFS(conn, model.Options{})
	}
	return runApp(t, conn, newFS(conn), app.Options{StartPath: start, Contexts: cs, NewFS: newFS})
}

// watchGauge counts the watch streams open now, by server.
type watchGauge struct {
	mu   sync.Mutex
	open map[string]int
}

func (g *watchGauge) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(r)
		if err != nil || r.URL.Query().Get("watch") != "true" {
			return resp, err
		}
		host := r.URL.Host
		g.mu.Lock()
		if g.open == nil {
			g.open = map[string]int{}
		}
		g.open[host]++
		g.mu.Unlock()
		resp.Body = readclose.OnClose(resp.Body, func() {
			g.mu.Lock()
			g.open[host]--
			g.mu.Unlock()
		})
		return resp, nil
	})
}

func (g *watchGauge) count(server string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open[strings.TrimPrefix(server, "https://")]
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A context the tree no longer shows holds no watch once the idle timeout
// has passed (its directories' listings and the catalog's CRD and
// APIService watches alike); shown again, it watches again and finds its
// place.
func TestE2EHiddenContextStopsWatching(t *testing.T) {
	_, prod := testcluster.Shared(t), testcluster.Second(t)
	kubeconfig := testcluster.WriteContexts(t)
	ns := newNamespace(t, "idle-ctx")
	sameNamespace(t, prod, ns)
	payments(t, prod, ns, "pay:1.5")
	gauge := &watchGauge{}
	d := startAppContextsWith(t, kubeconfig, "", "/namespaces", k8s.Options{WrapTransport: gauge.wrap}, 2*time.Second)
	d.waitText(10*time.Second, "ctx dev")
	d.jump("prod:/namespaces/" + ns + "/configmaps")
	d.waitText(10*time.Second, "ctx prod", "payments/")
	eventually(t, "prod's watches open", 10*time.Second, func() bool { return gauge.count(prod.Server) >= 3 },
		func() string { return fmt.Sprint(gauge.count(prod.Server)) })
	t.Logf("prod shown: %d watches open on it", gauge.count(prod.Server))

	d.jump("ctx dev")
	d.waitText(10*time.Second, "ctx dev")
	start := time.Now()
	eventually(t, "no watch left on prod", 15*time.Second, func() bool { return gauge.count(prod.Server) == 0 },
		func() string { return fmt.Sprint(gauge.count(prod.Server), " open") })
	t.Logf("prod hidden: its last watch ended %v after the switch (idle timeout 2s)", time.Since(start).Round(10*time.Millisecond))

	d.jump("ctx -")
	d.waitText(10*time.Second, "ctx prod", "payments/")
	eventually(t, "prod watched again", 10*time.Second, func() bool { return gauge.count(prod.Server) >= 3 }, noDetail)
}

// :ctx switches the tree to another context and back, each keeping its
// place (open directories, selection); :ctx - goes back; :ctx alone
// lists the contexts, the current one marked; an unreachable context
// fails alone and the session goes on; a user without permissions sees
// the server's Forbidden in that context only; CONTEXT:/PATH in the jump
// bar goes there.
func TestE2ESwitchContextsKeepsEachPlace(t *testing.T) {
	_, prod, kubeconfig, ns := twoClusters(t, "switch")
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "prod-only", Namespace: ns}}
	if _, err := prod.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := "/namespaces/" + ns + "/configmaps"
	d := startAppContexts(t, kubeconfig, "2s", dir)
	d.waitText(10*time.Second, "ctx dev", "payments/")
	d.waitSelected(dir, 5*time.Second)
	d.keys("jj") // kube-root-ca.crt, then payments
	d.waitSelected(dir+"/payments", 5*time.Second)

	d.jump("ctx prod")
	d.waitText(10*time.Second, "ctx prod", ns+"/")
	if s := d.text(); strings.Contains(s, "payments/") {
		t.Errorf("dev's open directory shows in prod's tree:\n%s", s)
	}
	d.jump(dir)
	d.waitText(10*time.Second, "prod-only/", "payments/")

	d.jump("ctx -")
	screen := d.waitText(10*time.Second, "ctx dev", "payments/")
	if strings.Contains(screen, "prod-only/") {
		t.Errorf("prod's objects in dev's tree:\n%s", screen)
	}
	d.waitSelected(dir+"/payments", 5*time.Second)

	d.jump("context -")
	d.waitText(10*time.Second, "ctx prod", "prod-only/")
	d.waitSelected(dir, 5*time.Second)

	// :ctx alone: the list, prod marked.
	d.jump("ctx")
	d.waitText(5*time.Second, "contexts (Enter switches", "* prod", "  dev", "  "+testcluster.ContextARN)
	d.key(tcell.KeyEscape)
	d.waitFor("the list closed", 5*time.Second, func(s string) bool { return !strings.Contains(s, "contexts (Enter switches") })

	// A silent server: its error, within --request-timeout; prod stays.
	start := time.Now()
	d.jump("ctx " + testcluster.ContextDown)
	d.waitText(10*time.Second, `context down: cannot reach the API server`)
	t.Logf("switching to a silent context failed in %v", time.Since(start))
	d.waitText(5*time.Second, "ctx prod", "prod-only/")
	d.jump("ctx staging")
	d.waitText(5*time.Second, `unknown context "staging"`)

	// No permissions: the server's Forbidden, in that context only.
	d.jump("ctx " + testcluster.ContextRestricted)
	d.waitText(10*time.Second, "ctx restricted", "forbidden")
	d.jump("ctx prod")
	d.waitText(10*time.Second, "ctx prod", "prod-only/")

	// CONTEXT:/PATH in the jump bar: there, the leaf opened.
	d.jump("dev:" + dir + "/payments/manifest.yaml")
	d.waitText(10*time.Second, "ctx dev", "image: pay:1.4")
}

// The real binary in tmux switches contexts with :ctx: a context whose
// login plugin writes to stderr does not scribble over the screen, and one
// whose plugin must prompt gets the terminal (the UI suspends and comes
// back) when it is opened mid-session.
func TestE2EBinarySwitchesContextsInTmux(t *testing.T) {
	_, prod, kubeconfig, ns := twoClusters(t, "tmux-ctx")

	// Two more contexts on prod, logging in through exec plugins.
	dir := t.TempDir()
	cfg := prod.RESTConfig()
	cred, err := json.Marshal(map[string]any{
		"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
		"status": map[string]string{"clientCertificateData": string(cfg.CertData), "clientKeyData": string(cfg.KeyData)},
	})
	if err != nil {
		t.Fatal(err)
	}
	credFile, noisy, prompt := filepath.Join(dir, "cred.json"), filepath.Join(dir, "noisy.sh"), filepath.Join(dir, "prompt.sh")
	for name, text := range map[string]string{
		credFile: string(cred),
		noisy:    "echo 'PLUGIN NOISE ON STDERR' >&2\ncat " + credFile + "\n",
		prompt:   "printf 'one-time code: ' >&2\nread code\n[ \"$code\" = 424242 ] || { echo 'wrong code' >&2; exit 1; }\ncat " + credFile + "\n",
	} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kc, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]clientcmdapi.ExecInteractiveMode{"noisy": clientcmdapi.NeverExecInteractiveMode, "sso": clientcmdapi.AlwaysExecInteractiveMode} {
		script := noisy
		if name == "sso" {
			script = prompt
		}
		kc.AuthInfos[name] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
			APIVersion: "client.authentication.k8s.io/v1", Command: "/bin/sh", Args: []string{script}, InteractiveMode: mode,
		}}
		kc.Contexts[name] = &clientcmdapi.Context{Cluster: "prod-cluster", AuthInfo: name}
	}
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}

	bin := buildBinary(t)
	x := newTmux(t)
	x.start(fmt.Sprintf("%s --kubeconfig %s --path /namespaces/%s/configmaps%s", bin, kubeconfig, ns, afterExit))
	x.waitText(15*time.Second, "READ-ONLY", "ctx dev", "payments/")
	jump := x.jump
	jump("ctx prod")
	x.waitText(10*time.Second, "ctx prod", ns+"/")
	jump("ctx noisy")
	pane := x.waitText(10*time.Second, "ctx noisy", ns+"/")
	time.Sleep(500 * time.Millisecond)
	if pane = x.capture(); strings.Contains(pane, "PLUGIN NOISE") {
		t.Errorf("a login plugin's stderr is on the screen:\n%s", pane)
	}
	jump("ctx sso")
	x.waitText(10*time.Second, "one-time code:")
	x.send("-l", "424242")
	x.send("Enter")
	x.waitText(15*time.Second, "READ-ONLY", "ctx sso", ns+"/")
	jump("ctx -")
	x.waitText(10*time.Second, "ctx noisy")
	jump("dev:/namespaces/" + ns + "/configmaps/payments/manifest.yaml")
	x.waitText(10*time.Second, "ctx dev", "image: pay:1.4")
	x.send("q")
	pane = x.waitText(10*time.Second, "exit=0")
	if !strings.Contains(pane, "mode=icanon") {
		t.Errorf("the terminal was not restored:\n%s", pane)
	}

	// --context twice: both side by side, each a root.
	x2 := newTmux(t)
	x2.start(fmt.Sprintf("%s --kubeconfig %s --context dev --context prod%s", bin, kubeconfig, afterExit))
	x2.waitText(15*time.Second, "READ-ONLY", "dev:/", "prod:/")
	x2.send("q")
	x2.waitText(10*time.Second, "exit=0")
	// The headless commands take one context; others are named in paths.
	_, errOut, code := kfsuiWith(t, kubeconfig, "--context", "dev", "--context", "prod", "ls", "/")
	if code != 2 || !strings.Contains(errOut, "CONTEXT:/PATH") {
		t.Errorf("ls with --context twice: exit %d, %q", code, errOut)
	}
}

// d marks a leaf and d on another shows their diff in the viewer, added
// and removed lines in the theme's colors, across contexts too (marked in
// dev, compared in prod after :ctx); D compares the leaf with the same
// path in every other open context; r in the viewer compares again.
func TestE2EDiffInTheViewer(t *testing.T) {
	dev, _, kubeconfig, ns := twoClusters(t, "viewer-diff")
	dir := "/namespaces/" + ns + "/configmaps"
	leaf := dir + "/payments/manifest.yaml"
	d := startAppContexts(t, kubeconfig, "", dir)
	d.waitText(10*time.Second, "ctx dev", "payments/")

	// In one context: payments against a second ConfigMap.
	other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "payments-v2", Namespace: ns},
		Data: map[string]string{"image": "pay:2.0", "region": "eu", "replicas": "3"}}
	if _, err := dev.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d.jump(leaf)
	d.waitText(10*time.Second, "image: pay:1.4")
	d.keys("d")
	d.waitText(5*time.Second, "marked: d on another leaf")
	d.jump(dir + "/payments-v2/manifest.yaml")
	d.waitText(10*time.Second, "image: pay:2.0")
	d.keys("d")
	neat := model.NeatName(leaf)
	screen := d.waitText(10*time.Second, "--- "+neat, "+++ "+dir+"/payments-v2/manifest.neat.yaml", "-  image: pay:1.4", "+  image: pay:2.0")
	if !strings.Contains(screen, "-  name: payments") || !strings.Contains(screen, "+  name: payments-v2") || strings.Contains(screen, "uid:") {
		t.Errorf("the names' lines are missing from the diff, or the uids are in it:\n%s", screen)
	}
	// R: the manifests as stored, with their uids; R again: neat.
	d.keys("R")
	d.waitText(10*time.Second, "--- "+leaf, "+++ "+dir+"/payments-v2/manifest.yaml", "uid:", "as stored")
	d.keys("R")
	d.waitText(10*time.Second, "--- "+neat, "-  image: pay:1.4")
	theme := themes.Dark()
	if got := d.colorOf("+  image: pay:2.0"); got != theme.Added {
		t.Errorf("an added line's color is %v, want the theme's %v", got, theme.Added)
	}
	if got := d.colorOf("-  image: pay:1.4"); got != theme.Removed {
		t.Errorf("a removed line's color is %v, want the theme's %v", got, theme.Removed)
	}

	// Across contexts: marked in dev, compared in prod.
	d.jump(leaf)
	d.waitText(10*time.Second, "image: pay:1.4")
	d.keys("d")
	d.waitText(5*time.Second, "marked: d on another leaf")
	d.jump("ctx prod")
	d.waitText(10*time.Second, "ctx prod")
	d.jump(leaf)
	d.waitText(10*time.Second, "image: pay:1.5")
	d.keys("d")
	d.waitText(10*time.Second, "--- dev:"+neat, "+++ prod:"+neat, "-  image: pay:1.4", "+  image: pay:1.5")

	// D: the same path in every other open context (dev).
	d.jump(leaf)
	d.waitText(10*time.Second, "image: pay:1.5")
	d.keys("D")
	d.waitText(10*time.Second, "┌ diff prod:"+leaf, "--- prod:"+neat, "+++ dev:"+neat, "-  image: pay:1.5", "+  image: pay:1.4")

	// r compares again, with what the cluster holds now: the same.
	cm, err := dev.Clientset().CoreV1().ConfigMaps(ns).Get(ctx(t), "payments", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["image"] = "pay:1.5"
	if _, err := dev.Clientset().CoreV1().ConfigMaps(ns).Update(ctx(t), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	d.key(tcell.KeyTab) // r in the viewer: the tree's r opens the selection
	d.keys("r")
	d.waitFor("the image no longer differing", 10*time.Second, func(s string) bool {
		return strings.Contains(s, "=== prod:"+neat) && strings.Contains(s, "are the same") && !strings.Contains(s, "+  image: pay:1.4")
	})
}

// startAppBeside runs the app with the current context and beside, each a
// root of the tree, as --context given more than once does.
func startAppBeside(t *testing.T, kubeconfig string, beside ...string) *driver {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	cs, err := k8s.LoadContexts(flags, k8s.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	conn, err := cs.Conn(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	return runApp(t, conn, model.NewFS(conn, model.Options{}), app.Options{Contexts: cs, Beside: beside})
}

// Several contexts side by side, each a root of the tree with its own
// connection, listings and RBAC, both live; the header follows the
// selection's context; :ctx +NAME adds a root; a root whose API server
// stops says DISCONNECTED while the other goes on.
func TestE2EContextsSideBySide(t *testing.T) {
	dev, prod, kubeconfig, ns := twoClusters(t, "side")
	d := startAppBeside(t, kubeconfig, testcluster.ContextProd)
	d.waitText(15*time.Second, "dev:/", "prod:/")
	dir := "/namespaces/" + ns + "/configmaps"
	d.jump("prod:" + dir)
	d.waitText(10*time.Second, "ctx prod", "payments/")
	d.jump("dev:" + dir)
	d.waitText(10*time.Second, "ctx dev")
	d.waitSelected("dev:"+dir, 5*time.Second)

	// Both live: a ConfigMap made in each shows under its own root only.
	for _, c := range []struct {
		cluster *testcluster.Cluster
		name    string
	}{{dev, "made-in-dev"}, {prod, "made-in-prod"}} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: c.name, Namespace: ns}}
		if _, err := c.cluster.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	d.waitText(10*time.Second, "made-in-dev/", "made-in-prod/")
	var ok bool
	d.app.QueueUpdateDraw(func() {
		ok = d.app.Tree().Has("dev:"+dir+"/made-in-dev") && d.app.Tree().Has("prod:"+dir+"/made-in-prod") &&
			!d.app.Tree().Has("dev:"+dir+"/made-in-prod") && !d.app.Tree().Has("prod:"+dir+"/made-in-dev")
	})
	if !ok {
		t.Errorf("an object shows under the other context's root:\n%s", d.text())
	}

	// A leaf of each, from its own cluster; Y's path names its context.
	d.jump("prod:" + dir + "/payments/manifest.yaml")
	d.waitText(10*time.Second, "ctx prod", "image: pay:1.5")
	d.jump("dev:" + dir + "/payments/manifest.yaml")
	d.waitText(10*time.Second, "ctx dev", "image: pay:1.4")

	// :ctx +restricted: a third root, with that user's RBAC.
	d.jump("ctx +" + testcluster.ContextRestricted)
	d.waitText(10*time.Second, "restricted:/", "ctx restricted", "forbidden")
	d.jump("dev:" + dir)
	d.waitText(10*time.Second, "ctx dev")

	// prod's API server stops: its root says so; dev goes on.
	if err := prod.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if restarted {
			return
		}
		if err := prod.StartAPIServer(context.Background()); err != nil {
			t.Errorf("restarting prod's API server: %v", err)
		}
	})
	d.jump("prod:" + dir + "/payments/manifest.yaml") // a request, so the outage is seen at once
	d.waitText(30*time.Second, "DISCONNECTED since")
	d.jump("dev:" + dir + "/payments/manifest.yaml")
	d.waitText(10*time.Second, "ctx dev", "image: pay:1.4")
	restarted = true
	if err := prod.StartAPIServer(ctx(t)); err != nil {
		t.Fatal(err)
	}
	d.waitFor("prod connected again", 60*time.Second, func(s string) bool { return !strings.Contains(s, "DISCONNECTED") })
}
