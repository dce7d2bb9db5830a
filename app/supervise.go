package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"

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
	cmd.Stdin, cmd.Stdout = os.Stdin, os.Stdout
	// The child writes to stderr only before the UI starts, after it
	// ends, or when it dies; kept here, it is printed once the terminal
	// is usable again. Bounded: a runaway writer cannot fill memory.
	errs := &tailBuffer{max: 1 << 20}
	cmd.Stderr = errs
	// The terminal sends Ctrl-C's SIGINT to the child too; kill's SIGTERM
	// and a closing terminal's SIGHUP reach only this process: pass them
	// on, and let the child decide how to end.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, false
	}
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
