package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// limitedUser may get, list and watch ConfigMaps in ns, list and watch (but
// not get) Secrets there, and nothing else: not Services, not namespaces.
func limitedUser(t *testing.T, ns string) string {
	t.Helper()
	user := "limited-" + ns
	grantRole(t, ns, "cm-reader", user,
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}},
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list", "watch"}})
	path, err := testcluster.Shared(t).WriteUserKubeconfig(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// grantRole creates Role name in ns with rules and binds it to user.
func grantRole(t testing.TB, ns, name, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	cs := testcluster.Shared(t).Clientset()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: rules}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx(t), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx(t), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestE2EForbiddenShowsTheAPIsErrorNotACrash(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "rbac")
	cs := c.Clientset()
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "visible"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx(t), &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "hidden"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig := limitedUser(t, ns)

	// Namespaces cannot be listed: the tree still offers the one given
	// with --namespace, opened, and its ConfigMaps list.
	d := startAppAs(t, kubeconfig, ns, "")
	d.waitText(10*time.Second, ns+"/", "configmaps/", "namespaces is forbidden")
	d.waitSelected("/namespaces/"+ns, 10*time.Second)

	// A forbidden directory says so in the tree, and in full in the footer.
	d.app.QueueUpdateDraw(func() { d.app.Tree().Select("/namespaces/" + ns + "/services") })
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "⚠ services is forbidden", `services is forbidden: User "limited-`+ns+`" cannot list resource "services"`)

	// A forbidden leaf shows the API's error in the viewer.
	secrets := "/namespaces/" + ns + "/secrets"
	d.app.QueueUpdateDraw(func() { d.app.Tree().Select(secrets) })
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "hidden/")
	d.keys("j")
	d.waitSelected(secrets+"/hidden", 5*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(5*time.Second, "──manifest.yaml")
	d.keys("j")
	d.waitSelected(secrets+"/hidden/manifest.yaml", 5*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, `secrets "hidden" is forbidden: User "limited-`+ns+`" cannot get resource "secrets"`)

	_, errOut, code := kfsuiWith(t, kubeconfig, "cat", "/namespaces/"+ns+"/secrets/hidden/manifest.yaml")
	if code != 1 || !strings.Contains(errOut, `secrets "hidden" is forbidden`) {
		t.Errorf("cat of a forbidden leaf: exit %d, stderr %q", code, errOut)
	}
	out, errOut, code := kfsuiWith(t, kubeconfig, "-n", ns, "ls", "/namespaces")
	if code != 0 || out != ns+"/\n" || !strings.Contains(errOut, "forbidden") {
		t.Errorf("ls /namespaces as a limited user: exit %d, out %q, stderr %q", code, out, errOut)
	}
	// kube-root-ca.crt is the ConfigMap every namespace gets.
	out, _, code = kfsuiWith(t, kubeconfig, "ls", "/namespaces/"+ns+"/configmaps")
	if code != 0 || out != "kube-root-ca.crt/\nvisible/\n" {
		t.Errorf("ls of an allowed directory: exit %d, %q", code, out)
	}
}

func TestE2EHeadlessErrorsAndKUBECONFIG(t *testing.T) {
	c := testcluster.Shared(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ls", "/namespaces/no-such-namespace"}, `namespace "no-such-namespace" not found`},
		{[]string{"ls", "/namespaces/default/nosuchtypes"}, `unknown type "nosuchtypes"`},
		{[]string{"ls", "/cluster/pods"}, `unknown type "pods"`}, // namespaced, not under /cluster
		{[]string{"ls", "/namespaces/default/configmaps/nope"}, `configmaps "nope" not found`},
		{[]string{"cat", "/namespaces/default/configmaps/nope/manifest.yaml"}, `configmaps "nope" not found`},
		{[]string{"cat", "/namespaces/default"}, "is a directory"},
		{[]string{"ls", "/namespaces/default/pods/x/logs/../y"}, "no such path"},
		{[]string{"cat", "/namespaces/default/configmaps/a%2fb/manifest.yaml"}, "no such path"},
	}
	for _, tc := range cases {
		out, errOut, code := kfsui(t, tc.args...)
		if code != 1 || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.args, code, out, errOut, tc.want)
		}
	}

	// KUBECONFIG is honoured like kubectl's.
	t.Setenv("KUBECONFIG", c.KubeconfigPath)
	var out, errb strings.Builder
	if code := mainWith(&out, &errb, "ls", "/"); code != 0 || out.String() != "all/\ncluster/\nnamespaces/\n" {
		t.Errorf("with KUBECONFIG: exit %d, out %q, err %q", code, out.String(), errb.String())
	}
}

