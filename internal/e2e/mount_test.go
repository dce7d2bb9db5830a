package e2e

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/mount"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// requireFUSE fails, loudly, where FUSE cannot be mounted: the mount tests
// are part of the suite and must never pass by not running.
func requireFUSE(t *testing.T) {
	t.Helper()
	if err := mount.CheckFUSE(); err != nil {
		t.Fatalf("the mount tests need FUSE: %v (scripts/ensure-deps.sh installs fuse3)", err)
	}
}

// inFlightGauge records every request and the most GETs of objects and
// logs that were in flight at once.
type inFlightGauge struct {
	next    http.RoundTripper
	mu      sync.Mutex
	uris    []string
	now     int
	max     int
	delay   time.Duration // added to each GET of an object, to make overlaps visible
	leafish func(r *http.Request) bool
}

func (g *inFlightGauge) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	g.uris = append(g.uris, r.URL.RequestURI())
	counted := g.leafish != nil && g.leafish(r)
	if counted {
		g.now++
		g.max = max(g.max, g.now)
	}
	g.mu.Unlock()
	if counted {
		defer func() { g.mu.Lock(); g.now--; g.mu.Unlock() }()
		time.Sleep(g.delay)
	}
	return g.next.RoundTrip(r)
}

func (g *inFlightGauge) requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.uris)
}

func (g *inFlightGauge) maxInFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.max
}

// mounted is a tree mounted by the test process itself, on the shared
// cluster as its admin, so its requests can be seen.
type mounted struct {
	dir   string
	gauge *inFlightGauge
	srv   *mount.Server
}

// mountInProcess mounts the shared cluster's tree on a new directory with
// o; logs start with tail lines. Unmounted when the test ends.
func mountInProcess(t *testing.T, tail int64, o mount.Options) *mounted {
	t.Helper()
	requireFUSE(t)
	c := testcluster.Shared(t)
	gauge := &inFlightGauge{}
	conn, counter := connectAs(t, c.KubeconfigPath, "")
	gauge.next = counter.next
	counter.next = gauge
	fs := model.NewFS(conn, model.Options{LogTailLines: tail})
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var errs bytes.Buffer
	o.Errors = &lockedWriter{w: &errs}
	srv, err := mount.Mount(dir, []mount.Tree{{Name: "dev", FS: fs, Logs: conn}}, o)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
		srv.Wait()
	})
	return &mounted{dir: dir, gauge: gauge, srv: srv}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sh runs a command line with bash and returns its stdout, failing the test
// if it fails or writes to stderr.
func sh(t *testing.T, script string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command("bash", "-c", script)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", script, err, out.String(), errb.String())
	}
	if errb.Len() > 0 {
		t.Fatalf("%s: wrote to stderr:\n%s", script, errb.String())
	}
	return out.String()
}

// catOf returns what `kfsui cat` prints for path.
func catOf(t *testing.T, path string) string {
	t.Helper()
	out, errOut, code := kfsui(t, "cat", path)
	if code != 0 {
		t.Fatalf("kfsui cat %s: exit %d: %s", path, code, errOut)
	}
	return out
}

