package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// built is the kfsui binary the tmux tests run, built once.
var built struct {
	once sync.Once
	path string
	err  error
}

// buildBinary builds kfsui once per test binary run, into the work
// directory TestMain removes.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.path = filepath.Join(workDir, "kfsui")
		out, err := exec.Command("go", "build", "-o", built.path, "github.com/kfsui/kfsui").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// tmux drives one tmux server of its own, so a user's sessions are never
// touched.
type tmux struct {
	t      *testing.T
	socket string
}

// tmuxServers counts the servers started, to name their sockets.
var tmuxServers atomic.Int64

func newTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed; scripts/test.sh installs it (apt-get install tmux)")
	}
	// A server per test: the last test's server may still be exiting
	// after kill-server returned, and a new session asked of it then
	// fails with "server exited unexpectedly".
	x := &tmux{t: t, socket: fmt.Sprintf("kfsui-e2e-%d-%d", os.Getpid(), tmuxServers.Add(1))}
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	return x
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// start runs shell command line in a new 200x50 session that stays after
// the command exits, so its last screen can still be read.
func (x *tmux) start(cmdline string) {
	x.run("new-session", "-d", "-s", "main", "-x", "200", "-y", "50", "sh", "-c", cmdline)
	x.run("set-option", "-t", "main", "remain-on-exit", "on")
}

func (x *tmux) capture() string { return x.run("capture-pane", "-p", "-S", "-", "-t", "main") }

func (x *tmux) send(keys ...string) { x.run(append([]string{"send-keys", "-t", "main"}, keys...)...) }

// jump types text into kfsui's jump bar and presses Enter. The text is
// typed only once the bar is open (its ":" alone on the bottom line), or
// on a loaded machine it would reach the tree as keys.
func (x *tmux) jump(text string) {
	x.send(":")
	x.waitFor("the jump bar", 10*time.Second, func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return strings.TrimSpace(lines[len(lines)-1]) == ":"
	})
	x.send("-l", text)
	x.send("Enter")
}

func (x *tmux) waitFor(what string, timeout time.Duration, cond func(pane string) bool) string {
	x.t.Helper()
	var s string
	eventually(x.t, what, timeout, func() bool { s = x.capture(); return cond(s) }, func() string { return "pane:\n" + s })
	return s
}

func (x *tmux) waitText(timeout time.Duration, texts ...string) string {
	x.t.Helper()
	return x.waitFor(fmt.Sprintf("%q", texts), timeout, func(s string) bool {
		for _, want := range texts {
			if !strings.Contains(s, want) {
				return false
			}
		}
		return true
	})
}

// afterExit is appended to a command line to show, once kfsui has
// exited, its exit code and whether the terminal is back in canonical
// (cooked) mode: "-icanon" would mean it was left raw.
const afterExit = `; s=$?; echo "exit=$s mode=$(stty -a | tr ' ;' '\n\n' | grep -x -- '-*icanon')"`

func TestE2EBinaryInTmux(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "tmux")
	applyDeployment(t, ns)
	bin := buildBinary(t)
	x := newTmux(t)
	x.start(fmt.Sprintf("%s --kubeconfig %s --path /namespaces/%s/deployments%s", bin, c.KubeconfigPath, ns, afterExit))

	x.waitText(15*time.Second, "READ-ONLY", "deployments/", "web/", "ctx dev")
	x.send("j", "Enter")                                         // select web/, expand it
	x.waitText(5*time.Second, "──manifest.yaml", "──events.txt") // tree lines, not the viewer's hint
	x.send("j", "Enter")                                         // manifest.yaml, open it
	pane := x.waitText(5*time.Second, "kind: Deployment", "replicas: 2", "/namespaces/"+ns+"/deployments/web/manifest.yaml")
	if !strings.Contains(pane, "web/") || !strings.Contains(pane, "manifest.json") {
		t.Errorf("the tree went missing when the manifest opened:\n%s", pane)
	}
	x.send("?")
	x.waitText(5*time.Second, "switch pane", "refresh the selection", "quit")
	x.send("Escape")
	// A key sent right behind Escape would reach kfsui as Alt+key, as in
	// any terminal: wait for the help to close first.
	x.waitFor("the help to close", 5*time.Second, func(s string) bool { return !strings.Contains(s, "refresh the selection") })
	x.send("Tab", "G") // into the viewer, to its end
	x.waitText(5*time.Second, "app: web")
	x.send("q")
	pane = x.waitText(10*time.Second, "exit=0")
	if !strings.Contains(pane, "mode=icanon") {
		t.Errorf("the terminal was not restored to cooked mode:\n%s", pane)
	}
	if strings.Contains(pane, "READ-ONLY") {
		t.Errorf("the UI is still on screen after quitting:\n%s", pane)
	}
}

