// Package supervise re-runs kfsui as a child process watched by its parent
// and repairs what a child that dies leaves behind: the terminal for the
// UI (Terminal), the FUSE mount for kfsui mount (Mount).
//
// A panic in a goroutine other than the one that recovers it, a fatal
// runtime error or SIGKILL ends a Go process without running any deferred
// code. What the process had changed outside itself then stays changed: a
// terminal in raw mode on the alternate screen, a mount whose every access
// fails with "Transport endpoint is not connected". A parent that touches
// nothing but waits can put those back.
//
// The early supervisor (package early) is initialised as soon as this
// package is, so this package imports only what Go initialises first: no
// os/exec (it brings path/filepath), runtime/debug, strings or
// golang.org/x packages, which Go initialises late for their import
// paths. That makes the supervisor start in about 5 ms instead of 16.
//
// Concurrency: Run, Terminal and Mount block until the child ends; the
// rest is for the child, before and while it runs its front end. Nothing
// here holds package-level state.
package supervise

import (
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Child describes a re-run of this program under supervision.
type Child struct {
	// Args are the child's arguments without the program name: those the
	// parent's Main was given.
	Args []string
	// Env names the variable set to "1" in the child's environment, by
	// which the child knows it is the supervised one (IsChild).
	Env string
	// CaptureStderr passes the child a pipe as fd 3 (see Stderr); what it
	// writes there is kept, the last MiB, and returned in Exit.Output.
	CaptureStderr bool
	// DieWithParent has the kernel send the child SIGTERM should the
	// parent die first.
	DieWithParent bool
	// Started, if set, is called once the child runs, while this process
	// waits for it: a supervisor that initialised all of kfsui gives
	// that memory back (debug.FreeOSMemory).
	Started func()
	// ForwardInterrupt passes SIGINT on as well as SIGTERM and SIGHUP.
	// Off for a child on the terminal: Ctrl-C reaches it from the
	// terminal already.
	ForwardInterrupt bool
}

// Exit is how a child ended.
type Exit struct {
	Code   int            // its exit code; -1 when a signal ended it
	Signal syscall.Signal // the signal that ended it, 0 if none did
	State  string         // as Go prints a process state: "signal: killed"
	Output []byte         // what it wrote to the captured stderr
}

// IsChild reports whether this process is a child supervised with env.
func IsChild(env string) bool { return os.Getenv(env) != "" }

// Run starts c, passes it the signals meant for this process and returns
// once it has ended. The error says the child could not be started; once
// it has, Run returns how it ended.
func Run(c Child) (Exit, error) {
	self, err := os.Executable()
	if err != nil {
		return Exit{}, err
	}
	attr := &os.ProcAttr{
		Env:   append(os.Environ(), c.Env+"=1"),
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
	}
	if c.DieWithParent {
		attr.Sys = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	}
	var captured *tailBuffer
	var copied chan struct{}
	var childEnd *os.File
	if c.CaptureStderr {
		pr, pw, err := os.Pipe()
		if err != nil {
			return Exit{}, err
		}
		defer pr.Close()
		defer pw.Close()
		childEnd = pw
		attr.Files = append(attr.Files, pw) // fd 3 in the child
		captured, copied = &tailBuffer{max: 1 << 20}, make(chan struct{})
		go func() {
			_, _ = io.Copy(captured, pr)
			close(copied)
		}()
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	proc, err := os.StartProcess(self, append([]string{self}, c.Args...), attr)
	if err != nil {
		return Exit{}, err
	}
	if childEnd != nil {
		childEnd.Close() // the child holds its own: EOF once it is gone
	}
	if c.Started != nil {
		c.Started()
	}
	done := make(chan struct{})
	go forward(sigs, done, proc, c.ForwardInterrupt)
	state, err := proc.Wait()
	close(done)
	if err != nil {
		// The child ran, but how it ended is unknown: as if killed, so
		// that what it may have left is repaired.
		return Exit{Code: -1, State: "wait: " + err.Error()}, nil
	}
	e := Exit{Code: state.ExitCode(), State: state.String()}
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.Signal = ws.Signal()
	}
	if captured != nil {
		select {
		case <-copied:
		case <-time.After(time.Second):
			// Something the child started still holds the pipe: keep
			// what came.
		}
		e.Output = captured.Bytes()
	}
	return e, nil
}

// forward passes the signals this process gets to the child until done.
func forward(sigs <-chan os.Signal, done <-chan struct{}, child *os.Process, interrupt bool) {
	for {
		select {
		case s := <-sigs:
			if s != os.Interrupt || interrupt {
				_ = child.Signal(s)
			}
		case <-done:
			return
		}
	}
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

// CrashTestEnv, set to "1", makes a supervised front end panic in a
// background goroutine a second after it started serving: how the tests
// prove that a crash anywhere is repaired. Nothing else reads it.
const CrashTestEnv = "KFSUI_CRASH_TEST"

// CrashTest panics in a goroutine of its own a second from now if
// CrashTestEnv asks for it; what says what was running when.
func CrashTest(what string) {
	if os.Getenv(CrashTestEnv) != "1" {
		return
	}
	go func() {
		time.Sleep(time.Second)
		panic("crash test: a panic " + what + " (" + CrashTestEnv + "=1)")
	}()
}
