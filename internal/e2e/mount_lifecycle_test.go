package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kfsui/kfsui/internal/mount"
	"github.com/kfsui/kfsui/internal/testcluster"
)

// mountProc is the kfsui binary serving a mount, as a user starts it.
type mountProc struct {
	t      *testing.T
	dir    string
	cmd    *exec.Cmd
	stderr *lockedWriter
	done   chan struct{}
}

// emptyDir returns a new empty directory to mount on.
func emptyDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startMount runs `kfsui --kubeconfig KUBECONFIG mount args... DIR` with
// env added, and waits until it says it is mounted. Whatever happens, the
// test ends with the process gone and dir unmounted.
func startMount(t *testing.T, kubeconfig, dir string, env []string, args ...string) *mountProc {
	t.Helper()
	p := startMountNoWait(t, kubeconfig, dir, env, args...)
	p.waitStderr("kfsui: mounted ", 30*time.Second)
	if mounted, _ := mount.IsMounted(dir); !mounted {
		t.Fatalf("kfsui says it mounted %s; the mount table disagrees", dir)
	}
	return p
}

func startMountNoWait(t *testing.T, kubeconfig, dir string, env []string, args ...string) *mountProc {
	t.Helper()
	requireFUSE(t)
	bin := buildBinary(t)
	cmd := exec.Command(bin, append(append([]string{"--kubeconfig", kubeconfig, "mount"}, args...), dir)...)
	cmd.Env = append(os.Environ(), env...)
	p := &mountProc{t: t, dir: dir, cmd: cmd, stderr: &lockedWriter{w: &bytes.Buffer{}}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
			}
		}
		if mounted, _ := mount.IsMounted(dir); mounted {
			_ = mount.ForceUnmount(dir)
		}
	})
	return p
}

func (p *mountProc) errText() string {
	p.stderr.mu.Lock()
	defer p.stderr.mu.Unlock()
	return p.stderr.w.String()
}

func (p *mountProc) waitStderr(text string, timeout time.Duration) {
	p.t.Helper()
	eventually(p.t, "kfsui mount to say "+strconv.Quote(text), timeout, func() bool {
		return strings.Contains(p.errText(), text)
	}, p.errText)
}

// waitExit waits for the process to end and returns its exit code.
func (p *mountProc) waitExit(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("kfsui mount did not end within %v\n%s", timeout, p.errText())
	}
	return p.cmd.ProcessState.ExitCode()
}

// server returns the pid of the process serving the mount: the
// supervisor's child.
func (p *mountProc) server() int {
	p.t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p.cmd.Process.Pid, p.cmd.Process.Pid))
	if err != nil {
		p.t.Fatal(err)
	}
	// Children of any of the supervisor's threads.
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", p.cmd.Process.Pid))
	for _, task := range tasks {
		more, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", p.cmd.Process.Pid, task.Name()))
		data = append(data, ' ')
		data = append(data, more...)
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		p.t.Fatal("the supervisor has no child")
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		p.t.Fatal(err)
	}
	return pid
}

func waitUnmounted(t *testing.T, dir string, timeout time.Duration) {
	t.Helper()
	eventually(t, dir+" to be unmounted", timeout, func() bool {
		mounted, _ := mount.IsMounted(dir)
		return !mounted
	}, noDetail)
}