// The Unix tools a user reaches for, run through the mount against the
// real apiserver: what they read is what kfsui cat and kubectl print.
func TestE2EMountShellTools(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "mount")
	applyDeployment(t, ns)
	m := mountInProcess(t, 1000, mount.Options{})
	web := filepath.Join(m.dir, "namespaces", ns, "deployments", "web")
	kweb := "/namespaces/" + ns + "/deployments/web"

	// ls: the same names as kfsui ls.
	lsOut, _, code := kfsui(t, "ls", "/namespaces/"+ns)
	if code != 0 {
		t.Fatalf("kfsui ls: exit %d", code)
	}
	if got, want := sh(t, "ls -1 "+filepath.Join(m.dir, "namespaces", ns)), strings.ReplaceAll(lsOut, "/\n", "\n"); got != want {
		t.Errorf("ls through the mount:\n%s\nkfsui ls:\n%s", got, want)
	}
	if got := sh(t, "ls "+filepath.Dir(web)); got != "web\n" {
		t.Errorf("ls deployments = %q", got)
	}

	// cat equals kfsui cat, and diff against kubectl finds nothing.
	manifest := filepath.Join(web, "manifest.yaml")
	if got, want := sh(t, "cat "+manifest), catOf(t, kweb+"/manifest.yaml"); got != want {
		t.Errorf("cat through the mount differs from kfsui cat:\n%s\n---\n%s", got, want)
	}
	want, err := c.Kubectl(ctx(t), "-n", ns, "get", "deployment", "web", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	kubectlFile := filepath.Join(t.TempDir(), "web.yaml")
	if err := os.WriteFile(kubectlFile, want, 0o644); err != nil {
		t.Fatal(err)
	}
	sh(t, fmt.Sprintf("diff %s %s", kubectlFile, manifest))

	// wc and md5sum agree with what kfsui reads, and md5sum is stable
	// across reads, also once the first text was dropped (Fresh).
	text := catOf(t, kweb+"/manifest.json")
	if got := sh(t, "wc -l < "+filepath.Join(web, "manifest.json")); strings.TrimSpace(got) != fmt.Sprint(strings.Count(text, "\n")) {
		t.Errorf("wc -l = %s, kfsui cat has %d lines", got, strings.Count(text, "\n"))
	}
	sum := fmt.Sprintf("%x", md5.Sum([]byte(text)))
	for i := range 3 {
		got := strings.Fields(sh(t, "md5sum "+filepath.Join(web, "manifest.json")))[0]
		if got != sum {
			t.Errorf("md5sum #%d = %s, want %s", i+1, got, sum)
		}
		time.Sleep(1200 * time.Millisecond)
	}

	// stat's size is what read returns, for every leaf, while open.
	if got, want := sh(t, "cat "+filepath.Join(web, "manifest.neat.yaml")), catOf(t, kweb+"/manifest.neat.yaml"); got != want || strings.Contains(got, "uid:") {
		t.Errorf("the mount's manifest.neat.yaml:\n%s\nkfsui cat's:\n%s", got, want)
	}
	for _, leaf := range []string{"manifest.yaml", "manifest.neat.yaml", "manifest.json", "status.yaml", "events.txt", "describe.txt", "tree.txt"} {
		f, err := os.Open(filepath.Join(web, leaf))
		if err != nil {
			t.Fatalf("open %s: %v", leaf, err)
		}
		st, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatalf("read %s: %v", leaf, err)
		}
		if st.Size() != int64(len(data)) || len(data) == 0 {
			t.Errorf("%s: stat says %d bytes, read gave %d", leaf, st.Size(), len(data))
		}
	}

	// find and grep -r walk the tree as on disk.
	found := strings.Fields(sh(t, "cd "+web+" && find . -type f | sort"))
	for _, w := range []string{"./manifest.yaml", "./events.txt", "./revisions/1.yaml", "./revisions/1.diff", "./tree.txt"} {
		if !slices.Contains(found, w) {
			t.Errorf("find lacks %s: %q", w, found)
		}
	}
	logs := 0
	for _, f := range found {
		if strings.HasPrefix(f, "./logs/") && strings.HasSuffix(f, "/web.log") {
			logs++
		}
	}
	if logs != 2 {
		t.Errorf("find shows %d pod logs under the Deployment, want 2: %q", logs, found)
	}
	if got := sh(t, "grep -rl 'image: nginx:1.27' "+filepath.Dir(web)+" --include=manifest.yaml"); got != manifest+"\n" {
		t.Errorf("grep -rl = %q", got)
	}

	// cp -r copies every leaf as kfsui reads it; tar archives without a
	// warning (no "file changed as we read it", no short reads).
	dst := filepath.Join(t.TempDir(), "copy")
	sh(t, fmt.Sprintf("cp -r %s %s", web, dst))
	for _, leaf := range []string{"manifest.yaml", "status.yaml"} {
		got, err := os.ReadFile(filepath.Join(dst, leaf))
		if err != nil || string(got) != catOf(t, kweb+"/"+leaf) {
			t.Errorf("cp -r: %s differs from kfsui cat (%v)", leaf, err)
		}
	}
	archive := filepath.Join(t.TempDir(), "web.tar")
	sh(t, fmt.Sprintf("tar -cf %s -C %s web", archive, filepath.Dir(web)))
	listing := sh(t, "tar -tvf "+archive)
	yaml := catOf(t, kweb+"/manifest.yaml")
	if !strings.Contains(listing, fmt.Sprintf(" %d ", len(yaml))) || !strings.Contains(listing, "web/manifest.yaml") {
		t.Errorf("tar holds no %d-byte web/manifest.yaml:\n%s", len(yaml), listing)
	}
	extracted := filepath.Join(t.TempDir(), "x")
	sh(t, fmt.Sprintf("mkdir %s && tar -xf %s -C %s", extracted, archive, extracted))
	if got, _ := os.ReadFile(filepath.Join(extracted, "web", "manifest.yaml")); string(got) != yaml {
		t.Errorf("the archived manifest.yaml differs from kfsui cat")
	}
}

