package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/keymap"
)

// A ConfigMap whose manifest is far longer than the screen.
func longConfigMap(t *testing.T, ns string) {
	t.Helper()
	data := map[string]string{}
	for i := 0; i < 300; i++ {
		data[fmt.Sprintf("key-%03d", i)] = fmt.Sprintf("value-%03d", i)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "long"}, Data: data}
	if _, err := testcluster.Shared(t).Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestE2EViewerScrollsByKeyboard(t *testing.T) {
	ns := newNamespace(t, "scroll")
	longConfigMap(t, ns)
	obj := "/namespaces/" + ns + "/configmaps/long"
	d := startApp(t, obj)
	d.waitSelected(obj, 10*time.Second)
	d.waitText(5*time.Second, "──manifest.yaml")
	d.keys("j")
	d.waitSelected(obj+"/manifest.yaml", 5*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "key-000: value-000", "apiVersion: v1")

	d.key(tcell.KeyTab)
	d.keys("G")
	d.waitFor("the end of the manifest", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "uid:") && !strings.Contains(s, "key-000:")
	})
	d.keys("g")
	d.waitText(5*time.Second, "apiVersion: v1", "key-000: value-000")
	d.key(tcell.KeyPgDn)
	d.waitFor("a page down", 5*time.Second, func(s string) bool {
		return !strings.Contains(s, "apiVersion: v1") && strings.Contains(s, "key-1")
	})
	d.key(tcell.KeyPgUp)
	d.waitText(5*time.Second, "apiVersion: v1")
	d.keys("jj")
	d.waitFor("two lines down", 5*time.Second, func(s string) bool { return !strings.Contains(s, "apiVersion: v1") })
	d.keys("k")
	d.waitFor("one line up", 5*time.Second, func(s string) bool { return !strings.Contains(s, "apiVersion: v1") && strings.Contains(s, "data:") })
	d.keys("k")
	d.waitText(5*time.Second, "apiVersion: v1")

	// Esc goes back to the tree, as in k9s; there ← and h collapse, then
	// go to the parent.
	d.key(tcell.KeyEscape)
	d.waitText(5*time.Second, "Enter open")
	d.keys("h")
	d.waitSelected(obj, 5*time.Second)
	d.key(tcell.KeyLeft)
	d.waitFor("the object to collapse", 5*time.Second, func(s string) bool { return !strings.Contains(s, "manifest.json") })
	d.keys("h")
	d.waitSelected("/namespaces/"+ns+"/configmaps", 5*time.Second)
}

