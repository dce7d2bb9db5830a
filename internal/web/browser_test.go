package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// artifacts is where the browser tests leave their screenshots:
// $KFSUI_ARTIFACTS, or kfsui-artifacts in the temporary directory.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KFSUI_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "kfsui-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// saveShot saves a screenshot of the page in the artifacts as name
// (quality 100 makes a PNG).
func saveShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(artifacts(t), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// browser starts headless Chromium (Debian's, which scripts/ensure-deps.sh
// installs) and returns a context that drives it.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (scripts/ensure-deps.sh installs it with apt-get): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 800), chromedp.Flag("headless", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// In a real browser: the start URL lets it in and leaves the address
// without the token; a directory is a table whose rows link to the
// objects; a leaf is highlighted by chroma's classes under the page's own
// style sheets, which the Content-Security-Policy lets through. The
// screenshots are left as artifacts.
func TestWebInABrowser(t *testing.T) {
	srv, hs, _, ns := serve(t)
	ctx := browser(t)
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	value := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	run(chromedp.Navigate(srv.StartURL(hs.URL)), chromedp.WaitVisible("header .brand"))
	location := value(chromedp.Location())
	run(chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/configmaps"), chromedp.WaitVisible("table tbody tr"))
	table := value(chromedp.Text("table"))
	saveShot(t, ctx, "web-tree.png")
	run(chromedp.Click(`a[href$="/configmaps/settings"]`), chromedp.WaitVisible(`a[href$="/manifest.yaml"]`),
		chromedp.Click(`a[href$="/manifest.yaml"]`), chromedp.WaitVisible("pre.chroma span"))
	color := value(chromedp.Evaluate[string](`getComputedStyle(document.querySelector("pre.chroma .nt")).color`))
	saveShot(t, ctx, "web-leaf.png")
	if strings.Contains(location, "token") {
		t.Errorf("the address still shows the token: %s", location)
	}
	if !strings.Contains(table, "settings") || !strings.Contains(table, "DATA") {
		t.Errorf("the table: %q", table)
	}
	if color == "" || color == "rgb(0, 0, 0)" {
		t.Errorf("a YAML key's colour is %q: the theme's style sheet did not apply", color)
	}
}

// The directory page follows the cluster without a reload, and the
// terminal UI's keys move through it: a ConfigMap the test creates
// appears, j moves the selection to it, Enter opens it.
func TestWebPageFollowsTheClusterAndTheKeys(t *testing.T) {
	srv, hs, _, ns := serve(t)
	ctx := browser(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(chromedp.Navigate(srv.StartURL(hs.URL)), chromedp.WaitVisible("header .brand"),
		chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/configmaps"), chromedp.WaitVisible(`body[data-live="1"]`))
	began := time.Now()
	cms := testcluster.Shared(t).Clientset().CoreV1().ConfigMaps(ns)
	if _, err := cms.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "zz-added"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	do(chromedp.WaitVisible(`a[href$="/configmaps/zz-added"]`))
	t.Logf("a ConfigMap created → on the page in %s, without a reload", time.Since(began).Round(time.Millisecond))
	// kube-root-ca.crt, settings, zz-added: two downs reach the new one.
	do(chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.WaitVisible(`tr.selected a[href$="/zz-added"]`),
		chromedp.KeyEvent("\r"), chromedp.WaitVisible(`a[href$="/zz-added/manifest.yaml"]`))
	saveShot(t, ctx, "web-object.png")
}

// A pod's log pane in the browser: the log's lines, then new lines as the
// container writes them; the pane's keys from the keymap (t timestamps).
func TestWebLogPaneInTheBrowser(t *testing.T) {
	srv, hs, _, ns := serve(t)
	c := testcluster.Shared(t)
	runningPod(t, ns, "chatty", "app")
	c.Kubelet().Write(ns, "chatty", "app", "first line", "second line")
	ctx := browser(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text("pre#log"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do(chromedp.Navigate(srv.StartURL(hs.URL)), chromedp.WaitVisible("header .brand"),
		chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/pods/chatty/logs/app.log"), chromedp.WaitVisible(`body[data-live="1"]`))
	do(chromedp.Poll[chromedp.Void](`document.getElementById("log").textContent.includes("second line")`))
	began := time.Now()
	c.Kubelet().Write(ns, "chatty", "app", "a new line <b>bold</b>")
	do(chromedp.Poll[chromedp.Void](`document.getElementById("log").textContent.includes("a new line <b>bold</b>")`))
	t.Logf("a line written → in the pane in %s", time.Since(began).Round(time.Millisecond))
	if got := text(); !strings.HasPrefix(got, "first line\nsecond line\n") {
		t.Errorf("the pane: %q", got)
	}
	do(chromedp.KeyEvent("t"), chromedp.Poll[chromedp.Void](`/^\d{4}-\d\d-\d\dT/.test(document.getElementById("log").textContent)`))

	// L on the pod in its directory: all its containers' logs, merged,
	// each line naming its container.
	do(chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/pods"), chromedp.WaitVisible(`body[data-live="1"] tr.selected`),
		chromedp.KeyEvent("L"), chromedp.WaitVisible(`body[data-log="1"][data-live="1"]`),
		chromedp.Poll[chromedp.Void](`document.getElementById("log").textContent.includes("app second line")`))
	saveShot(t, ctx, "web-log.png")
}