// Directories follow the cluster without a remount and without asking it
// again; a malformed name costs no request; Secrets stay masked.
func TestE2EMountFollowsTheCluster(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "mountlive")
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Data: map[string][]byte{"password": []byte("hunter2-in-the-mount")}}
	if _, err := c.Clientset().CoreV1().Secrets(ns).Create(ctx(t), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	m := mountInProcess(t, 1000, mount.Options{})
	dir := filepath.Join(m.dir, "namespaces", ns, "configmaps")
	if got := sh(t, "ls "+dir); got != "kube-root-ca.crt\n" {
		t.Fatalf("ls configmaps = %q", got)
	}

	// Listing again, and looking up a name that cannot be one, send
	// nothing to the server.
	before := len(m.gauge.requests())
	sh(t, "ls "+dir+" >/dev/null; ls "+dir+" >/dev/null")
	for _, bad := range []string{"bad%name", "a?b", "x#y"} {
		if _, err := os.Stat(filepath.Join(dir, bad)); !errors.Is(err, syscall.ENOENT) {
			t.Errorf("stat %s: %v, want ENOENT", bad, err)
		}
	}
	if got := m.gauge.requests()[before:]; len(got) > 0 {
		t.Errorf("listing again and malformed names sent requests: %q", got)
	}

	// A ConfigMap created shows in ls within 2 s.
	created := time.Now()
	if _, err := cms.Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "fresh"}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new ConfigMap in ls", 2*time.Second, func() bool {
		return strings.Contains(sh(t, "ls "+dir), "fresh\n")
	}, func() string { return sh(t, "ls "+dir) })
	t.Logf("ConfigMap in ls after %v", time.Since(created).Round(time.Millisecond))
	if got := sh(t, "cat "+filepath.Join(dir, "fresh", "manifest.yaml")); !strings.Contains(got, "k: v") {
		t.Errorf("new ConfigMap's manifest:\n%s", got)
	}
	// ... and goes when it is deleted.
	if err := cms.Delete(ctx(t), "fresh", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted ConfigMap gone from ls", 2*time.Second, func() bool {
		return !strings.Contains(sh(t, "ls "+dir), "fresh\n")
	}, noDetail)

	// A leaf is one GET when opened; a stat just before shares it, as
	// tar's stat-then-open does; leaves of an object cost nothing until
	// one is read.
	gets := func() int {
		n := 0
		for _, u := range m.gauge.requests() {
			if strings.Contains(u, "/configmaps/kube-root-ca.crt") {
				n++
			}
		}
		return n
	}
	leaf := filepath.Join(dir, "kube-root-ca.crt", "manifest.yaml")
	sh(t, "ls "+filepath.Dir(leaf)+" >/dev/null")
	if n := gets(); n != 0 {
		t.Errorf("listing an object's directory sent %d GETs", n)
	}
	sh(t, "cat "+leaf+" >/dev/null")
	if n := gets(); n != 1 {
		t.Errorf("cat of a leaf sent %d GETs, want 1", n)
	}
	time.Sleep(2500 * time.Millisecond) // past the text's freshness
	sh(t, "stat "+leaf+" >/dev/null && cat "+leaf+" >/dev/null")
	if n := gets(); n != 2 {
		t.Errorf("stat then cat sent %d more GETs, want 1", n-1)
	}

	// Secrets are masked as kfsui cat masks them.
	got := sh(t, "cat "+filepath.Join(m.dir, "namespaces", ns, "secrets", "db", "manifest.yaml"))
	if strings.Contains(got, "hunter2") || strings.Contains(got, "aHVudGVyMi") || !strings.Contains(got, "[hidden: 20 bytes]") {
		t.Errorf("a Secret through the mount is not masked:\n%s", got)
	}
}