func TestE2EBinaryErrorsBeforeTheUI(t *testing.T) {
	c := testcluster.Shared(t)
	bin := buildBinary(t)
	cases := []struct {
		args string
		want string
		code int
	}{
		{"--bogus", "unknown flag: --bogus", 2},
		{"--kubeconfig " + c.KubeconfigPath + " --context nope", `unknown context "nope"`, 1},
		{"--kubeconfig /nonexistent/kubeconfig", "kubeconfig", 1},
		{"--kubeconfig " + c.KubeconfigPath + " --server https://127.0.0.1:1", "cannot reach the API server", 1},
	}
	for i, tc := range cases {
		x := newTmux(t)
		x.socket += fmt.Sprintf("-%d", i)
		x.start(bin + " " + tc.args + afterExit)
		pane := x.waitText(15*time.Second, fmt.Sprintf("exit=%d", tc.code))
		if !strings.Contains(pane, "kfsui: ") || !strings.Contains(pane, tc.want) {
			t.Errorf("%s: pane lacks %q:\n%s", tc.args, tc.want, pane)
		}
		if !strings.Contains(pane, "mode=icanon") {
			t.Errorf("%s: terminal not in cooked mode:\n%s", tc.args, pane)
		}
	}
}

// Without a controlling terminal (cron, a CI step, ssh without -t) kfsui
// connects, then says there is no terminal and exits 1: no panic, no hang.
func TestE2EBinaryWithoutATerminalSaysSo(t *testing.T) {
	c := testcluster.Shared(t)
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--kubeconfig", c.KubeconfigPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	// On a hang, the whole session goes: a UI process the supervisor
	// started must not outlive the test.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; stderr:\n%s", err, stderr.String())
	}
	if out := stderr.String(); !strings.Contains(out, "kfsui: ") || !strings.Contains(out, "/dev/tty") || strings.Contains(out, "panic") {
		t.Errorf("stderr does not say the terminal is missing, or panics:\n%s", out)
	}
}

// The README's first command, as a newcomer runs it: the demo cluster comes
// up seeded, kfsui opens on it, a chatty pod's log streams live, a manifest
// shows, and quitting takes the cluster down.
func TestE2EDemoScript(t *testing.T) {
	x := newTmux(t)
	// The demo's working directory goes under tmp, where the test finds
	// its kubeconfig.
	tmp := t.TempDir()
	x.start("TMPDIR=" + tmp + " bash ../../scripts/demo.sh --path /namespaces/team-a/pods/chatty-0/logs" + afterExit)
	x.waitText(3*time.Minute, "READ-ONLY", "──app.log", "──sidecar.log", "──init.log")
	x.send("j", "Enter")
	first := x.waitText(10*time.Second, "/namespaces/team-a/pods/chatty-0/logs/app.log", "following")
	count := func(pane string) int {
		m := regexp.MustCompile(`┃ (\d+) lines`).FindStringSubmatch(pane)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	n0 := count(first)
	x.waitFor("the chatty container to write more", 15*time.Second, func(s string) bool { return count(s) > n0 && n0 > 0 })

	// The demo runs metrics-server: kubectl top works against it.
	kubeconfigs, _ := filepath.Glob(filepath.Join(tmp, "kfsui-demo.*", "cluster", "kubeconfig"))
	if len(kubeconfigs) != 1 {
		t.Fatalf("want the demo's one kubeconfig under %s, found %q", tmp, kubeconfigs)
	}
	m := []string{"", kubeconfigs[0]}
	bins, err := testcluster.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"top", "pods", "-n", "team-a"}, {"top", "nodes"}} {
		var out []byte
		eventually(t, "kubectl "+strings.Join(args, " ")+" on the demo cluster", 90*time.Second, func() bool {
			out, err = exec.Command(filepath.Join(bins, "kubectl"), append([]string{"--kubeconfig", m[1]}, args...)...).CombinedOutput()
			return err == nil && (strings.Contains(string(out), "chatty-0") || strings.Contains(string(out), "kfsui-node"))
		}, func() string { return string(out) })
	}

	// Back in the tree: up from app.log past the logs directory to the
	// pod's manifest.
	x.send("Escape")
	x.waitFor("the tree to have the keyboard", 5*time.Second, func(s string) bool { return strings.Contains(s, "Enter open") })
	x.send("k", "k", "k", "k", "k", "k", "k", "k", "Enter") // logs/, tree.txt, describe.txt, events.txt, status.yaml, manifest.json, manifest.neat.yaml, manifest.yaml
	x.waitText(10*time.Second, "kind: Pod", "/namespaces/team-a/pods/chatty-0/manifest.yaml")
	x.send("q")
	x.waitText(30*time.Second, "exit=0")
	work := strings.TrimSuffix(m[1], "/cluster/kubeconfig")
	if _, err := os.Stat(work); !os.IsNotExist(err) {
		t.Errorf("the demo left its working directory %s behind (%v)", work, err)
	}
}

