// Package cli is kfsui's command line: the cobra root, which runs the
// terminal UI, and the headless verbs, one file each (ls, cat, diff,
// tail, grep, mount).
//
// Concurrency: Main runs one command to its end on the calling goroutine;
// the verbs that stream (tail -f, grep, mount) start their own goroutines
// and wait for them before they return.
package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"k8s.io/klog/v2"

	"github.com/kfsui/kfsui/model"
)

// Env is what Main runs in.
type Env struct {
	Stdout, Stderr io.Writer
	// Supervise runs the UI and the mount's server in a child process
	// watched by this one, so that a crash anywhere still restores the
	// terminal or unmounts (internal/supervise). The program sets it;
	// tests that run Main in-process leave it off.
	Supervise bool
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // an error kfsui met: unreachable server, no such path, ...
	exitUsage = 2 // the command line was wrong; for diff, any trouble
)

// usageError marks errors in the command line itself.
type usageError struct{ error }

// silentExit ends Main with a code other than 0 and prints nothing: what
// there was to say was said already (by grep as it went, by a supervised
// child).
type silentExit int

func (e silentExit) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// exitWith is the error that makes Main return code: none for 0.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return silentExit(code)
}

// Main runs kfsui with args (without the program name) and returns the
// process exit code. Errors are printed to env.Stderr as one line prefixed
// with the program's name; nothing before the UI touches the terminal's
// mode.
func Main(progName string, args []string, env Env) int {
	// client-go logs through klog to stderr, which would scribble over the
	// UI and clutter headless output; kfsui reports errors itself.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)

	cmd := newRootCommand(displayName(progName), args, env)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	var code silentExit
	if errors.As(err, &code) {
		return int(code)
	}
	fmt.Fprintf(env.Stderr, "kfsui: %s\n", model.OneLine(err))
	var ue usageError
	var dt diffTrouble
	if errors.As(err, &ue) || errors.As(err, &dt) {
		return exitUsage
	}
	return exitError
}

// displayName is how usage names the program: installed as kubectl-kfsui
// it runs as a kubectl plugin, "kubectl kfsui".
func displayName(progName string) string {
	base := filepath.Base(progName)
	if strings.HasPrefix(base, "kubectl-") {
		return "kubectl " + strings.TrimPrefix(base, "kubectl-")
	}
	return "kfsui"
}
