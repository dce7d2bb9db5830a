package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// newTopCommand is kubectl top, read from metrics-server's metrics.k8s.io
// and printed with kubectl's own printer, so its figures can be checked
// against kubectl's.
func newTopCommand(flags *genericclioptions.ConfigFlags, stdout, stderr io.Writer) *cobra.Command {
	top := &cobra.Command{
		Use:   "top pods|nodes",
		Short: "Print the CPU and memory of pods or nodes, exactly as kubectl top does",
		Example: "  kfsui top pods -n team-a\n" +
			"  kfsui top pods -A --sort-by cpu\n" +
			"  kfsui top nodes",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown resource %q for top: pods or nodes (see %s --help)", args[0], cmd.CommandPath())}
			}
			return usageError{fmt.Errorf("top takes pods or nodes (see %s --help)", cmd.CommandPath())}
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	var o model.TopOptions
	pods := &cobra.Command{
		Use:     "pods [NAME | -l SELECTOR]",
		Aliases: []string{"pod", "po"},
		Short:   "Print the CPU and memory of pods, as kubectl top pod",
		Args:    maxArgs(1, "at most 1 pod name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Name = args[0]
			}
			return withTopConn(cmd.Context(), flags, func(ctx context.Context, conn *k8s.Conn) error {
				o.Namespace = conn.Info.Namespace
				return model.TopPods(ctx, conn, stdout, stderr, o)
			})
		},
	}
	pods.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "the pods of every namespace")
	pods.Flags().StringVar(&o.FieldSelector, "field-selector", "", "field selector (e.g. metadata.name=web-0)")
	pods.Flags().BoolVar(&o.Containers, "containers", false, "a line per container")
	pods.Flags().BoolVar(&o.Sum, "sum", false, "a line with the totals")
	nodes := &cobra.Command{
		Use:     "nodes [NAME | -l SELECTOR]",
		Aliases: []string{"node", "no"},
		Short:   "Print the CPU and memory of nodes against their allocatable, as kubectl top node",
		Args:    maxArgs(1, "at most 1 node name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Name = args[0]
			}
			return withTopConn(cmd.Context(), flags, func(ctx context.Context, conn *k8s.Conn) error {
				return model.TopNodes(ctx, conn, stdout, o)
			})
		},
	}
	for _, c := range []*cobra.Command{pods, nodes} {
		c.Flags().StringVarP(&o.LabelSelector, "selector", "l", "", "label selector (e.g. app=web)")
		c.Flags().StringVar(&o.SortBy, "sort-by", "", "cpu or memory (default: by name)")
		c.Flags().BoolVar(&o.NoHeaders, "no-headers", false, "no header line")
		c.Flags().BoolVar(&o.ShowSwap, "show-swap", false, "swap columns too")
		top.AddCommand(c)
	}
	return top
}

// withTopConn runs fn with the starting context's connection.
func withTopConn(parent context.Context, flags *genericclioptions.ConfigFlags, fn func(context.Context, *k8s.Conn) error) error {
	return withContexts(parent, flags, headlessTimeout, func(ctx context.Context, cs *k8s.Contexts) error {
		conn, err := cs.Conn(ctx, "")
		if err != nil {
			return err
		}
		return fn(ctx, conn)
	})
}

// maxArgs checks that a verb got at most n arguments.
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usageError{fmt.Errorf("%s takes %s, got %d (see %s --help)", cmd.Name(), what, len(args), cmd.CommandPath())}
		}
		return nil
	}
}