func TestE2ETailFollowEndsCleanlyOnCtrlC(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "tailc")
	runningPod(t, ns, "p", "app")
	k.Write(ns, "p", "app", "first line")
	bin := buildBinary(t)
	x := newTmux(t)
	// Ctrl-C goes to the whole foreground process group: the wrapping
	// shell must survive it to report kfsui's exit, as a login shell does.
	x.start(fmt.Sprintf("trap : INT; %s --kubeconfig %s tail -f /namespaces/%s/pods/p/logs/app.log%s", bin, c.KubeconfigPath, ns, afterExit))
	x.waitText(15*time.Second, "first line")
	k.Write(ns, "p", "app", "second line")
	x.waitText(5*time.Second, "second line")
	x.send("C-c")
	x.waitText(10*time.Second, "exit=0 mode=icanon")
	x.waitFor("the stream to close", 5*time.Second, func(string) bool { return k.OpenStreams(ns, "p", "app") == 0 })
}

func TestE2ELogPaneInTheBinary(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "tmuxlog")
	runningPod(t, ns, "p", "app")
	k.Write(ns, "p", "app", "\x1b[32mGREEN\x1b[0m started", "tag [red]x[-] literal")
	bin := buildBinary(t)
	x := newTmux(t)
	x.start(fmt.Sprintf("%s --kubeconfig %s --path /namespaces/%s/pods/p/logs%s", bin, c.KubeconfigPath, ns, afterExit))
	x.waitText(15*time.Second, "──app.log")
	x.send("j", "Enter")
	x.waitText(10*time.Second, "GREEN started", "tag [red]x[-] literal", "following")
	k.Write(ns, "p", "app", "arrived live")
	x.waitText(5*time.Second, "arrived live")
	x.send("q")
	x.waitText(10*time.Second, "exit=0 mode=icanon")
}

// y on a manifest goes through OSC 52 into tmux's paste buffer (tmux with
// set-clipboard on, as over SSH), exactly; Y copies the path.
func TestE2EYankThroughTmuxClipboard(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "yank")
	applyDeployment(t, ns)
	want, err := c.Kubectl(ctx(t), "-n", ns, "get", "deployment", "web", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	x := newTmux(t)
	obj := "/namespaces/" + ns + "/deployments/web"
	x.start(fmt.Sprintf("%s --kubeconfig %s --path %s%s", bin, c.KubeconfigPath, obj, afterExit))
	x.run("set-option", "-g", "set-clipboard", "on")
	x.waitText(15*time.Second, "──manifest.yaml")
	x.send("j", "Enter")
	x.waitText(10*time.Second, "kind: Deployment")
	x.send("y")
	x.waitText(5*time.Second, "copied "+obj+"/manifest.yaml (", "via OSC 52")
	if got := x.run("show-buffer"); got != string(want) {
		t.Errorf("tmux's buffer differs from the manifest\n--- buffer\n%s\n--- kubectl\n%s", got, want)
	}
	x.send("Y")
	x.waitText(5*time.Second, "copied the path")
	if got := x.run("show-buffer"); got != obj+"/manifest.yaml" {
		t.Errorf("tmux's buffer after Y = %q", got)
	}
	x.send("q")
	x.waitText(10*time.Second, "exit=0 mode=icanon")
}

