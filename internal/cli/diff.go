package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// diffTrouble makes an error exit with 2, diff(1)'s code for trouble: 1
// means the leaves differ.
type diffTrouble struct{ error }

func (d diffTrouble) Unwrap() error { return d.error }

func newDiffCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var reveal, raw bool
	cmd := &cobra.Command{
		Use:   "diff [--raw] [--reveal-secrets] A B",
		Short: "Print the unified diff of two leaves, in any contexts; exit 0 when equal, 1 when they differ, 2 on trouble, like diff(1)",
		Long: "Print the unified diff of two leaves, in any contexts. Two objects' manifest.yaml are compared as\n" +
			"their manifest.neat.yaml (no status, no server-set metadata, no defaults: what people changed);\n" +
			"--raw compares them as stored. Exit 0 when equal, 1 when they differ, 2 on trouble, like diff(1).",
		Example: "  kfsui diff dev:/namespaces/pay/deployments/api/manifest.yaml prod:/namespaces/pay/deployments/api/manifest.yaml\n" +
			"  kfsui diff /namespaces/a/configmaps/app/manifest.yaml /namespaces/b/configmaps/app/manifest.yaml",
		Args: exactArgs(2, "2 paths"),
		RunE: func(cmd *cobra.Command, args []string) error {
			names, texts, err := readTwo(cmd.Context(), flags, args[0], args[1], reveal, raw)
			if err != nil {
				return diffTrouble{err}
			}
			d := model.UnifiedDiff(names[0], texts[0], names[1], texts[1])
			if d == "" {
				return nil
			}
			if _, err := io.WriteString(stdout, d); err != nil {
				return diffTrouble{err}
			}
			return silentExit(1) // they differ: diff(1) says no more
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal-secrets", false, "compare Secrets' values (base64-decoded) instead of [hidden: N bytes]")
	cmd.Flags().BoolVar(&raw, "raw", false, "compare two objects' manifest.yaml as stored, not their manifest.neat.yaml")
	return cmd
}

// readTwo reads leaves a and b, which may name contexts, side by side: one
// connection per context. Two objects' manifest.yaml are read as their
// manifest.neat.yaml unless raw (model.Compared); names are the leaves
// read, as CONTEXT:/path when a context is named.
func readTwo(parent context.Context, flags *genericclioptions.ConfigFlags, a, b string, reveal, raw bool) (names, texts [2]string, err error) {
	err = withContexts(parent, flags, headlessTimeout, func(ctx context.Context, cs *k8s.Contexts) error {
		var refs [2]model.Ref
		for i, arg := range []string{a, b} {
			if refs[i], err = model.ParseRef(arg, cs.Names()); err != nil {
				return err
			}
			if refs[i].Path.IsDir() || refs[i].Path.Kind == model.KindLog {
				return fmt.Errorf("%s: diff compares leaves such as manifest.yaml, not directories or logs", arg)
			}
		}
		sa, sb := model.Compared(model.DiffSide{Path: refs[0].Path, Name: refs[0].String()},
			model.DiffSide{Path: refs[1].Path, Name: refs[1].String()}, raw)
		refs[0].Path, refs[1].Path = sa.Path, sb.Path
		names = [2]string{sa.Name, sb.Name}
		g, ctx := errgroup.WithContext(ctx)
		for i := range refs {
			g.Go(func() error {
				text, err := readLeaf(ctx, cs, refs[i], reveal)
				texts[i] = text
				return err
			})
		}
		return g.Wait()
	})
	return names, texts, err
}

// readLeaf reads leaf r in its context.
func readLeaf(ctx context.Context, cs *k8s.Contexts, r model.Ref, reveal bool) (string, error) {
	fs, err := openFS(ctx, cs, r.Context)
	if err != nil {
		return "", err
	}
	fs.SetRevealSecrets(reveal)
	leaf, err := fs.Read(ctx, r.Path)
	if err != nil {
		return "", err
	}
	return leaf.Text, nil
}
