package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
)

const secretYAML = `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: hunter22
data:
  token: c2VjcmV0LXRva2Vu
`

// Secrets' values are hidden in the viewer, in what y copies and in kfsui
// cat, the last-applied annotation included; x shows them decoded, and the
// header says so.
func TestE2ESecretsAreMasked(t *testing.T) {
	ns := newNamespace(t, "secret")
	applyYAML(t, ns, secretYAML) // kubectl apply: the annotation holds the values too
	leaks := []string{"hunter22", "aHVudGVyMjI", "secret-token", "c2VjcmV0LXRva2Vu"}
	noLeak := func(where, text string) {
		t.Helper()
		for _, l := range leaks {
			if strings.Contains(text, l) {
				t.Errorf("%s shows %q:\n%s", where, l, text)
			}
		}
	}

	d := startAppWith(t, testcluster.Shared(t).KubeconfigPath, "", app.Options{Clipboard: app.ClipboardOSC52})
	d.jump("/namespaces/" + ns + "/secrets/db/manifest.yaml")
	screen := d.waitText(10*time.Second, "password: '[hidden: 8 bytes]'", "token: '[hidden: 12 bytes]'")
	noLeak("the viewer", screen)
	d.key(tcell.KeyTab) // into the viewer
	d.keys("y")
	d.waitText(5*time.Second, "copied")
	noLeak("the clipboard", d.clipboard())
	if !strings.Contains(d.clipboard(), "[hidden: 8 bytes]") {
		t.Errorf("y did not copy the text shown: %q", d.clipboard())
	}

	d.keys("x")
	screen = d.waitText(10*time.Second, "[SECRETS REVEALED]", "password: hunter22", "token: secret-token")
	d.keys("y")
	eventually(t, "the revealed text copied", 5*time.Second, func() bool {
		return strings.Contains(d.clipboard(), "password: hunter22")
	}, noDetail)
	d.keys("x")
	screen = d.waitText(10*time.Second, "password: '[hidden: 8 bytes]'")
	if strings.Contains(screen, "REVEALED") {
		t.Errorf("the header still says revealed:\n%s", screen)
	}

	// kfsui cat hides unless asked.
	out, _, code := kfsui(t, "cat", "/namespaces/"+ns+"/secrets/db/manifest.json")
	if code != 0 || !strings.Contains(out, `"password": "[hidden: 8 bytes]"`) {
		t.Errorf("cat: exit %d:\n%s", code, out)
	}
	noLeak("kfsui cat", out)
	out, _, code = kfsui(t, "cat", "--reveal-secrets", "/namespaces/"+ns+"/secrets/db/manifest.yaml")
	if code != 0 || !strings.Contains(out, "password: hunter22") {
		t.Errorf("cat --reveal-secrets: exit %d:\n%s", code, out)
	}
}

// clipboard returns what the app last copied through OSC 52 to the
// simulation screen, read on the UI goroutine, which writes it.
func (d *driver) clipboard() string {
	var s string
	d.app.QueueUpdateDraw(func() { s = string(d.screen.GetClipboardData()) })
	return s
}