// countingTransport records the requests that reach the server: their
// paths, and their paths with the query.
type countingTransport struct {
	next  http.RoundTripper
	mu    sync.Mutex
	paths []string
	uris  []string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths = append(c.paths, r.URL.Path)
	c.uris = append(c.uris, r.URL.RequestURI())
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// matching returns the requests whose path and query contain every part.
func (c *countingTransport) matching(parts ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
next:
	for _, u := range c.uris {
		for _, p := range parts {
			if !strings.Contains(u, p) {
				continue next
			}
		}
		out = append(out, u)
	}
	return out
}

var discoveryPath = regexp.MustCompile(`^/(api|apis|api/v1|apis/[^/]+/[^/]+)$`)

func TestE2EDiscoveryIsTwoRequests(t *testing.T) {
	c := testcluster.Shared(t)
	counter := &countingTransport{}
	wrap := func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter }
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := k8s.ConnectConfig(cctx, c.RESTConfig(), k8s.Info{}, k8s.Options{WrapTransport: wrap})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	counter.mu.Lock()
	var disc []string
	for _, p := range counter.paths {
		if discoveryPath.MatchString(p) {
			disc = append(disc, p)
		}
	}
	counter.mu.Unlock()
	if len(disc) != 2 || disc[0] != "/api" || disc[1] != "/apis" {
		t.Errorf("discovery requests = %v, want [/api /apis] (aggregated discovery)", disc)
	}
	if conn.Catalog().Len() < 40 {
		t.Errorf("only %d types discovered", conn.Catalog().Len())
	}
}

// A listing that failed recovers by itself once the cause goes: the error
// leaves the screen without a keypress, even for an empty directory, where
// no object event would ever announce the recovery.
func TestE2EListingRecoversWhenAccessIsGranted(t *testing.T) {
	ns := newNamespace(t, "grant")
	kubeconfig := limitedUser(t, ns)
	d := startAppAs(t, kubeconfig, ns, "/namespaces/"+ns+"/services")
	d.waitText(10*time.Second, "⚠ services is forbidden")

	grantRole(t, ns, "svc-reader", "limited-"+ns,
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"services"}, Verbs: []string{"get", "list", "watch"}})
	// The reflector retries with backoff; allow for a few rounds.
	d.waitFor("the error to go", 30*time.Second, func(s string) bool {
		return !strings.Contains(s, "services is forbidden") && strings.Contains(s, "(empty)")
	})
}

// A user with a client certificate who may only get, list and watch in one
// namespace: kfsui starts in that namespace, marks what is forbidden as
// forbidden, and backs off on a 403 instead of asking again and again.
func TestE2ERBACLimitedUserIsNotRetriedInATightLoop(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "rbacloop")
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mine"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	user := "reader-" + ns
	grantRole(t, ns, "reader", user, rbacv1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}})
	kubeconfig, err := c.WriteUserKubeconfig(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, counter := connectAs(t, kubeconfig, ns)
	d := runApp(t, conn, fsFor(conn, ns, model.Options{}), app.Options{})
	d.waitSelected("/namespaces/"+ns, 10*time.Second)
	d.waitText(10*time.Second, "namespaces is forbidden", "configmaps/")

	// Allowed: its namespace's listings. Forbidden: /cluster's.
	d.jump("/namespaces/" + ns + "/configmaps")
	d.waitText(10*time.Second, "mine/")
	d.jump("/cluster/nodes")
	d.waitText(10*time.Second, "⚠ nodes is forbidden")

	start := time.Now()
	nodes0, ns0 := len(counter.matching("/api/v1/nodes?")), len(counter.matching("/api/v1/namespaces?"))
	time.Sleep(15 * time.Second)
	nodes, nss := len(counter.matching("/api/v1/nodes?"))-nodes0, len(counter.matching("/api/v1/namespaces?"))-ns0
	t.Logf("in %s: %d requests for the forbidden nodes listing, %d for the forbidden namespaces listing", time.Since(start).Round(time.Second), nodes, nss)
	// Backing off from 0.8s and doubling to 30s is a handful of tries in
	// 15 seconds; a tight loop would be hundreds.
	for what, n := range map[string]int{"nodes": nodes, "namespaces": nss} {
		if n > 12 {
			t.Errorf("the forbidden %s listing was asked %d times in 15s", what, n)
		}
	}
	if screen := d.text(); !strings.Contains(screen, "⚠ nodes is forbidden") || !strings.Contains(screen, "mine/") {
		t.Errorf("the screen lost its state:\n%s", screen)
	}
}
