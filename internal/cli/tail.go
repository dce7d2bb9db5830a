package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// tailFlags are tail's flags, kubectl logs's.
type tailFlags struct {
	follow     bool
	tail       int64 // kubectl's: -1 everything, 0 nothing before now
	since      time.Duration
	sinceTime  string // RFC 3339, as given
	previous   bool
	timestamps bool
}

// followOptions checks the flags as kubectl logs does and turns them
// into the Follower's options.
func (s tailFlags) followOptions() (k8s.FollowOptions, error) {
	o := k8s.FollowOptions{Follow: s.follow, Previous: s.previous, Since: s.since}
	switch {
	case s.tail < -1:
		return o, usageError{errors.New("--tail must be -1 (the whole log), 0 (none of it) or a number of lines")}
	case s.since < 0:
		return o, usageError{errors.New("--since must be greater than 0")}
	case s.since != 0 && s.sinceTime != "":
		return o, usageError{errors.New("only one of --since and --since-time may be given")}
	case s.tail == 0:
		o.NoHistory = true
	case s.tail > 0:
		o.TailLines = s.tail
	}
	if s.sinceTime != "" {
		t, err := time.Parse(time.RFC3339Nano, s.sinceTime)
		if err != nil {
			return o, usageError{fmt.Errorf("--since-time %q is not an RFC 3339 time such as 2026-12-04T06:00:00Z", s.sinceTime)}
		}
		o.SinceTime = t
	}
	return o, nil
}

func newTailCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var s tailFlags
	cmd := &cobra.Command{
		Use:   "tail [-f] [--tail N] [--since D | --since-time T] [--previous] [--timestamps] PATH",
		Short: "Print a container's log, like kubectl logs, or every log below a logs/ directory merged by time; -f follows",
		Example: "  kfsui tail -f /namespaces/team-a/pods/web-0/logs/web.log\n" +
			"  kfsui tail --previous --tail 50 /namespaces/team-a/pods/web-0/logs/web.log\n" +
			"  kfsui tail -f --tail 0 /namespaces/team-a/pods/web-0/logs/web.log   # only lines from now on\n" +
			"  kfsui tail --since 10m /namespaces/team-a/pods/web-0/logs/web.log\n" +
			"  kfsui tail -f /namespaces/team-a/deployments/web/logs   # every pod of the Deployment, as they come and go",
		Args: exactArgs(1, "1 path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := s.followOptions()
			if err != nil {
				return err
			}
			// Ctrl-C, a kill or the terminal closing end it cleanly,
			// with what was read printed.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			return withContexts(ctx, flags, 0, func(ctx context.Context, cs *k8s.Contexts) error {
				return tailRef(ctx, cs, args[0], opts, s.timestamps, stdout, cmd.ErrOrStderr())
			})
		},
	}
	cmd.Flags().BoolVarP(&s.follow, "follow", "f", false, "keep printing new lines until Ctrl-C or the pod goes away")
	cmd.Flags().Int64Var(&s.tail, "tail", -1, "print only the last N lines; -1 the whole log, 0 none (with -f: only new lines)")
	cmd.Flags().DurationVar(&s.since, "since", 0, "only lines newer than a duration such as 30s, 5m or 2h")
	cmd.Flags().StringVar(&s.sinceTime, "since-time", "", "only lines after an RFC 3339 time such as 2026-12-04T06:00:00Z")
	cmd.Flags().BoolVarP(&s.previous, "previous", "p", false, "the previous (terminated) instance of the container")
	cmd.Flags().BoolVar(&s.timestamps, "timestamps", false, "start each line with its timestamp")
	return cmd
}

// tailRef prints the log or logs below arg, a .log leaf or a logs/
// directory, which may name a context.
func tailRef(ctx context.Context, cs *k8s.Contexts, arg string, opts k8s.FollowOptions, timestamps bool, stdout, stderr io.Writer) error {
	ref, err := model.ParseRef(arg, cs.Names())
	if err != nil {
		return err
	}
	p := ref.Path
	if p.Kind != model.KindLog && p.Kind != model.KindLogsDir && p.Kind != model.KindPodLogsDir {
		return fmt.Errorf("%w: %s is neither a .log path nor a logs/ directory", model.ErrNoSuchPath, p)
	}
	conn, err := cs.Conn(ctx, ref.Context)
	if err != nil {
		return err
	}
	fs := model.NewFSFor(conn, model.Options{})
	if p.Kind != model.KindLog {
		return tailDir(ctx, conn, fs, p, opts, timestamps, stdout, stderr)
	}
	// The same checks as the tree: the type, the pod, the container.
	logs, err := fs.ReadDir(ctx, p.Parent())
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(logs.Entries, func(e model.Entry) bool { return e.Path == p }) {
		return fmt.Errorf("%w: %s: pod %q has no container %q", model.ErrNoSuchPath, p, p.PodName(), p.Container)
	}
	return tail(ctx, conn, k8s.LogTarget{Namespace: p.Namespace, Pod: p.PodName(), Container: p.Container}, opts, timestamps, stdout, stderr)
}

// tail prints one container's log through the same Follower as a log pane:
// with -f it resumes after dropped connections and ends when the pod is
// deleted; Ctrl-C ends it cleanly.
func tail(ctx context.Context, conn *k8s.Conn, target k8s.LogTarget, opts k8s.FollowOptions, timestamps bool, stdout, stderr io.Writer) error {
	out := bufio.NewWriter(stdout)
	clean := cleanFor(stdout)
	var mu sync.Mutex
	var partial *k8s.LogLine // an unfinished last line, printed only at the end
	write := func(l k8s.LogLine) {
		if timestamps && !l.Time.IsZero() {
			out.WriteString(k8s.FormatTimestamp(l.Time) + " ")
		}
		out.WriteString(clean(l.Text))
	}
	var failed error
	f := k8s.NewFollower(conn, conn, target, opts,
		func(l k8s.LogLine) {
			mu.Lock()
			defer mu.Unlock()
			if l.Partial {
				partial = &l
				return
			}
			partial = nil
			write(l)
			out.WriteByte('\n')
			if opts.Follow {
				out.Flush()
			}
		},
		func(st k8s.FollowState, detail string) {
			mu.Lock()
			defer mu.Unlock()
			switch st {
			case k8s.StateFailed:
				failed = errors.New(detail)
			case k8s.StateEnded:
				if detail == "pod deleted" {
					out.Flush()
					fmt.Fprintf(stderr, "kfsui: %s/%s: pod deleted\n", target.Namespace, target.Pod)
				}
			}
		})
	f.Start(ctx)
	select {
	case <-f.Done():
	case <-ctx.Done():
		f.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if partial != nil {
		write(*partial)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	return failed
}
