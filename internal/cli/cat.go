package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/model"
)

func newCatCommand(flags *genericclioptions.ConfigFlags, stdout io.Writer) *cobra.Command {
	var reveal bool
	cmd := &cobra.Command{
		Use:   "cat PATH",
		Short: "Print a leaf exactly as the viewer shows it, without colors",
		Example: "  kfsui cat /namespaces/team-a/deployments/web/manifest.yaml\n" +
			"  kfsui cat /cluster/nodes/node-1/events.txt",
		Args: exactArgs(1, "1 path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return atPath(cmd.Context(), flags, args[0], func(ctx context.Context, fs *model.FS, p model.Path) error {
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
