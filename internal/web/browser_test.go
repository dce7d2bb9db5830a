package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	appsv1 "k8s.io/api/apps/v1"
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
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
	run := steps(t, ctx)
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
	do := steps(t, ctx)
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
	do := steps(t, ctx)
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(".pane pre"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do(chromedp.Navigate(srv.StartURL(hs.URL)), chromedp.WaitVisible("header .brand"),
		chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/pods/chatty/logs/app.log"), chromedp.WaitVisible(`.pane[data-live="1"]`))
	do(chromedp.Poll[chromedp.Void](`document.querySelector(".pane pre").textContent.includes("second line")`))
	began := time.Now()
	c.Kubelet().Write(ns, "chatty", "app", "a new line <b>bold</b>")
	do(chromedp.Poll[chromedp.Void](`document.querySelector(".pane pre").textContent.includes("a new line <b>bold</b>")`))
	t.Logf("a line written → in the pane in %s", time.Since(began).Round(time.Millisecond))
	if got := text(); !strings.HasPrefix(got, "first line\nsecond line\n") {
		t.Errorf("the pane: %q", got)
	}
	do(chromedp.KeyEvent("t"), chromedp.Poll[chromedp.Void](`/^\d{4}-\d\d-\d\dT/.test(document.querySelector(".pane pre").textContent)`))

	// L on the pod in its directory: all its containers' logs, merged,
	// each line naming its container.
	do(chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/pods"), chromedp.WaitVisible(`body[data-live="1"] tr.selected`),
		chromedp.KeyEvent("L"), chromedp.WaitVisible(`body[data-log="1"] .pane[data-live="1"]`),
		chromedp.Poll[chromedp.Void](`document.querySelector(".pane pre").textContent.includes("app second line")`))
	saveShot(t, ctx, "web-log.png")
}

// rollOut creates Deployment name in ns, or scales it, and waits until
// its replicas run; it returns its pods' names.
func rollOut(t *testing.T, ns, name string, replicas int32) []string {
	t.Helper()
	cs := testcluster.Shared(t).Clientset()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	deps := cs.AppsV1().Deployments(ns)
	labels := map[string]string{"app": name}
	dep, err := deps.Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		dep.Spec.Replicas = &replicas
		_, err = deps.Update(ctx, dep, metav1.UpdateOptions{})
	} else {
		_, err = deps.Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}},
		}, metav1.CreateOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	for {
		dep, err := deps.Get(ctx, name, metav1.GetOptions{})
		pods, perr := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + name})
		if err == nil && perr == nil && dep.Status.ObservedGeneration >= dep.Generation && dep.Status.AvailableReplicas == replicas &&
			len(pods.Items) == int(replicas) {
			var names []string
			for _, p := range pods.Items {
				names = append(names, p.Name)
			}
			return names
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Deployment %s did not roll out %d replicas: %v", name, replicas, dep.Status)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// A Deployment as a person reaches it: the jump bar with Tab completion,
// the table's columns and health colours, j and Enter, manifest.yaml
// highlighted, d to compare it with another leaf; :grep; then L for its
// pods' logs merged in a pane, following a scale-up, and a second pane
// opened from the jump bar, with the ANSI colours of a line.
func TestWebDeploymentInTheBrowser(t *testing.T) {
	srv, hs, _, ns := serve(t)
	k := testcluster.Shared(t).Kubelet()
	pods := rollOut(t, ns, "web", 2)
	ctx := browser(t)
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	do := steps(t, ctx)
	typeText := func(s string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys("#jump", s) }
	do(chromedp.Navigate(srv.StartURL(hs.URL)), chromedp.WaitVisible("header .brand"),
		chromedp.Navigate(hs.URL+"/namespaces/"+ns), chromedp.WaitVisible(`body[data-live="1"]`))

	// : deployments/w Tab → deployments/web/, Enter.
	do(press(":"), chromedp.Poll[chromedp.Void](`document.activeElement.id === "jump"`),
		typeText("deployments/w"), press("\t"),
		chromedp.Poll[chromedp.Void](`document.getElementById("jump").value === "deployments/web/"`),
		press("\r"), chromedp.WaitVisible(`a[href$="/deployments/web/manifest.yaml"]`))
	do(press(":"), typeText("deploy"), press("\r"),
		chromedp.WaitVisible(`body[data-live="1"] tr.selected a[href$="/deployments/web"]`))
	if got := eval(`[...document.querySelectorAll("thead th")].map(th => th.textContent).join(" ")`); got != "NAME READY UP-TO-DATE AVAILABLE AGE" {
		t.Errorf("the Deployments' columns: %q", got)
	}
	if got := eval(`document.querySelector("tr.selected").className`); got != "fine selected" {
		t.Errorf("the Deployment's row: class %q, want fine", got)
	}
	// The theme's colour for fine, not the browser's default.
	if got := eval(`getComputedStyle(document.querySelector("tr.fine td:nth-child(2)")).color`); got != "rgb(0, 95, 215)" {
		t.Errorf("a fine row's colour: %s, want the light theme's #005fd7", got)
	}
	saveShot(t, ctx, "web-deployments.png")

	do(press("\r"), chromedp.WaitVisible(`a[href$="/deployments/web/manifest.yaml"]`),
		press("/"), chromedp.SendKeys("#filter", "manifest.yaml"), press("\r"),
		chromedp.WaitVisible(`tr.selected a[href$="/manifest.yaml"]`), press("\r"),
		chromedp.WaitVisible("pre.chroma span.nt"))
	if !strings.Contains(eval(`document.querySelector("pre.chroma").textContent`), "image: nginx:1.27") {
		t.Errorf("the manifest: %s", eval(`document.querySelector("pre.chroma").textContent`))
	}
	// d here, d on the settings ConfigMap's manifest: their diff.
	do(press("d"), chromedp.Poll[chromedp.Void](`document.getElementById("flash").textContent.startsWith("marked")`),
		chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/configmaps/settings/manifest.yaml"), chromedp.WaitVisible("pre.chroma"),
		press("d"), chromedp.WaitVisible("pre.chroma span.gi"))
	if got := eval(`location.pathname`); got != "/-/diff" {
		t.Errorf("d on a second leaf went to %s", got)
	}
	if got := eval(`document.querySelector("pre.chroma").textContent`); !strings.Contains(got, "/deployments/web/manifest.neat.yaml") || strings.Contains(got, "uid:") {
		t.Errorf("d compares the neat manifests:\n%s", got)
	}
	saveShot(t, ctx, "web-diff.png")
	// R: the manifests as stored.
	do(press("R"), chromedp.WaitVisible(`//pre[contains(., "settings/manifest.yaml")]`))
	if got := eval(`document.querySelector("pre.chroma").textContent`); !strings.Contains(got, "+++ /namespaces/"+ns+"/configmaps/settings/manifest.yaml") ||
		!strings.Contains(eval(`location.search`), "manifests=raw") {
		t.Errorf("R compares the manifests as stored:\n%s", got)
	}

	// :grep nginx from the namespace: the Deployment's manifest, linked.
	do(chromedp.Navigate(hs.URL+"/namespaces/"+ns), chromedp.WaitVisible(`body[data-live="1"]`),
		press(":"), typeText("grep image: nginx"), press("\r"),
		chromedp.WaitVisible(`pre a.line[href$="/deployments/web/manifest.yaml"]`))

	// L on the Deployment: its pods' logs merged, each line naming its
	// pod; a scale-up's pod joins.
	do(chromedp.Navigate(hs.URL+"/namespaces/"+ns+"/deployments"), chromedp.WaitVisible(`body[data-live="1"] tr.selected`),
		press("L"), chromedp.WaitVisible(`.pane[data-live="1"]`))
	k.Write(ns, pods[0], "app", "hello from the first pod")
	k.Write(ns, pods[1], "app", "hello from the second pod")
	do(chromedp.Poll[chromedp.Void](`document.querySelector(".pane pre").textContent.includes("` + pods[1] + `/app hello from the second pod")`))
	added := rollOut(t, ns, "web", 3)
	for _, p := range added {
		if p != pods[0] && p != pods[1] {
			waitStreams(t, ns, p, "app")
			k.Write(ns, p, "app", "\x1b[?25l\x1b(B\x1b[31mred\x1b[0m from the new pod")
			do(chromedp.Poll[chromedp.Void](`document.querySelector(".pane pre").textContent.includes("` + p + `/app red from the new pod")`))
		}
	}
	if got := eval(`[...document.querySelectorAll(".pane pre span.a-fg1")].map(s => s.textContent).join()`); got != "red" {
		t.Errorf("the ANSI red: spans %q", got)
	}
	// A second pane from the jump bar: a pod's own log.
	do(press(":"), typeText("/namespaces/"+ns+"/pods/"+pods[0]+"/logs/app.log"), press("\r"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll(".pane").length === 2`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll(".pane")[1].textContent.includes("hello from the first pod")`))
	if got := eval(`location.pathname + location.search`); !strings.HasPrefix(got, "/-/logs?p=") {
		t.Errorf("two panes' address: %s", got)
	}
	saveShot(t, ctx, "web-panes.png")
}

// waitStreams waits until the page follows a pod's container.
func waitStreams(t *testing.T, ns, pod, container string) {
	t.Helper()
	k := testcluster.Shared(t).Kubelet()
	deadline := time.Now().Add(20 * time.Second)
	for k.OpenStreams(ns, pod, container) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing follows %s/%s", pod, container)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// press types keys as a keyboard does: each a key down that carries its
// text, then a key up. (chromedp.KeyEvent sends the text as an event of
// its own, which a page's preventDefault on the key down cannot stop: a
// ':' that opens the jump bar would be typed into it.)
func press(keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			evs := kb.Encode(r)
			for _, k := range evs {
				if k.Type == kb.KeyChar {
					evs[0].Text, evs[0].UnmodifiedText = k.Text, k.UnmodifiedText
				}
			}
			for _, k := range evs {
				if k.Type == kb.KeyChar {
					continue
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// steps returns a function that runs steps in the browser of ctx, and
// fails the test with what the page shows when one fails.
func steps(t *testing.T, ctx context.Context) func(...chromedp.Action[chromedp.Void]) {
	return func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " | jump: " + (document.getElementById("jump") || {}).value + " | flash: " + (document.getElementById("flash") || {}).textContent + " | focus: " + document.activeElement.id`))
			t.Fatalf("%v; the page: %s", err, state)
		}
	}
}
