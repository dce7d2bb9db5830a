package cli

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

	"github.com/kfsui/kfsui/model"
)

// lsFlags are ls's flags.
type lsFlags struct {
	long, wide bool
	sort       string
	// label and field narrow a type directory on the server.
	label, field string
}

func newLsCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var f lsFlags
	cmd := &cobra.Command{
		Use:   "ls [-l [--wide] [--sort COLUMN]] PATH",
		Short: "Print a directory's entries, one per line (directories end with /); -l as kubectl get prints them",
		Example: "  kfsui ls /namespaces\n" +
			"  kfsui ls /namespaces/team-a/deployments\n" +
			"  kfsui ls -l --sort restarts /namespaces/team-a/pods\n" +
			"  kfsui ls -l --wide --sort=-age /cluster/nodes\n" +
			"  kfsui ls -l --selector app=web --field-selector status.phase=Running /all/pods",
		Args: exactArgs(1, "1 path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !f.long && (f.wide || f.sort != "") {
				return usageError{errors.New("--wide and --sort go with -l")}
			}
			sel, err := model.ParseSelector(f.label, f.field)
			if err != nil {
				return usageError{err}
			}
			return atPath(cmd.Context(), flags, args[0], func(ctx context.Context, fs *model.FS, p model.Path) error {
				if !sel.IsZero() {
					if !p.HasType() || p.Kind != model.KindTypeDir {
						return usageError{fmt.Errorf("--selector and --field-selector narrow a type directory, not %s", p)}
					}
					fs.SetSelector(p, sel)
				}
				if f.long && p.IsDir() {
					return lsLong(ctx, fs, p, f, stdout, cmd.ErrOrStderr())
				}
				return ls(ctx, fs, p, stdout, cmd.ErrOrStderr())
			})
		},
	}
	cmd.Flags().BoolVarP(&f.long, "long", "l", false, "print a type directory's objects with the columns kubectl get prints; other directories with what they hold")
	cmd.Flags().BoolVar(&f.wide, "wide", false, "with -l: add the wide columns, as kubectl get -o wide")
	cmd.Flags().StringVar(&f.sort, "sort", "", "with -l: sort by this column (its header, any case; a leading - sorts descending)")
	cmd.Flags().StringVar(&f.label, "selector", "", "a type directory's objects whose labels match, asked of the server (kubectl get -l)")
	cmd.Flags().StringVar(&f.field, "field-selector", "", "a type directory's objects whose fields match, asked of the server (e.g. status.phase!=Running)")
	return cmd
}

// ls prints directory p's entries, or a leaf's own name as ls(1) does.
func ls(ctx context.Context, fs *model.FS, p model.Path, w, stderr io.Writer) error {
	dirPath := p
	if !p.IsDir() {
		dirPath = p.Parent()
	}
	dir, err := readListing(ctx, fs, dirPath, stderr)
	if err != nil {
		return err
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

// lsLong prints directory p as the tree shows it, without colors: a type
// directory as kubectl get prints it, a namespace or /cluster as its
// types with how many objects each holds, any other directory as ls
// does.
func lsLong(ctx context.Context, fs *model.FS, p model.Path, f lsFlags, w, stderr io.Writer) error {
	switch p.Kind {
	case model.KindTypeDir, model.KindNamespace, model.KindClusterDir:
	default:
		if f.sort != "" {
			return usageError{fmt.Errorf("--sort: %s has no columns", p)}
		}
		return ls(ctx, fs, p, w, stderr)
	}
	// A Helm directory's CHART column fills in after its names: print
	// it whole. A listing that fails says so in readListing.
	_ = fs.WaitCells(ctx, p)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	dir, err := readListing(ctx, fs, p, stderr)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(w)
	if p.Kind != model.KindTypeDir {
		if f.sort != "" {
			return usageError{fmt.Errorf("--sort: %s lists types, not objects", p)}
		}
		counts, err := fs.CountTypes(ctx, dir)
		if err != nil {
			fmt.Fprintf(stderr, "kfsui: warning: not every type could be counted: %s\n", model.OneLine(err))
		}
		if err := model.WriteCounts(out, dir, counts); err != nil {
			return err
		}
		return out.Flush()
	}
	if f.sort != "" {
		name, reverse := strings.CutPrefix(f.sort, "-")
		col, err := model.ColumnIndex(dir.Columns, name)
		if err != nil {
			return usageError{fmt.Errorf("--sort: %w", err)}
		}
		model.SortEntries(&dir, col, reverse)
	}
	if len(dir.Entries) == 0 {
		// As kubectl says it, on stderr.
		if p.Cluster || p.All {
			fmt.Fprintln(stderr, "No resources found")
		} else {
			fmt.Fprintf(stderr, "No resources found in %s namespace.\n", p.Namespace)
		}
	}
	if err := model.WriteTable(out, dir, f.wide, time.Now()); err != nil {
		return err
	}
	return out.Flush()
}
