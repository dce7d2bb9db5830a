package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/kfsui/kfsui/internal/mount"
)

// mountServerEnv marks the process that serves a mount under a supervisor.
const mountServerEnv = "KFSUI_MOUNT_SERVER"

// A FUSE mount outlives the process that serves it: if that process dies
// (a panic in any goroutine, a fatal runtime error, SIGKILL) every access
// to the directory fails with "Transport endpoint is not connected" until
// someone unmounts it by hand. So kfsui mount serves from a child process
// and this parent, which touches nothing, waits: when the child ends with
// the directory still mounted, the parent detaches it. Should the parent
// be killed instead, the child gets SIGTERM (Pdeathsig) and unmounts
// itself.

// superviseMount reruns this program as the mount's server with the same
// arguments and returns its exit code, unmounting dir if the server left
// it mounted.
func superviseMount(dir string, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "kfsui: %v\n", err)
		return exitError
	}
	// Mounted before the child started: the child refuses it, and it is
	// not ours to unmount.
	mountedBefore, _ := mount.IsMounted(dir)
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), mountServerEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	// Signals for this process go to the server, which unmounts; this one
	// stays to see the end.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "kfsui: %v\n", err)
		return exitError
	}
	// All this process does from now on is wait: give back what package
	// initialisation took.
	debug.FreeOSMemory()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	code := cmd.ProcessState.ExitCode()
	if mountedBefore {
		return code
	}
	if mounted, _ := mount.IsMounted(dir); mounted {
		how := "crashed"
		var exit *exec.ExitError
		if errors.As(err, &exit) && code < 0 {
			how = "was killed (" + exit.ProcessState.String() + ")"
		}
		if uerr := mount.ForceUnmount(dir); uerr != nil {
			fmt.Fprintf(stderr, "kfsui: the mount's process %s and %s could not be unmounted: %v\n", how, dir, uerr)
		} else {
			fmt.Fprintf(stderr, "kfsui: the mount's process %s; %s was unmounted\n", how, dir)
		}
		if code <= 0 {
			code = exitError
		}
	}
	if code < 0 {
		code = exitError
	}
	return code
}
