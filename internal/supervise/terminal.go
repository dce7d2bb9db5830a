package supervise

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// UIEnv marks the process that runs the terminal UI under a supervisor.
const UIEnv = "KFSUI_SUPERVISED"

// Terminal reruns this program with args as the UI's supervised child and
// returns its exit code. Should the child crash, the terminal is put back
// as it was and the child's error output, panic and stack included, is
// printed once it is usable again. ok is false when no supervision is
// possible (this is the child already, there is no terminal, or the
// program cannot be started): the caller then runs the UI itself.
// started, if set, is called once the child runs (Child.Started).
func Terminal(args []string, stderr io.Writer, started func()) (code int, ok bool) {
	if IsChild(UIEnv) {
		return 0, false
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return 0, false
	}
	defer tty.Close()
	saved, err := getTermios(tty)
	if err != nil {
		return 0, false
	}
	// Until its UI takes the terminal the child writes to stderr as any
	// program does: a kubeconfig's login plugin can print its prompt.
	// From then on (Stderr.Capture) it writes to the pipe, and what
	// comes is printed here once the terminal is usable again.
	e, err := Run(Child{Args: args, Env: UIEnv, CaptureStderr: true, Started: started})
	if err != nil {
		return 0, false
	}
	code = e.Code
	crashed := code != 0 && (code < 0 || bytes.Contains(e.Output, []byte("panic: ")) || bytes.Contains(e.Output, []byte("fatal error: ")))
	if crashed {
		restoreTerminal(tty, saved)
		switch {
		case code >= 0:
			fmt.Fprintf(stderr, "kfsui: crashed; the terminal was restored. Please report this, with the error below:\n")
		case e.Signal == syscall.SIGINT || e.Signal == syscall.SIGTERM || e.Signal == syscall.SIGHUP:
			// Interrupted before its own handlers ran (Ctrl-C while
			// connecting): as a shell reports it, without alarm.
			code = 128 + int(e.Signal)
		default:
			code = 2
			fmt.Fprintf(stderr, "kfsui: the UI process was killed: %s\n", e.State)
		}
	}
	_, _ = stderr.Write(e.Output)
	return code, true
}

// restoreTerminal undoes what a full-screen program that died may have left:
// raw mode, the alternate screen, a hidden cursor, mouse reporting,
// bracketed paste and text attributes.
func restoreTerminal(tty *os.File, saved *syscall.Termios) {
	_ = setTermios(tty, saved)
	_, _ = io.WriteString(tty, "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l"+ // mouse off
		"\x1b[?2004l"+ // bracketed paste off
		"\x1b[0m"+ // attributes
		"\x1b[?25h"+ // cursor on
		"\x1b[?1049l"+ // main screen
		"\r\n")
}

// getTermios reads the terminal's mode: golang.org/x/term's GetState,
// which this package may not import (see the package doc).
func getTermios(tty *os.File) (*syscall.Termios, error) {
	var t syscall.Termios
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, tty.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t))); errno != 0 {
		return nil, errno
	}
	return &t, nil
}

// setTermios puts the terminal's mode back: x/term's Restore.
func setTermios(tty *os.File, t *syscall.Termios) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, tty.Fd(), syscall.TCSETS, uintptr(unsafe.Pointer(t))); errno != 0 {
		return errno
	}
	return nil
}

// stderrFD is the pipe a supervisor passes to its child (Child.ExtraFiles[0]).
const stderrFD = 3

// Stderr is a supervised UI child's standard error: the terminal's until
// the UI takes the terminal, the supervisor's pipe after. The zero value,
// and the Stderr of a process no supervisor runs, leave stderr alone.
type Stderr struct {
	child    bool
	terminal int // the terminal's stderr, kept by Capture; -1 before
}

// ChildStderr returns this process's Stderr. In a supervised child it
// also keeps the supervisor's pipe to this process: no program kfsui
// starts (a clipboard tool that stays in the background) holds it open
// after kfsui exits.
func ChildStderr() *Stderr {
	s := &Stderr{child: IsChild(UIEnv), terminal: -1}
	if s.child {
		syscall.CloseOnExec(stderrFD)
	}
	return s
}

// Capture sends stderr to the supervisor from now on: the UI is about to
// take the terminal, and a panic's stack written there would be lost on
// the alternate screen.
func (s *Stderr) Capture() {
	if s == nil || !s.child {
		return
	}
	if fd, err := syscall.Dup(2); err == nil {
		syscall.CloseOnExec(fd)
		s.terminal = fd
	}
	_ = syscall.Dup3(stderrFD, 2, 0)
}

// ToTerminal gives stderr back to the terminal until restore is called:
// the UI is suspended and a login plugin may prompt there.
func (s *Stderr) ToTerminal() (restore func()) {
	if s == nil || s.terminal < 0 {
		return func() {}
	}
	_ = syscall.Dup3(s.terminal, 2, 0)
	return func() { _ = syscall.Dup3(stderrFD, 2, 0) }
}
