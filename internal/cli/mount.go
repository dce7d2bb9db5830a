package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/internal/mount"
	"github.com/kfsui/kfsui/internal/supervise"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// mountFlags are kfsui mount's own flags.
type mountFlags struct {
	reveal      bool
	tail        int64
	maxInFlight int
	idle        time.Duration
}

func newMountCommand(flags *genericclioptions.ConfigFlags, beside *[]string, args []string, env Env) *cobra.Command {
	var s mountFlags
	cmd := &cobra.Command{
		Use:   "mount DIR",
		Short: "Mount the tree read-only on an empty directory (FUSE), until Ctrl-C or fusermount3 -u DIR",
		Long: "kfsui mount serves the tree as a read-only filesystem, so that cat, grep -r, find, diff,\n" +
			"tar and tail -f work on every leaf. Directories follow the cluster through the same\n" +
			"watches as the UI; a leaf is fetched with a GET when it is opened; an open .log grows\n" +
			"as the container writes. With --context given more than once, each context is a\n" +
			"directory of DIR. It runs in the foreground; Ctrl-C, SIGTERM or SIGHUP unmount.",
		Example: "  mkdir -p ~/k && kfsui mount ~/k\n" +
			"  grep -rl 'image: nginx' ~/k/namespaces/team-a/deployments\n" +
			"  tail -f ~/k/namespaces/team-a/pods/web-0/logs/nginx.log\n" +
			"  kfsui mount --context dev --context prod ~/k   # ~/k/dev, ~/k/prod",
		Args: exactArgs(1, "one directory"),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if s.tail <= 0 || s.maxInFlight <= 0 || s.idle < 0 {
				return usageError{errors.New("--tail and --max-in-flight must be positive, --idle-timeout not negative")}
			}
			if env.Supervise && !supervise.IsChild(supervise.MountEnv) {
				mp := supervise.MountPoint{Dir: dirs[0], IsMounted: mount.IsMounted, ForceUnmount: mount.ForceUnmount}
				return exitWith(supervise.Mount(args, mp, cmd.ErrOrStderr(), debug.FreeOSMemory))
			}
			return serveMount(cmd.Context(), flags, *beside, s, dirs[0], cmd.ErrOrStderr())
		},
	}
	cmd.Flags().BoolVar(&s.reveal, "reveal-secrets", false, "show Secrets' values (base64-decoded) instead of [hidden: N bytes]")
	cmd.Flags().Int64Var(&s.tail, "tail", 1000, "lines a .log starts with (the last N)")
	cmd.Flags().IntVar(&s.maxInFlight, "max-in-flight", 8, "leaf reads (GETs) sent at once at most, whatever the readers do")
	cmd.Flags().DurationVar(&s.idle, "idle-timeout", defaultIdleTimeout, "stop the watch and cache of a directory not listed for this long (0: keep all)")
	return cmd
}

// serveMount mounts and serves until unmounted: by a signal here, or by
// fusermount3 -u from outside.
func serveMount(parent context.Context, flags *genericclioptions.ConfigFlags, beside []string, s mountFlags, dir string, stderr io.Writer) error {
	// The mount point first: a wrong one is the error, not a slow server.
	if err := mount.CheckFUSE(); err != nil {
		return err
	}
	if err := mount.CheckMountPoint(dir); err != nil {
		return err
	}
	return withContexts(parent, flags, 0, func(ctx context.Context, cs *k8s.Contexts) error {
		names := append([]string{cs.Start()}, beside...)
		trees, err := mountTrees(ctx, cs, names, s)
		if err != nil {
			return err
		}
		// Caught before the mount serves: a signal the moment it does
		// (a script's ls then kill) must unmount, not kill kfsui with the
		// mount left to its supervisor.
		sigs := make(chan os.Signal, 4)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
		srv, err := mount.Mount(dir, trees, mount.Options{
			MaxInFlight: s.maxInFlight, Errors: stderr, FsName: "kfsui:" + strings.Join(names, ","),
		})
		if err != nil {
			return err
		}
		where := dir
		if abs, err := filepath.Abs(dir); err == nil {
			where = abs
		}
		fmt.Fprintf(stderr, "kfsui: mounted %s at %s (read-only); Ctrl-C or `%s -u %s` unmounts\n",
			describeTrees(trees), where, mount.Fusermount, where)
		supervise.CrashTest("while mounted")
		serve(parent, srv, sigs, stderr)
		fmt.Fprintf(stderr, "kfsui: unmounted %s\n", where)
		return nil
	})
}

// mountTrees connects to each context of names and makes its tree.
func mountTrees(parent context.Context, cs *k8s.Contexts, names []string, s mountFlags) ([]mount.Tree, error) {
	conns, err := connectEach(parent, cs, names)
	if err != nil {
		return nil, err
	}
	trees := make([]mount.Tree, len(names))
	seen := map[string]string{}
	for i, conn := range conns {
		name := names[i]
		fs := model.NewFSFor(conn, model.Options{LogTailLines: s.tail})
		fs.SetRevealSecrets(s.reveal)
		conn.Lists().SetIdleTimeout(s.idle)
		trees[i] = mount.Tree{Name: contextDir(conn.Info.Context), FS: fs, Logs: conn}
		if other, ok := seen[trees[i].Name]; ok {
			return nil, fmt.Errorf("contexts %q and %q would both be the directory %s", other, name, trees[i].Name)
		}
		seen[trees[i].Name] = name
	}
	return trees, nil
}

// serve waits until the mount is unmounted from outside (fusermount3 -u),
// or unmounts it at a signal on sigs or when ctx ends.
func serve(ctx context.Context, srv *mount.Server, sigs <-chan os.Signal, stderr io.Writer) {
	served := make(chan struct{})
	go func() {
		srv.Wait()
		close(served)
	}()
	select {
	case <-served: // unmounted from outside: fusermount3 -u
	case <-sigs:
		stopServing(srv, served, stderr)
	case <-ctx.Done():
		stopServing(srv, served, stderr)
	}
}

// detachGrace is how long kfsui keeps serving a mount it detached lazily
// (one in use, a shell's working directory in it) before it exits anyway:
// the name is gone from the directory tree already, and the processes
// still inside get errors once kfsui is gone.
const detachGrace = time.Second

// stopServing unmounts and returns once the mount stopped serving, or,
// if it was busy and so only detached, after detachGrace.
func stopServing(srv *mount.Server, served <-chan struct{}, stderr io.Writer) {
	if err := srv.Unmount(); err != nil {
		fmt.Fprintf(stderr, "kfsui: %s\n", model.OneLine(err))
	}
	select {
	case <-served:
	case <-time.After(detachGrace):
	}
}

// contextDir is the directory a context's tree is under when several
// are mounted: its name, with each "/" (an EKS ARN has one) made "_", as a
// file name cannot hold it.
func contextDir(name string) string {
	name = strings.ReplaceAll(name, "/", "_")
	if name == "" || name == "." || name == ".." {
		return "_" + name
	}
	return name
}

// describeTrees names what is mounted: a context, or several.
func describeTrees(trees []mount.Tree) string {
	if len(trees) == 1 {
		return "context " + trees[0].Name
	}
	names := make([]string, len(trees))
	for i, t := range trees {
		names[i] = t.Name
	}
	return "contexts " + strings.Join(names, ", ") + " (one directory each)"
}
