package app

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

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

type tailSettings struct {
	follow     bool
	tail       int64
	previous   bool
	timestamps bool
}

func newTailCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var s tailSettings
	cmd := &cobra.Command{
		Use:   "tail [-f] [--tail N] [--previous] [--timestamps] PATH",
		Short: "Print a container's log, like kubectl logs; -f follows it",
		Example: "  kfsui tail -f /namespaces/team-a/pods/web-0/logs/web.log\n" +
			"  kfsui tail --previous --tail 50 /namespaces/team-a/pods/web-0/logs/web.log",
		Args: argsError(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, err := loadContexts(flags)
			if err != nil {
				return err
			}
			defer cs.Close()
			ref, err := model.ParseRef(args[0], cs.Names())
			if err != nil {
				return err
			}
			p := ref.Path
			if p.Kind != model.KindLog {
				return fmt.Errorf("%w: %s is not a .log path", model.ErrNoSuchPath, p)
			}
			if s.tail == 0 || s.tail < -1 {
				return usageError{fmt.Errorf("--tail takes a positive number of lines")}
			}
			ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()
			conn, err := cs.Conn(ctx, ref.Context)
			if err != nil {
				return err
			}
			fs := newFS(conn)
			// The same checks as the tree: the type, the pod, the container.
			logs, err := fs.ReadDir(ctx, p.Parent())
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(logs.Entries, func(e model.Entry) bool { return e.Path == p }) {
				return fmt.Errorf("%w: %s: pod %q has no container %q", model.ErrNoSuchPath, p, p.Name, p.Container)
			}
			return tail(ctx, conn, k8s.LogTarget{Namespace: p.Namespace, Pod: p.Name, Container: p.Container}, s, stdout, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().BoolVarP(&s.follow, "follow", "f", false, "keep printing new lines until Ctrl-C or the pod goes away")
	cmd.Flags().Int64Var(&s.tail, "tail", -1, "print only the last N lines (default: the whole log)")
	cmd.Flags().BoolVarP(&s.previous, "previous", "p", false, "the previous (terminated) instance of the container")
	cmd.Flags().BoolVar(&s.timestamps, "timestamps", false, "start each line with its timestamp")
	return cmd
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// tail prints one container's log through the same Follower as a log pane:
// with -f it resumes after dropped connections and ends when the pod is
// deleted; Ctrl-C ends it cleanly.
func tail(ctx context.Context, conn *k8s.Conn, target k8s.LogTarget, s tailSettings, stdout, stderr io.Writer) error {
	out := bufio.NewWriter(stdout)
	// On a terminal a log line must not be able to write the clipboard,
	// retitle the window or move the cursor; into a pipe or a file it goes
	// byte for byte, as kubectl logs writes it.
	clean := func(s string) string { return s }
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		clean = views.TerminalSafe
	}
	var mu sync.Mutex
	var partial *k8s.LogLine // an unfinished last line, printed only at the end
	write := func(l k8s.LogLine) {
		if s.timestamps && !l.Time.IsZero() {
			out.WriteString(l.Time.UTC().Format(timestampFormat) + " ")
		}
		out.WriteString(clean(l.Text))
	}
	var failed error
	opts := k8s.FollowOptions{Follow: s.follow, Previous: s.previous}
	if s.tail > 0 {
		opts.TailLines = s.tail
	}
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
			if s.follow {
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