// SIGTERM, SIGINT and SIGHUP unmount cleanly and end kfsui with 0, as
// does fusermount3 -u from outside.
func TestE2EMountEndsCleanly(t *testing.T) {
	kubeconfig := testcluster.Shared(t).KubeconfigPath
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		dir := emptyDir(t)
		p := startMount(t, kubeconfig, dir, nil)
		if got := sh(t, "ls "+dir); got != "all\ncluster\nnamespaces\n" {
			t.Fatalf("ls of the mount = %q", got)
		}
		_ = p.cmd.Process.Signal(sig)
		if code := p.waitExit(15 * time.Second); code != 0 {
			t.Errorf("%v: exit %d\n%s", sig, code, p.errText())
		}
		waitUnmounted(t, dir, time.Second)
		if !strings.Contains(p.errText(), "kfsui: unmounted "+dir) {
			t.Errorf("%v: kfsui did not say it unmounted:\n%s", sig, p.errText())
		}
	}

	// A mount in use (a shell's working directory in it) is detached and
	// kfsui still ends, at once rather than when the shell leaves.
	dir := emptyDir(t)
	p := startMount(t, kubeconfig, dir, nil)
	inside := exec.Command("sleep", "60")
	inside.Dir = filepath.Join(dir, "namespaces")
	if err := inside.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inside.Process.Kill(); _ = inside.Wait() })
	start := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.waitExit(10 * time.Second); code != 0 {
		t.Errorf("busy mount: exit %d\n%s", code, p.errText())
	}
	waitUnmounted(t, dir, time.Second)
	t.Logf("a busy mount ended in %v", time.Since(start).Round(time.Millisecond))

	dir = emptyDir(t)
	p = startMount(t, kubeconfig, dir, nil)
	if out, err := exec.Command(mount.Fusermount, "-u", dir).CombinedOutput(); err != nil {
		t.Fatalf("fusermount3 -u: %v %s", err, out)
	}
	if code := p.waitExit(15 * time.Second); code != 0 {
		t.Errorf("unmounted from outside: exit %d\n%s", code, p.errText())
	}
	waitUnmounted(t, dir, time.Second)
}