func TestE2ERefreshFetchesAgainAndGoneShowsTheError(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "refresh")
	cms := c.Clientset().CoreV1().ConfigMaps(ns)
	cm, err := cms.Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "conf"}, Data: map[string]string{"color": "blue"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	obj := "/namespaces/" + ns + "/configmaps/conf"
	d := startApp(t, obj)
	d.waitSelected(obj, 10*time.Second)
	d.waitText(5*time.Second, "──manifest.yaml")
	d.keys("j")
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "color: blue")

	cm.Data["color"] = "green"
	if _, err := cms.Update(ctx(t), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Leaves are not live: the old text stays until r.
	time.Sleep(300 * time.Millisecond)
	if s := d.text(); !strings.Contains(s, "color: blue") {
		t.Fatalf("the leaf changed without a refresh:\n%s", s)
	}
	d.keys("r")
	d.waitText(5*time.Second, "color: green")

	if err := cms.Delete(ctx(t), "conf", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	d.key(tcell.KeyTab)
	d.keys("r")
	d.waitText(5*time.Second, `configmaps "conf" not found`)
	if s := d.text(); strings.Contains(s, "color: green") {
		t.Errorf("the deleted object's text is still shown:\n%s", s)
	}
}

func TestE2ECtrlCQuitsAndHelpComesFromTheKeymap(t *testing.T) {
	d := startApp(t, "")
	d.waitText(10*time.Second, "namespaces/")
	d.keys("?")
	d.waitText(5*time.Second, "move down / scroll down", "Enter, →, l", "expand a directory / open a leaf", "q, Ctrl-C", "switch pane")
	d.keys("?")
	d.waitFor("help to close", 5*time.Second, func(s string) bool { return !strings.Contains(s, "move down / scroll down") })
	// Help hands the keyboard back to the pane that had it.
	d.key(tcell.KeyTab)
	d.waitText(5*time.Second, "Esc back")
	d.keys("?")
	d.waitText(5*time.Second, "move down / scroll down")
	d.key(tcell.KeyEscape)
	d.waitFor("help to close", 5*time.Second, func(s string) bool { return !strings.Contains(s, "move down / scroll down") })
	if s := d.text(); !strings.Contains(s, "Esc back") {
		t.Errorf("after help the footer shows the tree's keys:\n%s", s)
	}
	scope := ""
	d.app.QueueUpdateDraw(func() {
		if d.app.Viewer().HasFocus() {
			scope = "viewer"
		}
	})
	if scope != "viewer" {
		t.Error("closing help did not give the keyboard back to the viewer")
	}
	d.screen.InjectKey(tcell.KeyCtrlC, 0, tcell.ModCtrl)
	d.waitStopped()
}

func TestE2EStartPathThatDoesNotExistSaysSo(t *testing.T) {
	d := startApp(t, "/namespaces/no-such-namespace/configmaps")
	d.waitText(10*time.Second, "no such path: /namespaces/no-such-namespace/configmaps")
}

// A user's keymap changes what keys do and what the help says, together.
func TestE2EKeymapOverrideChangesKeysAndHelp(t *testing.T) {
	keys, err := keymap.Parse("keymap.yaml", []byte("quit: Q\nhelp: H\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := startAppWith(t, testcluster.Shared(t).KubeconfigPath, "", app.Options{Keys: keys})
	d.waitText(10*time.Second, "namespaces/", "Q quit", "H help")
	d.keys("H")
	d.waitFor("the help to list Q for quit", 5*time.Second, func(s string) bool {
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, "(quit)") {
				return strings.Contains(line, " Q ") && !strings.Contains(line, "q,")
			}
		}
		return false
	})
	d.keys("H")
	d.keys("q") // no longer quits
	time.Sleep(300 * time.Millisecond)
	d.waitText(time.Second, "namespaces/")
	// Not d.keys: it waits on the event loop, which Q ends.
	d.screen.InjectKey(tcell.KeyRune, 'Q', tcell.ModNone)
	d.waitStopped()
}

// A payload over the OSC 52 limit is refused with a clear message, never
// cut short.
func TestE2EYankTooLargeForOSC52IsRefused(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "bigyank")
	big := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Data: map[string]string{"blob": strings.Repeat("x", 100<<10)}}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), big, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	obj := "/namespaces/" + ns + "/configmaps/big"
	d := startAppWith(t, c.KubeconfigPath, "", app.Options{StartPath: obj, Clipboard: app.ClipboardOSC52})
	d.waitSelected(obj, 10*time.Second)
	d.waitText(5*time.Second, "──manifest.yaml")
	d.keys("j")
	d.waitSelected(obj+"/manifest.yaml", 5*time.Second)
	d.keys("y")
	d.waitText(5*time.Second, "manifest.yaml not copied: 100.", "KiB is over the 74.0 KiB OSC 52 limit")
}

// where returns the screen position of the first occurrence of text.
func (d *driver) where(text string) (int, int, bool) {
	cells, w, h := d.contents()
	want := []rune(text)
	for y := 0; y < h; y++ {
		for x := 0; x+len(want) <= w; x++ {
			ok := true
			for i, r := range want {
				if c := cells[y*w+x+i]; len(c.Runes) == 0 || c.Runes[0] != r {
					ok = false
					break
				}
			}
			if ok {
				return x, y, true
			}
		}
	}
	return 0, 0, false
}

