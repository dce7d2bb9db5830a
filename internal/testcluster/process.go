package testcluster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long a component gets to exit after SIGTERM before it is
// killed. kube-apiserver drains in-flight requests on SIGTERM; with no
// clients left that takes well under this.
const stopGrace = 5 * time.Second

// logTailLines is how much of a component's log a start failure quotes:
// enough to show the fatal error and what led to it.
const logTailLines = 30

// process is one running component (etcd or kube-apiserver) with its output
// going to a log file.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	logFile *os.File
	// done is closed once the process has exited and waitErr is set.
	done    chan struct{}
	waitErr error
}

// startProcess starts bin with args, its stdout and stderr appended to a
// fresh logPath.
//
// The child gets its own process group so that Stop can signal it (and
// anything it spawns) without touching the test binary, and so that a
// terminal's Ctrl-C reaches only the test binary, which then shuts the
// cluster down in order. Pdeathsig makes the kernel kill the child if the
// test binary dies without stopping it (a test panic, go test's timeout),
// so no orphaned apiserver outlives a test run. (The kernel sends it when
// the starting thread ends; Go ends threads only for goroutines that exit
// while locked to one, which the harness never does.)
func startProcess(name, logPath, bin string, args []string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = componentEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, logPath: logPath, cmd: cmd, logFile: logFile, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// componentEnv is the environment of the test binary without ETCD_*
// variables: etcd refuses to start when one of them duplicates a flag, and
// a developer's shell may well set some for another etcd.
func componentEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCD_") {
			env = append(env, kv)
		}
	}
	return env
}

// exitError describes how the process ended, quoting its log. Call it only
// after done is closed.
func (p *process) exitError() error {
	return fmt.Errorf("%s exited early (%v); last lines of %s:\n%s", p.name, p.waitErr, p.logPath, p.logTail())
}

// stop asks the process group to terminate, and kills it if it has not
// exited within stopGrace. It is a no-op once the process has exited.
func (p *process) stop() error {
	if p == nil {
		return nil
	}
	defer p.logFile.Close()
	pgid := p.cmd.Process.Pid // Setpgid makes the group id the child's pid
	select {
	case <-p.done:
		// Reap anything the component may have left in its group.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return nil
	default:
	}
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signalling %s: %w", p.name, err)
	}
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("killing %s: %w", p.name, err)
		}
		<-p.done
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// logTail returns the last logTailLines lines of the process's log, or a
// note saying why it cannot.
func (p *process) logTail() string {
	return tailFile(p.logPath, logTailLines)
}

// tailFile returns the last n lines of the file at path. It reads only the
// end of the file, since an apiserver log can grow large.
func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	defer f.Close()
	const maxTail = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > maxTail {
		if _, err := f.Seek(-maxTail, io.SeekEnd); err != nil {
			return fmt.Sprintf("(cannot read log: %v)", err)
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && len(lines[0]) == 0 {
		return "(log is empty)"
	}
	return string(bytes.Join(lines, []byte("\n")))
}