// The settings of config.yaml reach the real binary: empty types hidden and
// the leaf refresh on, shown in the header, and e toggles the hiding; a
// wrong value is an error naming the file, the line and the field.
func TestE2EBinaryConfigFileInTmux(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "tmuxcfg")
	applyDeployment(t, ns)
	bin := buildBinary(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "kfsui"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "kfsui", "config.yaml")
	if err := os.WriteFile(cfg, []byte("hide-empty-types: true\nrefresh: 2s\nidle-timeout: 1m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	x := newTmux(t)
	x.start(fmt.Sprintf("XDG_CONFIG_HOME=%s %s --kubeconfig %s --path /namespaces/%s%s", dir, bin, c.KubeconfigPath, ns, afterExit))
	// The namespace's entries may be below the pane's edge among the other
	// tests' namespaces: count them on the breadcrumb line.
	entries := func(pane string) int {
		m := regexp.MustCompile(`/namespaces/` + ns + `: (\d+) entr`).FindStringSubmatch(pane)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	x.waitText(15*time.Second, "[hide-empty]", "[refresh 2s]")
	// The Deployment and what the controllers made of it (a ReplicaSet,
	// pods, events under both events APIs), and the ConfigMap and
	// ServiceAccount every namespace has: seven types of some thirty.
	x.waitFor("only the types holding objects listed", 10*time.Second, func(s string) bool { return entries(s) == 7 })
	x.send("e")
	pane := x.waitFor("every type listed", 10*time.Second, func(s string) bool { return entries(s) > 20 })
	if strings.Contains(pane, "[hide-empty]") {
		t.Errorf("the header still says hide-empty:\n%s", pane)
	}
	x.send("q")
	x.waitText(10*time.Second, "exit=0")

	if err := os.WriteFile(cfg, []byte("hide-empty-types: true\nrefresh: often\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := newTmux(t)
	y.socket += "-bad"
	y.start(fmt.Sprintf("XDG_CONFIG_HOME=%s %s --kubeconfig %s%s", dir, bin, c.KubeconfigPath, afterExit))
	y.waitText(10*time.Second, `kfsui: config: config.yaml:2: refresh: want a duration such as 30s or 5m, got "often"`, "exit=1", "mode=icanon")
}

// startSized is start in a session of w×h cells.
func (x *tmux) startSized(w, h int, cmdline string) {
	x.run("new-session", "-d", "-s", "main", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "sh", "-c", cmdline)
	x.run("set-option", "-t", "main", "remain-on-exit", "on")
}

// A panic in a background goroutine, which no recover in that goroutine's
// caller can catch, still leaves the terminal in cooked mode on the main
// screen, with the panic and its stack printed.
func TestE2EBinaryPanicInAGoroutineRestoresTheTerminal(t *testing.T) {
	c := testcluster.Shared(t)
	bin := buildBinary(t)
	x := newTmux(t)
	x.start(fmt.Sprintf("KFSUI_CRASH_TEST=1 %s --kubeconfig %s%s", bin, c.KubeconfigPath, afterExit))
	x.waitText(15*time.Second, "READ-ONLY")
	pane := x.waitText(15*time.Second, "exit=2")
	for _, want := range []string{"mode=icanon", "the terminal was restored", "panic: crash test: a panic in a background goroutine", "goroutine ", "internal/supervise/supervise.go"} {
		if !strings.Contains(pane, want) {
			t.Errorf("pane lacks %q:\n%s", want, pane)
		}
	}
	if strings.Contains(pane, "READ-ONLY") {
		t.Errorf("the UI's screen was left behind:\n%s", pane)
	}
}

// A 40x10 terminal, resized while kfsui runs, and SIGTERM and SIGHUP from
// outside: kfsui keeps drawing, ends cleanly, and the terminal is back in
// cooked mode each time.
func TestE2EBinarySmallTerminalResizeAndSignals(t *testing.T) {
	c := testcluster.Shared(t)
	bin := buildBinary(t)
	x := newTmux(t)
	x.startSized(40, 10, fmt.Sprintf("%s --kubeconfig %s --path /cluster%s", bin, c.KubeconfigPath, afterExit))
	x.waitText(15*time.Second, "kfsui")
	x.send("j", "j", "Enter")
	x.run("resize-window", "-t", "main", "-x", "120", "-y", "40")
	// Drawn at the new size: the header's end and the path bar's count
	// do not fit in 40 columns. (Not a tree row: where j j lands, and so
	// which rows show, depends on whether /cluster was listed yet.)
	x.waitText(10*time.Second, "READ-ONLY", "entries")
	x.run("resize-window", "-t", "main", "-x", "20", "-y", "5")
	x.run("resize-window", "-t", "main", "-x", "40", "-y", "10")
	x.send("q")
	pane := x.waitText(10*time.Second, "exit=0")
	if !strings.Contains(pane, "mode=icanon") {
		t.Errorf("after q in a small terminal, not cooked mode:\n%s", pane)
	}

	for _, sig := range []string{"TERM", "HUP"} {
		y := newTmux(t)
		y.socket += "-" + sig
		y.start(fmt.Sprintf("%s --kubeconfig %s & pid=$!; wait $pid%s", bin, c.KubeconfigPath, afterExit))
		y.waitText(15*time.Second, "READ-ONLY")
		// The process the shell started is the supervisor; a kill reaches
		// it as from a window manager or systemd.
		y.run("run-shell", "-t", "main", "pkill -"+sig+" -f '^"+bin+" --kubeconfig' -o")
		pane := y.waitText(10*time.Second, "exit=")
		if !strings.Contains(pane, "mode=icanon") || strings.Contains(pane, "READ-ONLY") {
			t.Errorf("SIG%s: terminal not restored:\n%s", sig, pane)
		}
		if strings.Contains(pane, "panic") {
			t.Errorf("SIG%s: a crash:\n%s", sig, pane)
		}
	}
}

// A container's log cannot reach the terminal as escape sequences: in a
// real terminal (tmux, clipboard writes allowed) neither kfsui tail nor a
// log pane lets a line set the clipboard or the window title, while its
// text and colors still show.
func TestE2EBinaryHostileLogLinesInTmux(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "hostile")
	runningPod(t, ns, "p", "app")
	k.Write(ns, "p", "app",
		"clip \x1b]52;c;cHduZWQ=\x07 end", // OSC 52: "pwned" to the clipboard
		"title \x1b]2;PWNED-TITLE\x07 end",
		"\x1b[32mgreen text\x1b[0m",
		"bell \x07 and erase \x1b[2J here")
	bin := buildBinary(t)
	logs := "/namespaces/" + ns + "/pods/p/logs"
	check := func(x *tmux, pane string) {
		t.Helper()
		if out, err := exec.Command("tmux", "-L", x.socket, "show-buffer").CombinedOutput(); err == nil && strings.Contains(string(out), "pwned") {
			t.Errorf("a log line set the clipboard: %q", out)
		}
		if title := x.run("display-message", "-p", "-t", "main", "#{pane_title}"); strings.Contains(title, "PWNED") {
			t.Errorf("a log line set the title: %q", title)
		}
		if strings.Contains(pane, "52;c") || strings.Contains(pane, "2;PWNED") {
			t.Errorf("escape sequences shown as text:\n%s", pane)
		}
	}

	x := newTmux(t)
	x.start(fmt.Sprintf("%s --kubeconfig %s tail %s/app.log%s", bin, c.KubeconfigPath, logs, afterExit))
	x.run("set-option", "-g", "set-clipboard", "on")
	check(x, x.waitText(15*time.Second, "clip  end", "title  end", "green text", "exit=0"))

	y := newTmux(t)
	y.socket += "-ui"
	y.start(fmt.Sprintf("%s --kubeconfig %s --path %s%s", bin, c.KubeconfigPath, logs, afterExit))
	y.run("set-option", "-g", "set-clipboard", "on")
	y.waitText(15*time.Second, "──app.log")
	y.send("j", "Enter")
	check(y, y.waitText(10*time.Second, "clip  end", "title  end", "green text"))
	y.send("q")
	y.waitText(10*time.Second, "exit=0")
}

// A kubeconfig whose login plugin asks the user something (an OIDC or MFA
// plugin) still works: its prompt shows on the terminal, what the user
// types reaches it, and the UI opens once it has answered.
func TestE2EBinaryLoginPluginCanPrompt(t *testing.T) {
	c := testcluster.Shared(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	cfg := c.RESTConfig()
	cred, err := json.Marshal(map[string]any{
		"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
		"status": map[string]string{"clientCertificateData": string(cfg.CertData), "clientKeyData": string(cfg.KeyData)},
	})
	if err != nil {
		t.Fatal(err)
	}
	credFile := filepath.Join(dir, "cred.json")
	plugin := filepath.Join(dir, "login.sh")
	kubeconfig := filepath.Join(dir, "kubeconfig")
	files := map[string]string{
		credFile: string(cred),
		plugin: `printf 'one-time code: ' >&2
read code
[ "$code" = 424242 ] || { echo "wrong code" >&2; exit 1; }
cat ` + credFile + "\n",
		kubeconfig: fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, certificate-authority: %q}
users:
- name: sso
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /bin/sh
      args: [%q]
      interactiveMode: IfAvailable
contexts:
- name: sso
  context: {cluster: test, user: sso}
current-context: sso
`, c.Server, c.CAFile(), plugin),
	}
	for name, text := range files {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	x := newTmux(t)
	x.start(bin + " --kubeconfig " + kubeconfig + afterExit)
	x.waitText(10*time.Second, "one-time code:")
	x.send("-l", "424242")
	x.send("Enter")
	// default/, not a namespace further down: the tests before this one
	// made enough namespaces to push those below the pane.
	x.waitText(15*time.Second, "READ-ONLY", "default/")
	x.send("q")
	pane := x.waitText(10*time.Second, "exit=0")
	if !strings.Contains(pane, "mode=icanon") {
		t.Errorf("the terminal was not restored:\n%s", pane)
	}
}