func (d *driver) click(text string) {
	d.t.Helper()
	x, y, ok := d.where(text)
	if !ok {
		d.t.Fatalf("nothing to click: %q is not on screen:\n%s", text, d.text())
	}
	d.screen.InjectMouse(x, y, tcell.Button1, tcell.ModNone)
	d.screen.InjectMouse(x, y, tcell.ButtonNone, tcell.ModNone)
}

func TestE2EMouseClicksAndWheel(t *testing.T) {
	ns := newNamespace(t, "mouse")
	longConfigMap(t, ns)
	d := startAppWith(t, testcluster.Shared(t).KubeconfigPath, "", app.Options{Mouse: true})
	d.waitText(10*time.Second, ns+"/")
	d.click(ns + "/")
	d.waitText(5*time.Second, "configmaps/")
	d.click("configmaps/")
	d.waitText(5*time.Second, "long/")
	d.click("long/")
	d.waitText(5*time.Second, "──manifest.yaml")
	d.click("──manifest.yaml")
	d.waitText(5*time.Second, "key-000: value-000")
	// A click in the viewer focuses it; the wheel scrolls it.
	d.click("key-000: value-000")
	d.waitText(5*time.Second, "Esc back")
	x, y, _ := d.where("key-000: value-000")
	for i := 0; i < 5; i++ {
		d.screen.InjectMouse(x, y, tcell.WheelDown, tcell.ModNone)
	}
	d.waitFor("the wheel to scroll", 5*time.Second, func(s string) bool { return !strings.Contains(s, "apiVersion: v1") })
}

func TestE2EJumpCompletionHistoryAndBreadcrumb(t *testing.T) {
	ns := newNamespace(t, "jump")
	applyDeployment(t, ns)
	d := startAppAs(t, testcluster.Shared(t).KubeconfigPath, ns, "")
	d.waitSelected("/namespaces/"+ns, 10*time.Second)
	d.waitText(5*time.Second, "⟩ /namespaces/"+ns)

	// A k9s-style resource form, in the namespace of the selection; the
	// breadcrumb counts the entries ls lists there.
	web := "/namespaces/" + ns + "/deployments/web"
	out, errOut, code := kfsui(t, "ls", web)
	if code != 0 {
		t.Fatalf("ls %s: exit %d: %s", web, code, errOut)
	}
	d.jump("deploy web")
	d.waitSelected(web, 10*time.Second)
	d.waitText(5*time.Second, "⟩ "+web, fmt.Sprintf("%s: %d entries", web, strings.Count(out, "\n")))

	// A path to a leaf opens it; Tab completes segments.
	d.keys(":/namespaces/" + ns + "/deployments/web/manif")
	d.key(tcell.KeyTab)
	d.waitText(5*time.Second, ":/namespaces/"+ns+"/deployments/web/manifest.")
	d.keys("yaml")
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "kind: Deployment")
	d.waitSelected("/namespaces/"+ns+"/deployments/web/manifest.yaml", 5*time.Second)

	// Types complete too; an unknown one says so.
	d.keys(":config")
	d.key(tcell.KeyTab)
	d.waitText(5*time.Second, ":configmap")
	d.key(tcell.KeyEscape)
	d.jump("nosuchtype x")
	d.waitText(5*time.Second, `unknown type "nosuchtype"`)

	// ↑ brings back what was typed.
	d.keys(":")
	d.key(tcell.KeyUp)
	d.key(tcell.KeyUp)
	d.waitText(5*time.Second, ":/namespaces/"+ns+"/deployments/web/manifest.yaml")
	d.key(tcell.KeyEscape)

	// [ goes back through the places visited, ] forward again.
	d.keys("[")
	d.waitSelected("/namespaces/"+ns+"/deployments/web", 5*time.Second)
	d.keys("[")
	d.waitSelected("/namespaces/"+ns, 5*time.Second)
	d.keys("]")
	d.waitSelected("/namespaces/"+ns+"/deployments/web", 5*time.Second)
}

