package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/mount"
	"github.com/kfsui/kfsui/internal/testcluster"
)

// TestE2EAllPodsEqualsKubectlGetA checks kfsui ls -l /all/pods against
// kubectl get pods -A (and -o wide), run side by side until no other test
// changed the cluster's pods between them, ages masked.
func TestE2EAllPodsEqualsKubectlGetA(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	a, b := newNamespace(t, "all-a"), newNamespace(t, "all-b")
	for _, ns := range []string{a, b} {
		if _, err := c.CreatePod(ctx(t), ns, "web-0", []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, wide := range []bool{false, true} {
		kubectlArgs, kfsuiArgs := []string{"get", "pods", "-A"}, []string{"ls", "-l", "/all/pods"}
		if wide {
			kubectlArgs, kfsuiArgs = append(kubectlArgs, "-o", "wide"), []string{"ls", "-l", "--wide", "/all/pods"}
		}
		var want, got string
		for try := 0; try < 5; try++ {
			before, err := c.Kubectl(ctx(t), kubectlArgs...)
			if err != nil {
				t.Fatal(err)
			}
			out, stderr, code := kfsui(t, kfsuiArgs...)
			if code != 0 {
				t.Fatalf("kfsui %s: exit %d: %s", strings.Join(kfsuiArgs, " "), code, stderr)
			}
			after, err := c.Kubectl(ctx(t), kubectlArgs...)
			if err != nil {
				t.Fatal(err)
			}
			if maskAges(string(before)) == maskAges(string(after)) {
				want, got = maskAges(string(before)), maskAges(out)
				break
			}
		}
		if want == "" {
			t.Fatal("the cluster's pods changed during every one of 5 tries")
		}
		if got != want {
			t.Errorf("kfsui %s:\n%s\nkubectl %s:\n%s", strings.Join(kfsuiArgs, " "), got, strings.Join(kubectlArgs, " "), want)
		}
		for _, ns := range []string{a, b} {
			if !strings.Contains(got, ns+" web-0 ") {
				t.Errorf("%s's pod missing from\n%s", ns, got)
			}
		}
	}
	// The plain listing names entries <namespace>:<name>, and a path
	// below an entry reads the object's own directory.
	out, _, code := kfsui(t, "ls", "/all/pods")
	if code != 0 || !strings.Contains(out, a+":web-0\n") || !strings.Contains(out, b+":web-0\n") {
		t.Errorf("ls /all/pods: exit %d\n%s", code, out)
	}
	out, stderr, code := kfsui(t, "cat", "/all/pods/"+a+":web-0/manifest.yaml")
	if code != 0 || !strings.Contains(out, "namespace: "+a) {
		t.Errorf("cat below an /all entry: exit %d %s\n%s", code, stderr, out)
	}
}

// TestE2EAllPodsInTheTree checks /all/pods in the tree: pods of several
// namespaces with NAMESPACE first, a pod created in a new namespace shows
// up by itself, Enter on an entry goes to the object's own directory,
// and 0 comes back.
func TestE2EAllPodsInTheTree(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	a, b := newNamespace(t, "alltree-a"), newNamespace(t, "alltree-b")
	for _, ns := range []string{a, b} {
		if _, err := c.CreatePod(ctx(t), ns, "api-0", []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// A wide tree pane, for every column.
	d := startAppWith(t, c.KubeconfigPath, "", app.Options{TreeWidth: 85})
	d.jump("po -A")
	screen := d.waitText(15*time.Second, "NAMESPACE", a+":api-0", b+":api-0")
	if f := cellsOf(screen, a+":api-0"); len(f) < 4 || f[1] != a || f[3] != "Running" {
		t.Errorf("%s:api-0's row: %q", a, f)
	}
	if f := cellsOf(screen, "NAME ↑"); len(f) < 4 || f[2] != "NAMESPACE" || f[3] != "READY" {
		t.Errorf("header: %q", f)
	}

	// A namespace that did not exist when the listing started.
	late := newNamespace(t, "alltree-late")
	if _, err := c.CreatePod(ctx(t), late, "late-0", []string{"main"}, nil); err != nil {
		t.Fatal(err)
	}
	d.waitText(15*time.Second, late+":late-0")

	d.waitFor("the entry selected", 10*time.Second, func(string) bool {
		ok := false
		d.app.QueueUpdateDraw(func() { ok = d.app.Tree().Select("/all/pods/" + b + ":api-0") })
		return ok
	})
	d.keys("l") // Enter's other key: go to the object
	d.waitSelected("/namespaces/"+b+"/pods/api-0", 10*time.Second)
	d.keys("0")
	d.waitSelected("/all/pods", 10*time.Second)
}

// TestE2EAllPodsOfARestrictedUser checks a user who may not list pods
// across namespaces: /all/pods holds the pods of the namespaces they may
// list them in, and nothing else, without an error.
func TestE2EAllPodsOfARestrictedUser(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	mine, theirs := newNamespace(t, "allrbac-mine"), newNamespace(t, "allrbac-theirs")
	for _, ns := range []string{mine, theirs} {
		if _, err := c.CreatePod(ctx(t), ns, "db-0", []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	user := "all-" + mine
	grantRole(t, mine, "pods", user, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}})
	kubeconfig, err := c.WriteUserKubeconfig(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := kfsuiWith(t, kubeconfig, "-n", mine, "ls", "-l", "/all/pods")
	if code != 0 || !strings.Contains(out, mine+" ") || strings.Contains(out, theirs) || strings.Count(out, "\n") != 2 {
		t.Errorf("a restricted user's ls -l /all/pods: exit %d, stderr %q\n%s", code, stderr, out)
	}
	d := startAppAs(t, kubeconfig, mine, "/all/pods")
	screen := d.waitText(15*time.Second, mine+":db-0")
	if strings.Contains(screen, theirs) {
		t.Errorf("another namespace's pod shown to a restricted user:\n%s", screen)
	}
}

// TestE2EAllPodsInTheMount checks that the mount serves /all/pods as
// symbolic links to the objects' own directories.
func TestE2EAllPodsInTheMount(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	ns := newNamespace(t, "allmount")
	if _, err := c.CreatePod(ctx(t), ns, "web-0", []string{"main"}, nil); err != nil {
		t.Fatal(err)
	}
	dir := mountInProcess(t, 100, mount.Options{}).dir
	link := filepath.Join(dir, "all", "pods", ns+":web-0")
	var target string
	eventually(t, "the /all/pods entry", 15*time.Second, func() bool {
		var err error
		target, err = os.Readlink(link)
		return err == nil
	}, noDetail)
	if want := "../../namespaces/" + ns + "/pods/web-0"; target != want {
		t.Errorf("link %s -> %q, want %q", link, target, want)
	}
	data, err := os.ReadFile(filepath.Join(link, "manifest.yaml"))
	if err != nil || !strings.Contains(string(data), "name: web-0") {
		t.Errorf("reading through the link: %v\n%s", err, data)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("lstat %s: %v %v", link, fi, err)
	}
}

// TestE2EBinaryAllPodsSortedByRestarts drives the real binary in tmux:
// :po -A, then o until the sort is on RESTARTS, and O for the most
// restarts first.
func TestE2EBinaryAllPodsSortedByRestarts(t *testing.T) {
	t.Parallel()
	c := testcluster.Shared(t)
	ns := newNamespace(t, "allsort")
	for _, name := range []string{"calm-0", "flaky-0"} {
		if _, err := c.CreatePod(ctx(t), ns, name, []string{"main"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	crashLoop(t, ns, "flaky-0", 977)
	bin := buildBinary(t)
	x := newTmux(t)
	x.startSized(300, 60, fmt.Sprintf("%s --kubeconfig %s%s", bin, c.KubeconfigPath, afterExit))
	x.waitText(15*time.Second, "READ-ONLY", "namespaces/")
	x.jump("po -A")
	x.waitText(15*time.Second, "NAMESPACE", "/all/pods")
	// Narrowed to this test's pods: every other test's are there too.
	x.send("/")
	x.send("-l", ns)
	x.send("Enter")
	x.waitText(15*time.Second, ns+":flaky-0", ns+":calm-0", "2 entries match")
	visible := func() string { return x.run("capture-pane", "-p", "-t", "main") }
	for i := 0; i < 8 && !strings.Contains(visible(), "RESTARTS ↑"); i++ {
		before := visible()
		x.send("o")
		x.waitFor("the sort to move on", 5*time.Second, func(string) bool {
			_, header, _ := strings.Cut(visible(), "NAME")
			_, old, _ := strings.Cut(before, "NAME")
			return strings.SplitN(header, "\n", 2)[0] != strings.SplitN(old, "\n", 2)[0]
		})
	}
	x.send("O")
	// The first entry under the header is the pod with the most restarts.
	x.waitFor("flaky-0 first, sorted by RESTARTS ↓", 10*time.Second, func(string) bool {
		lines := strings.Split(visible(), "\n")
		for i, l := range lines {
			if strings.Contains(l, "RESTARTS ↓") {
				return i+1 < len(lines) && strings.Contains(lines[i+1], ns+":flaky-0") && strings.Contains(lines[i+1], "977")
			}
		}
		return false
	})
	x.send("q")
	x.waitText(10*time.Second, "exit=0")
}
