package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// The headless commands print what the tree and the viewer show, through the
// same model and k8s code, for scripts: `kfsui ls PATH | grep`, `kfsui cat
// PATH | diff`.

func newLsCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var o longOptions
	cmd := &cobra.Command{
		Use:   "ls [-l [--wide] [--sort COLUMN]] PATH",
		Short: "Print a directory's entries, one per line (directories end with /); -l as kubectl get prints them",
		Example: "  kfsui ls /namespaces\n" +
			"  kfsui ls /namespaces/team-a/deployments\n" +
			"  kfsui ls -l --sort restarts /namespaces/team-a/pods\n" +
			"  kfsui ls -l --wide --sort=-age /cluster/nodes",
		Args: argsError(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !o.long && (o.wide || o.sort != "") {
				return usageError{errors.New("--wide and --sort go with -l")}
			}
			return headless(cmd.Context(), flags, args[0], func(ctx context.Context, fs *model.FS, p model.Path) error {
				if o.long && p.IsDir() {
					return lsLong(ctx, fs, p, o, stdout, cmd.ErrOrStderr())
				}
				return ls(ctx, fs, p, stdout, cmd.ErrOrStderr())
			})
		},
	}
	cmd.Flags().BoolVarP(&o.long, "long", "l", false, "print a type directory's objects with the columns kubectl get prints; other directories with what they hold")
	cmd.Flags().BoolVar(&o.wide, "wide", false, "with -l: add the wide columns, as kubectl get -o wide")
	cmd.Flags().StringVar(&o.sort, "sort", "", "with -l: sort by this column (its header, any case; a leading - sorts descending)")
	return cmd
}

// longOptions are ls's -l flags.
type longOptions struct {
	long, wide bool
	sort       string
}

// lsLong prints directory p as the tree shows it, without colors: a type
// directory as kubectl get prints it, a namespace or /cluster as its
// types with how many objects each holds, any other directory as ls
// does.
func lsLong(ctx context.Context, fs *model.FS, p model.Path, o longOptions, w, stderr io.Writer) error {
	switch p.Kind {
	case model.KindTypeDir, model.KindNamespace, model.KindClusterDir:
	default:
		if o.sort != "" {
			return usageError{fmt.Errorf("--sort: %s has no columns", p)}
		}
		return ls(ctx, fs, p, w, stderr)
	}
	if err := fs.Sync(ctx, p); err != nil {
		return err
	}
	dir, err := fs.ReadDir(ctx, p)
	if err != nil {
		return err
	}
	if dir.Err != nil {
		if len(dir.Entries) == 0 {
			return fmt.Errorf("%s: %w", p, dir.Err)
		}
		fmt.Fprintf(stderr, "kfsui: warning: %s: %s\n", p, oneLine(dir.Err))
	}
	out := bufio.NewWriter(w)
	if p.Kind != model.KindTypeDir {
		if o.sort != "" {
			return usageError{fmt.Errorf("--sort: %s lists types, not objects", p)}
		}
		counts, err := fs.CountTypes(ctx, dir)
		if err != nil {
			fmt.Fprintf(stderr, "kfsui: warning: not every type could be counted: %s\n", oneLine(err))
		}
		if err := model.WriteCounts(out, dir, counts); err != nil {
			return err
		}
		return out.Flush()
	}
	if o.sort != "" {
		name, reverse := strings.CutPrefix(o.sort, "-")
		col, err := model.ColumnIndex(dir.Columns, name)
		if err != nil {
			return usageError{fmt.Errorf("--sort: %w", err)}
		}
		model.SortEntries(&dir, col, reverse)
	}
	if len(dir.Entries) == 0 {
		// As kubectl says it, on stderr.
		if p.Cluster {
			fmt.Fprintln(stderr, "No resources found")
		} else {
			fmt.Fprintf(stderr, "No resources found in %s namespace.\n", p.Namespace)
		}
	}
	if err := model.WriteTable(out, dir, o.wide, time.Now()); err != nil {
		return err
	}
	return out.Flush()
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

// headless parses the path (which may name a context, CONTEXT:/PATH)
// before connecting, so a malformed path fails without touching the
// network, then runs fn on its context's model with a bounded context.
func headless(parent context.Context, flags *genericclioptions.ConfigFlags, arg string, fn func(context.Context, *model.FS, model.Path) error) error {
	cs, err := loadContexts(flags)
	if err != nil {
		return err
	}
	defer cs.Close()
	ref, err := model.ParseRef(arg, cs.Names())
	if err != nil {
		return err
	}
	ctx, cancel := headlessContext(parent)
	defer cancel()
	fs, err := openFS(ctx, cs, ref.Context)
	if err != nil {
		return err
	}
	return fn(ctx, fs, ref.Path)
}

// loadContexts reads the kubeconfig's contexts, for headless commands.
func loadContexts(flags *genericclioptions.ConfigFlags) (*k8s.Contexts, error) {
	return k8s.LoadContexts(flags, k8s.Options{UserAgent: "kfsui/" + version()})
}

// openFS connects to context name ("" for the starting one) and returns
// its model. The connection closes with cs.
func openFS(ctx context.Context, cs *k8s.Contexts, name string) (*model.FS, error) {
	conn, err := cs.Conn(ctx, name)
	if err != nil {
		return nil, err
	}
	return newFS(conn), nil
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