// Whatever way the serving process dies, no dead mount stays behind: its
// supervisor unmounts, and if the supervisor dies the server unmounts.
func TestE2EMountNeverLeavesADeadMount(t *testing.T) {
	kubeconfig := testcluster.Shared(t).KubeconfigPath

	t.Run("server killed", func(t *testing.T) {
		dir := emptyDir(t)
		p := startMount(t, kubeconfig, dir, nil)
		if err := syscall.Kill(p.server(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if code := p.waitExit(15 * time.Second); code == 0 {
			t.Errorf("exit 0 after the server was killed\n%s", p.errText())
		}
		waitUnmounted(t, dir, time.Second)
		if !strings.Contains(p.errText(), "was killed") || !strings.Contains(p.errText(), "was unmounted") {
			t.Errorf("stderr does not say what happened:\n%s", p.errText())
		}
		if _, err := os.ReadDir(dir); err != nil {
			t.Errorf("the directory is not usable again: %v", err)
		}
	})

	t.Run("server panics", func(t *testing.T) {
		dir := emptyDir(t)
		p := startMount(t, kubeconfig, dir, []string{"KFSUI_CRASH_TEST=1"})
		if code := p.waitExit(15 * time.Second); code == 0 {
			t.Errorf("exit 0 after a panic\n%s", p.errText())
		}
		waitUnmounted(t, dir, time.Second)
		if !strings.Contains(p.errText(), "panic: crash test") || !strings.Contains(p.errText(), "crashed") {
			t.Errorf("stderr lacks the panic or the unmount:\n%s", p.errText())
		}
	})

	t.Run("supervisor killed", func(t *testing.T) {
		dir := emptyDir(t)
		p := startMount(t, kubeconfig, dir, nil)
		server := p.server()
		_ = p.cmd.Process.Kill()
		p.waitExit(5 * time.Second)
		waitUnmounted(t, dir, 10*time.Second)
		eventually(t, "the server to end", 10*time.Second, func() bool {
			return syscall.Kill(server, 0) != nil
		}, noDetail)
	})
}

// A mount point that cannot be used is one clear error, before anything
// is mounted or the cluster asked.
func TestE2EMountPointErrors(t *testing.T) {
	kubeconfig := testcluster.Shared(t).KubeconfigPath
	base := t.TempDir()
	full := filepath.Join(base, "full")
	file := filepath.Join(base, "file")
	if err := os.MkdirAll(filepath.Join(full, "something"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	busy := emptyDir(t)
	startMount(t, kubeconfig, busy, nil)

	// A dead mount, as a serving process killed without its supervisor
	// leaves one.
	dead := emptyDir(t)
	orphan := startMountNoWait(t, kubeconfig, dead, []string{"KFSUI_MOUNT_SERVER=1"})
	orphan.waitStderr("kfsui: mounted ", 30*time.Second)
	_ = orphan.cmd.Process.Kill()
	orphan.waitExit(5 * time.Second)
	if _, err := os.Stat(dead); err == nil {
		t.Fatal("killing the unsupervised server left no dead mount to test with")
	}

	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(base, "missing"), "does not exist"},
		{full, "is not empty"},
		{file, "is not a directory"},
		{busy, "is already a mount point"},
		{dead, "is a dead mount"},
	} {
		p := startMountNoWait(t, kubeconfig, tc.dir, nil)
		code := p.waitExit(10 * time.Second)
		lines := strings.Split(strings.TrimSpace(p.errText()), "\n")
		if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || !strings.HasPrefix(lines[0], "kfsui: ") {
			t.Errorf("mount on %s: exit %d, stderr:\n%s\nwant one line saying %q", tc.dir, code, p.errText(), tc.want)
		}
	}
	if mounted, _ := mount.IsMounted(filepath.Join(base, "missing")); mounted {
		t.Error("something was mounted")
	}
}

// Ctrl-C in the terminal kfsui mount runs in unmounts it, as a person
// would end it.
func TestE2EMountCtrlCInTmux(t *testing.T) {
	requireFUSE(t)
	bin := buildBinary(t)
	x := newTmux(t)
	dir := emptyDir(t)
	// Ctrl-C goes to the whole foreground process group: the wrapping
	// shell must survive it to report kfsui's exit, as a login shell does.
	x.start(fmt.Sprintf("trap : INT; %s --kubeconfig %s mount %s; echo exit=$?; sleep 30", bin, testcluster.Shared(t).KubeconfigPath, dir))
	t.Cleanup(func() {
		if mounted, _ := mount.IsMounted(dir); mounted {
			_ = mount.ForceUnmount(dir)
		}
	})
	x.waitText(30*time.Second, "kfsui: mounted context", "Ctrl-C")
	if got := sh(t, "ls "+dir); got != "all\ncluster\nnamespaces\n" {
		t.Fatalf("ls of the mount = %q", got)
	}
	x.send("C-c")
	x.waitText(15*time.Second, "kfsui: unmounted "+dir, "exit=0")
	waitUnmounted(t, dir, time.Second)
}

// Several contexts mount as one directory each, each reading its own
// cluster; a context whose user may not list something says so.
func TestE2EMountSeveralContexts(t *testing.T) {
	_, _, kubeconfig, ns := twoClusters(t, "mountctx")
	dir := emptyDir(t)
	p := startMount(t, kubeconfig, dir, nil,
		"--context", testcluster.ContextDev, "--context", testcluster.ContextProd, "--context", testcluster.ContextRestricted)
	want := []string{testcluster.ContextDev, testcluster.ContextProd, testcluster.ContextRestricted}
	if got := strings.Fields(sh(t, "ls "+dir)); strings.Join(got, " ") != strings.Join(slices.Sorted(slices.Values(want)), " ") {
		t.Errorf("ls of the mount = %q, want one directory per context %q", got, want)
	}
	for ctxName, image := range map[string]string{testcluster.ContextDev: "pay:1.4", testcluster.ContextProd: "pay:1.5"} {
		got := sh(t, "cat "+filepath.Join(dir, ctxName, "namespaces", ns, "configmaps", "payments", "manifest.yaml"))
		if !strings.Contains(got, "image: "+image) {
			t.Errorf("%s's payments ConfigMap lacks %s:\n%s", ctxName, image, got)
		}
	}
	out, err := exec.Command("ls", filepath.Join(dir, testcluster.ContextRestricted, "namespaces", ns, "secrets")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("ls of a forbidden type: %v %s, want Permission denied", err, out)
	}
	p.waitStderr("forbidden", 5*time.Second)
}
