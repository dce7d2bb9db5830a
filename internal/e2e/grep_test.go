package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// grepLines runs grep with args on text and returns its output and exit
// status: the reference kfsui grep is held to.
func grepLines(t *testing.T, text string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("grep", args...)
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout = &out
	_ = cmd.Run() // the exit status is the answer
	return out.String(), cmd.ProcessState.ExitCode()
}

// tierConfigMaps creates ConfigMaps app-0, app-1 and app-2 in ns, whose
// tiers are db, web and DB-replica.
func tierConfigMaps(t *testing.T, ns string) {
	t.Helper()
	cms := testcluster.Shared(t).Clientset().CoreV1().ConfigMaps(ns)
	for i, tier := range []string{"db", "web", "DB-replica"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%d", i)}, Data: map[string]string{"tier": tier}}
		if _, err := cms.Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// kfsui grep finds what `kubectl get -o yaml | grep` finds, object by
// object, and exits as grep does.
func TestE2EGrepMatchesKubectlAndGrep(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "grep")
	applyDeployment(t, ns)
	tierConfigMaps(t, ns)
	objects := map[string][]string{"deployments": {"web"}, "configmaps": {"app-0", "app-1", "app-2", "kube-root-ca.crt"}}

	for _, tc := range []struct {
		pattern string
		flags   []string // both grep's and kfsui grep's
	}{
		{"image: nginx", nil},
		{"tier: db", []string{"-i"}},
		{"^  name: ", nil},
		{"replicas", []string{"-c"}},
		{"app-[0-9]", []string{"-l"}},
		{"no such text anywhere", nil},
		{"^kind: ", []string{"-v"}},
	} {
		var want []string
		anyMatch := false
		for _, typ := range []string{"configmaps", "deployments"} {
			for _, name := range objects[typ] {
				yaml, err := c.Kubectl(ctx(t), "-n", ns, "get", typ, name, "-o", "yaml")
				if err != nil {
					t.Fatal(err)
				}
				path := fmt.Sprintf("/namespaces/%s/%s/%s/manifest.yaml", ns, typ, name)
				out, code := grepLines(t, string(yaml), append(append([]string{"-E"}, tc.flags...), tc.pattern)...)
				anyMatch = anyMatch || code == 0
				switch {
				case slices.Contains(tc.flags, "-l"):
					if code == 0 {
						want = append(want, path)
					}
				case slices.Contains(tc.flags, "-c"):
					want = append(want, path+":"+strings.TrimSpace(out))
				default:
					for line := range strings.Lines(out) {
						want = append(want, path+":"+strings.TrimSuffix(line, "\n"))
					}
				}
			}
		}
		args := append(append([]string{"grep"}, tc.flags...), tc.pattern,
			fmt.Sprintf("/namespaces/%s/configmaps", ns), fmt.Sprintf("/namespaces/%s/deployments", ns))
		got, errOut, code := kfsui(t, args...)
		if errOut != "" {
			t.Errorf("%q: stderr %s", tc.pattern, errOut)
		}
		wantCode := 1
		if anyMatch {
			wantCode = 0
		}
		if code != wantCode {
			t.Errorf("%v: exit %d, want %d as grep", args, code, wantCode)
		}
		wantText := strings.Join(want, "\n")
		if wantText != "" {
			wantText += "\n"
		}
		if got != wantText {
			t.Errorf("%v:\n%s\nkubectl get -o yaml | grep, object by object:\n%s", args, got, wantText)
		}
	}

	// Globs in paths; a single leaf prints its lines bare, as grep does.
	got, _, code := kfsui(t, "grep", "tier: web", "/namespaces/"+strings.Replace(ns, "grep", "gr?p", 1)+"/configmaps/app-*")
	if code != 0 || got != fmt.Sprintf("/namespaces/%s/configmaps/app-1/manifest.yaml:  tier: web\n", ns) {
		t.Errorf("grep with globs: exit %d:\n%s", code, got)
	}
	got, _, code = kfsui(t, "grep", "tier:", fmt.Sprintf("/namespaces/%s/configmaps/app-0/manifest.yaml", ns))
	if code != 0 || got != "  tier: db\n" {
		t.Errorf("grep of one leaf: exit %d: %q", code, got)
	}
	// --in picks other leaves.
	got, _, code = kfsui(t, "grep", "-l", "availableReplicas", "--in", "status.yaml,manifest.json", "/namespaces/"+ns+"/deployments")
	if code != 0 || got != fmt.Sprintf("/namespaces/%s/deployments/web/manifest.json\n/namespaces/%[1]s/deployments/web/status.yaml\n", ns) &&
		got != fmt.Sprintf("/namespaces/%s/deployments/web/status.yaml\n/namespaces/%[1]s/deployments/web/manifest.json\n", ns) {
		t.Errorf("grep --in: exit %d:\n%s", code, got)
	}

	// Trouble is exit 2, with a line on stderr, as grep's.
	for _, args := range [][]string{
		{"grep", "a(", "/namespaces/" + ns},
		{"grep", "x", "/namespaces/no-such-namespace"},
		{"grep", "x", "/namespaces/" + ns + "/no-such-type"},
		{"grep", "x", "/namespaces/" + ns + "/configmaps/no-such-object"},
		{"grep", "x", "/namespaces/" + ns + "/pods/p/logs/app.log"},
		{"grep", "x", "/namespaces/bad%name"},
		{"grep", "--in", "bogus.txt", "x", "/namespaces/" + ns},
		{"grep", "x"},
	} {
		_, errOut, code := kfsui(t, args...)
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "kfsui: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}

// A search reads each type with one paged LIST (a page at a time) per
// namespace, never a GET per object; across every namespace, one LIST.
func TestE2EGrepListsEachTypeOnce(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "greplist")
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	for i := range 5 {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i)}, Data: map[string]string{"n": fmt.Sprint(i)}}
		if _, err := cms.Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	conn, counter := connectAs(t, c.KubeconfigPath, "")
	fs := fsFor(conn, "", model.Options{GrepPageSize: 2})
	search := func(path string) (names []string) {
		scopes, err := fs.ExpandGrep(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range scopes {
			err := fs.GrepLeaves(context.Background(), s, nil, func(l model.Leaf) error {
				if strings.Contains(l.Text, "kind: ConfigMap") {
					names = append(names, l.Path.Name)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return names
	}
	before := len(requestsSince(counter, 0))
	names := search("/namespaces/" + ns + "/configmaps")
	if want := []string{"cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "kube-root-ca.crt"}; !slices.Equal(names, want) {
		t.Errorf("searched %q, want %q", names, want)
	}
	var reqs []string
	for _, u := range requestsSince(counter, before) {
		// The namespaces listing, which says whether ns exists.
		if !strings.HasPrefix(u, "/api/v1/namespaces?") {
			reqs = append(reqs, u)
		}
	}
	lists := counter.matching("/api/v1/namespaces/"+ns+"/configmaps?", "limit=2")
	if len(lists) != 3 || len(reqs) != 3 {
		t.Errorf("requests = %q; want 3 pages of 2 objects of one LIST, nothing else", reqs)
	}
	if got := counter.matching("/configmaps/cm-"); len(got) != 0 {
		t.Errorf("GETs of single objects: %q", got)
	}

	before = len(requestsSince(counter, 0))
	search("/namespaces/*/configmaps")
	for _, u := range requestsSince(counter, before) {
		if !strings.HasPrefix(u, "/api/v1/configmaps?") {
			t.Errorf("a search across every namespace sent %s; want only the LIST across namespaces", u)
		}
	}
}

// requestsSince returns the requests counter saw after its first n.
func requestsSince(c *countingTransport, n int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.uris[n:])
}

// :grep in the tree narrows it to the objects whose manifest matches, and
// the directories leading to them, opened; Esc shows everything again.
func TestE2EGrepInTheTree(t *testing.T) {
	ns := newNamespace(t, "grepui")
	applyDeployment(t, ns)
	tierConfigMaps(t, ns)
	d := startApp(t, "/namespaces/"+ns)
	d.waitText(15*time.Second, "configmaps", "deployments", "serviceaccounts")
	d.jump("grep tier: db")
	screen := d.waitText(15*time.Second, "app-0", "app-2", "2 of ")
	for _, gone := range []string{"app-1", "deployments", "serviceaccounts", "kube-root-ca.crt"} {
		if strings.Contains(screen, gone) {
			t.Errorf("the tree still shows %s after :grep:\n%s", gone, screen)
		}
	}
	d.key(tcell.KeyEscape)
	d.waitText(5*time.Second, "app-1", "deployments", "serviceaccounts", "grep cleared")

	// On a type directory the search is that type's; nothing matching
	// says so.
	d.jump("/namespaces/" + ns + "/deployments")
	d.jump("grep image: nginx")
	d.waitText(15*time.Second, "1 of 1 objects", "web")
	d.jump("grep no such text")
	d.waitText(15*time.Second, "0 of 1 objects")
}