func TestE2ETreeFilterAndViewerSearch(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "find")
	for _, n := range []string{"api-config", "web-config", "web-flags", "db-secret-ref"} {
		if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx(t), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	dir := "/namespaces/" + ns + "/configmaps"
	d := startApp(t, dir)
	d.waitText(10*time.Second, "api-config/", "web-flags/")
	d.waitSelected(dir, 5*time.Second)

	// The tree narrows while the pattern is typed; Esc drops it.
	d.keys("/W")
	d.waitFor("the tree to narrow before Enter", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "web-flags/") && !strings.Contains(s, "api-config/")
	})
	d.keys("x")
	d.waitText(5*time.Second, "(empty)")
	d.key(tcell.KeyEscape)
	d.waitText(5*time.Second, "api-config/", "web-flags/", "db-secret-ref/")

	d.keys("/WEB")
	d.key(tcell.KeyEnter)
	screen := d.waitText(5*time.Second, "web-config/", "web-flags/", `2 entries match "WEB"`)
	if strings.Contains(screen, "api-config/") || strings.Contains(screen, "db-secret-ref/") {
		t.Errorf("the filter let others through:\n%s", screen)
	}
	d.keys("/~^(api|db)-")
	d.key(tcell.KeyEnter)
	d.waitFor("the regex filter", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "api-config/") && strings.Contains(s, "db-secret-ref/") && !strings.Contains(s, "web-flags/")
	})
	d.key(tcell.KeyEscape)
	d.waitText(5*time.Second, "api-config/", "web-flags/", "filter cleared")
	// An invalid pattern at Enter: its error, and no filter left over
	// from the valid prefix typed before it.
	d.keys("/~web(")
	d.key(tcell.KeyEnter)
	d.waitFor("the pattern's error and every entry", 5*time.Second, func(s string) bool {
		return strings.Contains(s, "missing closing )") && strings.Contains(s, "api-config/") && strings.Contains(s, "web-flags/")
	})

	// Search in the viewer: every match highlighted, n moves.
	longConfigMap(t, ns)
	d.waitText(10*time.Second, "long/")
	d.app.QueueUpdateDraw(func() { d.app.Tree().Select(dir + "/long") })
	d.key(tcell.KeyEnter)
	d.waitText(5*time.Second, "──manifest.yaml")
	d.keys("j")
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "key-000: value-000")
	d.key(tcell.KeyTab)
	d.keys("/value-2[0-9]5")
	d.key(tcell.KeyEnter)
	d.waitText(5*time.Second, "key-205: value-205", "10 lines match")
	x, y, _ := d.where("value-205")
	cells, w, _ := d.contents()
	if _, _, attr := cells[y*w+x].Style.Decompose(); attr&tcell.AttrReverse == 0 {
		t.Error("the match is not highlighted")
	}
	d.keys("n")
	d.waitText(5*time.Second, "key-215: value-215")
}

func TestE2ENamespaceSwitch(t *testing.T) {
	a := newNamespace(t, "nsa")
	b := newNamespace(t, "nsb")
	d := startApp(t, "")
	d.waitText(10*time.Second, a+"/", b+"/")

	// :ns with completion of the namespace's name, as in k9s.
	d.keys(":ns e2e-nsa")
	d.key(tcell.KeyTab)
	d.waitText(5*time.Second, ":ns "+a)
	d.key(tcell.KeyEnter)
	d.waitSelected("/namespaces/"+a, 10*time.Second)
	d.jump("ns " + b)
	d.waitSelected("/namespaces/"+b, 10*time.Second)

	// The digits go to the namespaces visited most recently.
	d.keys("2")
	d.waitSelected("/namespaces/"+a, 5*time.Second)
	d.keys("2")
	d.waitSelected("/namespaces/"+b, 5*time.Second)
	d.keys("9")
	d.waitText(5*time.Second, "no namespace on 9")
}