// Every way of changing a file or directory fails with EROFS.
func TestE2EMountIsReadOnly(t *testing.T) {
	ns := newNamespace(t, "mountro")
	m := mountInProcess(t, 1000, mount.Options{})
	nsDir := filepath.Join(m.dir, "namespaces", ns)
	leaf := filepath.Join(nsDir, "configmaps", "kube-root-ca.crt", "manifest.yaml")
	if _, err := os.ReadFile(leaf); err != nil {
		t.Fatalf("read %s: %v", leaf, err)
	}
	attempts := map[string]func() error{
		"write":      func() error { return os.WriteFile(leaf, []byte("x"), 0o644) },
		"append":     func() error { f, err := os.OpenFile(leaf, os.O_APPEND|os.O_WRONLY, 0); closeIf(f); return err },
		"read-write": func() error { f, err := os.OpenFile(leaf, os.O_RDWR, 0); closeIf(f); return err },
		"create":     func() error { return os.WriteFile(filepath.Join(nsDir, "new.yaml"), []byte("x"), 0o644) },
		"unlink":     func() error { return os.Remove(leaf) },
		"rmdir":      func() error { return syscall.Rmdir(filepath.Join(nsDir, "configmaps")) },
		"rename":     func() error { return os.Rename(leaf, leaf+".bak") },
		"mkdir":      func() error { return os.Mkdir(filepath.Join(nsDir, "configmaps", "x"), 0o755) },
		"chmod":      func() error { return os.Chmod(leaf, 0o777) },
		"chown":      func() error { return os.Chown(leaf, 1, 1) },
		"truncate":   func() error { return os.Truncate(leaf, 0) },
		"utimes":     func() error { return os.Chtimes(leaf, time.Now(), time.Now()) },
		"symlink":    func() error { return os.Symlink(leaf, filepath.Join(nsDir, "link")) },
		"link":       func() error { return os.Link(leaf, filepath.Join(nsDir, "hard")) },
		"mknod":      func() error { return syscall.Mknod(filepath.Join(nsDir, "fifo"), syscall.S_IFIFO|0o644, 0) },
		"setxattr":   func() error { return syscall.Setxattr(leaf, "user.k", []byte("v"), 0) },
	}
	names := make([]string, 0, len(attempts))
	for name := range attempts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := attempts[name](); !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v, want EROFS", name, err)
		}
	}
	if out, err := exec.Command("bash", "-c", "echo x > "+leaf).CombinedOutput(); err == nil || !strings.Contains(string(out), "Read-only file system") {
		t.Errorf("a shell's > redirect: %v %s", err, out)
	}
	if got, _ := os.ReadFile(leaf); !strings.Contains(string(got), "kind: ConfigMap") {
		t.Errorf("the leaf changed:\n%s", got)
	}
}

