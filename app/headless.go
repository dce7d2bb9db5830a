package app

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/model"
)

// The headless commands print what the tree and the viewer show, through the
// same model and k8s code, for scripts: `kfsui ls PATH | grep`, `kfsui cat
// PATH | diff`.

func newLsCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "ls PATH",
		Short: "Print a directory's entries, one per line (directories end with /)",
		Example: "  kfsui ls /namespaces\n" +
			"  kfsui ls /namespaces/team-a/deployments\n" +
			"  kfsui ls /cluster/nodes/node-1",
		Args: argsError(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return headless(cmd.Context(), flags, args[0], func(ctx context.Context, fs *model.FS, p model.Path) error {
				return ls(ctx, fs, p, stdout, cmd.ErrOrStderr())
			})
		},
	}
}

func newCatCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var reveal bool
	cmd := &cobra.Command{
		Use:   "cat PATH",
		Short: "Print a leaf exactly as the viewer shows it, without colors",
		Example: "  kfsui cat /namespaces/team-a/deployments/web/manifest.yaml\n" +
			"  kfsui cat /cluster/nodes/node-1/events.txt",
		Args: argsError(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return headless(cmd.Context(), flags, args[0], func(ctx context.Context, fs *model.FS, p model.Path) error {
				fs.SetRevealSecrets(reveal)
				leaf, err := fs.Read(ctx, p)
				if err != nil {
					return err
				}
				_, err = io.WriteString(stdout, leaf.Text)
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "print Secrets' values (base64-decoded) instead of [hidden: N bytes]")
	return cmd
}

// headless parses the path before connecting, so a malformed path fails
// without touching the network, then runs fn with a bounded context.
func headless(parent context.Context, flags *genericclioptions.ConfigFlags, arg string, fn func(context.Context, *model.FS, model.Path) error) error {
	p, err := model.Parse(arg)
	if err != nil {
		return err
	}
	ctx, cancel := headlessContext(parent)
	defer cancel()
	conn, fs, err := Connect(ctx, flags)
	if err != nil {
		return err
	}
	defer conn.Close()
	return fn(ctx, fs, p)
}

// ls prints directory p's entries, or a leaf's own name as ls(1) does. A
// listing that is incomplete but not empty (a failed aggregated API, a
// namespace list replaced by the configured namespace) is printed with a
// warning on stderr; one with nothing to show is an error.
func ls(ctx context.Context, fs *model.FS, p model.Path, w, stderr io.Writer) error {
	dirPath := p
	if !p.IsDir() {
		dirPath = p.Parent()
	}
	if err := fs.Sync(ctx, dirPath); err != nil {
		return err
	}
	dir, err := fs.ReadDir(ctx, dirPath)
	if err != nil {
		return err
	}
	if dir.Err != nil {
		if len(dir.Entries) == 0 {
			return fmt.Errorf("%s: %w", dirPath, dir.Err)
		}
		fmt.Fprintf(stderr, "kfsui: warning: %s: %s\n", dirPath, oneLine(dir.Err))
	}
	out := bufio.NewWriter(w)
	for _, e := range dir.Entries {
		switch {
		case !p.IsDir() && e.Path != p:
			continue
		case e.Dir:
			fmt.Fprintln(out, e.Name+"/")
		default:
			fmt.Fprintln(out, e.Name)
		}
		if !p.IsDir() {
			return out.Flush()
		}
	}
	if !p.IsDir() {
		return fmt.Errorf("%w: %s", model.ErrNoSuchPath, p)
	}
	return out.Flush()
}
