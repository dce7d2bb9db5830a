package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Version is kfsui's version, set at build time with
// -ldflags "-X github.com/kfsui/kfsui/internal/cli.Version=v1.2.3". When
// unset, the module version from the build info is used (go install sets
// it).
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// userAgent is how kfsui names itself to the API server.
func userAgent() string { return "kfsui/" + version() }

// newRootCommand is kfsui: the terminal UI, with the headless verbs as its
// subcommands. args are Main's, for a supervised child to run again.
func newRootCommand(name string, args []string, env Env) *cobra.Command {
	flags := genericclioptions.NewConfigFlags(true)
	var f uiFlags
	root := &cobra.Command{
		Use:   name + " [flags]",
		Short: "A read-only terminal browser for Kubernetes",
		Long: "kfsui shows one cluster as a tree of paths:\n\n" +
			"  /namespaces/<ns>/<type>/<name>/{manifest.yaml,manifest.json,status.yaml,events.txt}\n" +
			"  /namespaces/<ns>/pods/<name>/logs/<container>.log\n" +
			"  /cluster/<type>/<name>/{manifest.yaml,manifest.json,status.yaml,events.txt}\n\n" +
			"It only ever reads: every request it sends is a GET.",
		Version: version(),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q (see %s --help)", args[0], cmd.CommandPath())}
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		PreRunE:       func(cmd *cobra.Command, _ []string) error { return f.applyConfig(cmd) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUI(cmd.Context(), flags, f, args, env)
		},
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	flags.AddFlags(root.PersistentFlags())
	// --context may be repeated: the first is the starting context, as
	// kubectl's; the others show beside it, each a root of the tree.
	ctxFlag := root.PersistentFlags().Lookup("context")
	ctxFlag.Value = &contextsFlag{first: flags.Context, more: &f.beside}
	ctxFlag.Usage = "the kubeconfig context to use; repeat it to show several side by side (kfsui --context dev --context prod)"
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd != root && cmd.Name() != "mount" && cmd.Name() != "web" && len(f.beside) > 0 {
			return usageError{fmt.Errorf("%s takes one --context; name paths in other contexts as CONTEXT:/PATH", cmd.Name())}
		}
		return nil
	}
	f.register(root)
	root.AddCommand(newLsCommand(flags, env.Stdout), newCatCommand(flags, env.Stdout), newTailCommand(flags, env.Stdout),
		newDiffCommand(flags, env.Stdout), newMountCommand(flags, &f.beside, args, env), newGrepCommand(flags, env.Stdout, env.Stderr),
		newTopCommand(flags, env.Stdout, env.Stderr), newWebCommand(flags, &f.beside))
	return root
}

// exactArgs checks that a verb got n arguments; what names them as usage
// says it ("1 path", "2 paths", "one directory").
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes exactly %s, got %d (see %s --help)", cmd.Name(), what, len(args), cmd.CommandPath())}
		}
		return nil
	}
}