func closeIf(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// A .log gives its last lines; tail -f on it follows the container.
func TestE2EMountLogsGrowUnderTailF(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "mountlog")
	if _, err := c.CreatePod(ctx(t), ns, "logger", []string{"app"}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		c.Kubelet().Write(ns, "logger", "app", fmt.Sprintf("history line %d", i))
	}
	m := mountInProcess(t, 3, mount.Options{})
	log := filepath.Join(m.dir, "namespaces", ns, "pods", "logger", "logs", "app.log")
	if got := sh(t, "cat "+log); got != "history line 8\nhistory line 9\nhistory line 10\n" {
		t.Errorf("cat of the log = %q, want its last 3 lines", got)
	}
	if st, err := os.Stat(log); err != nil || st.Size() != int64(len("history line 8\nhistory line 9\nhistory line 10\n")) {
		t.Errorf("stat of the log: %v %v", st, err)
	}

	cmd := exec.Command("tail", "-f", "-n", "1", log)
	var out lockedWriter
	out.w = &bytes.Buffer{}
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	seen := func(s string) func() bool {
		return func() bool {
			out.mu.Lock()
			defer out.mu.Unlock()
			return strings.Contains(out.w.String(), s)
		}
	}
	detail := func() string { out.mu.Lock(); defer out.mu.Unlock(); return out.w.String() }
	eventually(t, "tail -f to print the last line", 10*time.Second, seen("history line 10\n"), detail)
	for i := 1; i <= 3; i++ {
		c.Kubelet().Write(ns, "logger", "app", fmt.Sprintf("live line %d", i))
		eventually(t, fmt.Sprintf("tail -f to print live line %d", i), 10*time.Second, seen(fmt.Sprintf("live line %d\n", i)), detail)
	}
	if got := detail(); got != "history line 10\nlive line 1\nlive line 2\nlive line 3\n" {
		t.Errorf("tail -f printed %q: lines repeated or lost", got)
	}
	// A dropped connection is resumed without repeating a line.
	if n := c.Kubelet().DropStreams(ns, "logger", "app"); n == 0 {
		t.Fatal("no stream open to drop")
	}
	c.Kubelet().Write(ns, "logger", "app", "after the reconnect")
	eventually(t, "tail -f to print the line after the reconnect", 15*time.Second, seen("after the reconnect\n"), detail)
	if got := detail(); strings.Count(got, "live line 3") != 1 {
		t.Errorf("a line was repeated after the reconnect: %q", got)
	}
}

// Many readers at once read consistent texts, and the GETs they cause are
// capped whatever they do.
func TestE2EMountConcurrentReadersAreBounded(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "mountmany")
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	const n = 24
	for i := range n {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%02d", i)}, Data: map[string]string{"i": fmt.Sprint(i)}}
		if _, err := cms.Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	m := mountInProcess(t, 1000, mount.Options{MaxInFlight: 3})
	m.gauge.mu.Lock()
	m.gauge.delay = 50 * time.Millisecond
	m.gauge.leafish = func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/configmaps/cm-")
	}
	m.gauge.mu.Unlock()
	dir := filepath.Join(m.dir, "namespaces", ns, "configmaps")
	sh(t, "ls "+dir+" >/dev/null")
	var wg sync.WaitGroup
	var bad atomic.Int32
	for r := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				name := fmt.Sprintf("cm-%02d", (i+r)%n)
				got, err := os.ReadFile(filepath.Join(dir, name, "manifest.yaml"))
				if err != nil || !strings.Contains(string(got), "name: "+name+"\n") {
					bad.Add(1)
					t.Errorf("%s: %v\n%s", name, err, got)
				}
			}
		}()
	}
	wg.Wait()
	if got := m.gauge.maxInFlight(); got > 3 || got == 0 {
		t.Errorf("%d GETs in flight at most, want 1 to 3 (--max-in-flight 3)", got)
	}
	sh(t, "grep -r 'i: \"7\"' "+dir+" --include=manifest.yaml >/dev/null")
	if got := m.gauge.maxInFlight(); got > 3 {
		t.Errorf("grep -r: %d GETs in flight at most, want at most 3", got)
	}
}
