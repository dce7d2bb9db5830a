package e2e

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// The API server goes away mid-session and comes back: the UI stays up,
// says it is disconnected, keeps the tree it had, and once the server is
// back its listings and log panes carry on without a keypress.
func TestE2EAPIServerOutageAndRecovery(t *testing.T) {
	// A cluster of its own: stopping the shared one would fail other tests.
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := testcluster.Start(sctx, testcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	cs := c.Clientset()
	ns := "outage"
	if _, err := cs.CoreV1().Namespaces().Create(sctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(sctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePod(sctx, ns, "p", []string{"app"}, nil); err != nil {
		t.Fatal(err)
	}
	k := c.Kubelet()
	k.Write(ns, "p", "app", "line before")

	conn, _ := connectAs(t, c.KubeconfigPath, "")
	d := runApp(t, conn, fsFor(conn, "", model.Options{}), app.Options{StartPath: "/namespaces/" + ns + "/configmaps"})
	d.waitText(10*time.Second, "before/")
	d.jump("/namespaces/" + ns + "/pods/p/logs/app.log")
	d.waitText(10*time.Second, "line before", "following")
	d.jump("/namespaces/" + ns + "/configmaps")

	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	screen := d.waitText(30*time.Second, "DISCONNECTED", "connection refused")
	if !strings.Contains(screen, "before/") || !strings.Contains(screen, "line before") {
		t.Errorf("the tree or the pane lost what it showed:\n%s", screen)
	}
	k.Write(ns, "p", "app", "line during")

	down := time.Now()
	if err := c.StartAPIServer(sctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("apiserver down for %s", time.Since(down).Round(100*time.Millisecond))
	up := time.Now()
	d.waitFor("the header to clear", 60*time.Second, func(s string) bool { return !strings.Contains(s, "DISCONNECTED") })
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(sctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	k.Write(ns, "p", "app", "line after")
	d.waitText(60*time.Second, "after/", "line during", "line after")
	t.Logf("listing and log pane recovered %s after the restart", time.Since(up).Round(100*time.Millisecond))
	if n := strings.Count(d.text(), "line before"); n != 1 {
		t.Errorf("the log line before the outage shows %d times", n)
	}
}

// hangingServer accepts connections and never answers; it returns its
// URL.
func hangingServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn // hold them open, answer nothing
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, conn)
		}
	}()
	return fmt.Sprintf("https://%s", l.Addr())
}

// In a terminal, kfsui draws before it is connected: while the server says
// nothing, the screen shows where kfsui is connecting and how to give up;
// the request timeout still ends it with the error, and q gives up at once.
// Either way the terminal is restored.
func TestE2EBinaryDrawsWhileConnecting(t *testing.T) {
	server := hangingServer(t)
	bin := buildBinary(t)
	args := " --server " + server + " --insecure-skip-tls-verify --request-timeout 3s"

	x := newTmux(t)
	start := time.Now()
	x.start(bin + args + afterExit)
	x.waitText(2*time.Second, "connecting to "+server, "q or Ctrl-C to give up", "READ-ONLY")
	pane := x.waitText(10*time.Second, "exit=1")
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("gave up after %s with --request-timeout 3s", took)
	}
	if !strings.Contains(pane, "kfsui: cannot reach the API server at "+server) || !strings.Contains(pane, "mode=icanon") {
		t.Errorf("after the timeout, the pane is:\n%s", pane)
	}

	x = newTmux(t)
	x.socket += "-q"
	x.start(bin + args + afterExit)
	x.waitText(2*time.Second, "connecting to "+server)
	start = time.Now()
	x.send("q")
	pane = x.waitText(2*time.Second, "exit=0")
	if !strings.Contains(pane, "mode=icanon") || strings.Contains(pane, "cannot reach") {
		t.Errorf("after q while connecting (%s), the pane is:\n%s", time.Since(start).Round(time.Millisecond), pane)
	}
}
