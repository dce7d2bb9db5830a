package supervise

import (
	"fmt"
	"io"
)

// MountEnv marks the process that serves a FUSE mount under a supervisor.
const MountEnv = "KFSUI_MOUNT_SERVER"

// MountPoint is the directory a supervised child mounts, and how to tell
// whether it is mounted and to detach it (internal/mount does both).
type MountPoint struct {
	Dir          string
	IsMounted    func(dir string) (bool, error)
	ForceUnmount func(dir string) error
}

// Mount reruns this program with args as the mount's server and returns
// its exit code. A FUSE mount outlives the process that serves it, so when
// the server ends with the directory still mounted, Mount detaches it and
// says so. Should this process be killed instead, the server gets SIGTERM
// and unmounts itself. started, if set, is called once the server runs
// (Child.Started).
func Mount(args []string, mp MountPoint, stderr io.Writer, started func()) int {
	// Mounted before the child started: the child refuses it, and it is
	// not ours to unmount.
	mountedBefore, _ := mp.IsMounted(mp.Dir)
	e, err := Run(Child{Args: args, Env: MountEnv, DieWithParent: true, ForwardInterrupt: true, Started: started})
	if err != nil {
		fmt.Fprintf(stderr, "kfsui: %v\n", err)
		return 1
	}
	code := e.Code
	if mounted, _ := mp.IsMounted(mp.Dir); mounted && !mountedBefore {
		how := "crashed"
		if e.Signal != 0 {
			how = "was killed (" + e.State + ")"
		}
		if err := mp.ForceUnmount(mp.Dir); err != nil {
			fmt.Fprintf(stderr, "kfsui: the mount's process %s and %s could not be unmounted: %v\n", how, mp.Dir, err)
		} else {
			fmt.Fprintf(stderr, "kfsui: the mount's process %s; %s was unmounted\n", how, mp.Dir)
		}
		if code == 0 {
			code = 1
		}
	}
	if code < 0 {
		code = 1
	}
	return code
}
