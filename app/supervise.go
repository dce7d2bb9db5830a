package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// supervisedEnv marks the process that runs the UI under a supervisor.
const supervisedEnv = "KFSUI_SUPERVISED"

// crashTestEnv, set to "1", makes the UI panic in a background goroutine
// once it has drawn: how the tests prove that a crash anywhere leaves a
// usable terminal. Nothing else reads it.
const crashTestEnv = "KFSUI_CRASH_TEST"

// A panic in a goroutine other than the one that recovers it, or a fatal
// runtime error, ends a Go process without running any deferred code: the
// terminal would stay in raw mode on the alternate screen and the stack
// would be drawn there and lost. So the UI runs in a child process, and
// this parent, which touches nothing, waits for it: if the child dies, the
// parent puts the terminal back as it found it and prints the child's
// error output, panic and stack included.

// superviseUI reruns this program as a supervised child with the same
// arguments and returns its exit code. ok is false when no supervision is
// possible (no terminal, or the program cannot be found): the caller then
// runs the UI itself.
func superviseUI(stderr io.Writer) (code int, ok bool) {
	if os.Getenv(supervisedEnv) != "" {
		return 0, false
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return 0, false
	}
	defer tty.Close()
	saved, err := term.GetState(int(tty.Fd()))
	if err != nil {
		return 0, false
	}
	self, err := os.Executable()
	if err != nil {
		return 0, false
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), supervisedEnv+"=1")
	// Until its UI takes the terminal the child writes to stderr as any
	// program does: a kubeconfig's login plugin can print its prompt. From
	// then on (captureStderr) it writes to the pipe passed as fd 3, and
	// what comes (errors after the UI, a panic and its stack) is kept here
	// and printed once the terminal is usable again. Bounded: a runaway
	// writer cannot fill memory.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	errs := &tailBuffer{max: 1 << 20}
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, false
	}
	defer pr.Close()
	cmd.ExtraFiles = []*os.File{pw}
	// The terminal sends Ctrl-C's SIGINT to the child too; kill's SIGTERM
	// and a closing terminal's SIGHUP reach only this process: pass them
	// on, and let the child decide how to end.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return 0, false
	}
	// All this process does from now on is wait: give back what package
	// initialisation took.
	debug.FreeOSMemory()
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(errs, pr)
		close(copied)
	}()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s != os.Interrupt {
					_ = cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	select {
	case <-copied:
	case <-time.After(time.Second):
		// Something the child started still holds the pipe: print what
		// came.
	}
	out := errs.Bytes()
	code = cmd.ProcessState.ExitCode()
	var exit *exec.ExitError
	crashed := errors.As(err, &exit) && (code < 0 || bytes.Contains(out, []byte("panic: ")) || bytes.Contains(out, []byte("fatal error: ")))
	if crashed {
		restoreTerminal(tty, saved)
		if code < 0 {
			ws, _ := exit.ProcessState.Sys().(syscall.WaitStatus)
			switch sig := ws.Signal(); sig {
			case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
				// Interrupted before its own handlers ran (Ctrl-C while
				// connecting): as a shell reports it, without alarm.
				code = 128 + int(sig)
			default:
				code = 2
				fmt.Fprintf(stderr, "kfsui: the UI process was killed: %s\n", exit.ProcessState)
			}
		} else {
			fmt.Fprintf(stderr, "kfsui: crashed; the terminal was restored. Please report this, with the error below:\n")
		}
	}
	_, _ = stderr.Write(out)
	return code, true
}

// restoreTerminal undoes what a full-screen program that died may have left:
// raw mode, the alternate screen, a hidden cursor, mouse reporting,
// bracketed paste and text attributes.
func restoreTerminal(tty *os.File, saved *term.State) {
	_ = term.Restore(int(tty.Fd()), saved)
	_, _ = io.WriteString(tty, strings.Join([]string{
		"\x1b[?1000l", "\x1b[?1002l", "\x1b[?1003l", "\x1b[?1006l", // mouse off
		"\x1b[?2004l", // bracketed paste off
		"\x1b[0m",     // attributes
		"\x1b[?25h",   // cursor on
		"\x1b[?1049l", // main screen
		"\r\n",
	}, ""))
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
	cut bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
		t.cut = true
	}
	return len(p), nil
}

// Bytes returns what was kept, marked if the start was cut.
func (t *tailBuffer) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return append([]byte("[… earlier output cut]\n"), t.buf...)
	}
	return append([]byte(nil), t.buf...)
}

// stderrFD is the pipe the supervisor passes to its child (ExtraFiles[0]).
const stderrFD = 3

// captureStderr, in a supervised child, sends its stderr to the
// supervisor from now on: the UI is about to take the terminal, and a
// panic's stack written there would be lost on the alternate screen.
func captureStderr() {
	if os.Getenv(supervisedEnv) == "" {
		return
	}
	if fd, err := unix.Dup(2); err == nil {
		unix.CloseOnExec(fd)
		terminalStderr = fd
	}
	_ = unix.Dup2(stderrFD, 2)
}

// terminalStderr is the stderr captureStderr took away, the terminal's;
// -1 when it took none.
var terminalStderr = -1

// stderrToTerminal gives stderr back to the terminal until restore is
// called: the UI is suspended and a login plugin may prompt there.
func stderrToTerminal() (restore func()) {
	if terminalStderr < 0 {
		return func() {}
	}
	_ = unix.Dup2(terminalStderr, 2)
	return func() { _ = unix.Dup2(stderrFD, 2) }
}

// keepStderrPipeToSelf makes the supervisor's pipe close on exec, so that
// no program kfsui starts (a clipboard tool that stays in the background)
// keeps it open after kfsui exits.
func keepStderrPipeToSelf() {
	if os.Getenv(supervisedEnv) != "" {
		unix.CloseOnExec(stderrFD)
	}
}
