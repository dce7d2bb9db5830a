package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// grepFlags are kfsui grep's flags, named as grep's.
type grepFlags struct {
	ignoreCase, filesOnly, count, invert, fixed, extended, quiet bool
	in                                                           []string
	reveal                                                       bool
}

// Exit codes of kfsui grep, as grep's.
const (
	grepMatched   = 0
	grepNoMatch   = 1
	grepTrouble   = 2
	grepLeafNames = "manifest.yaml, manifest.json, status.yaml, events.txt, describe.txt, tree.txt"
)

func newGrepCommand(flags *genericclioptions.ConfigFlags, stdout, stderr io.Writer) *cobra.Command {
	var f grepFlags
	cmd := &cobra.Command{
		Use:   "grep [-i] [-l] [-c] [-v] [-F] [--in LEAF]... PATTERN PATH...",
		Short: "Search the leaves under paths as grep -r would, with one paged LIST per type and namespace",
		Long: "kfsui grep prints the lines of the leaves under each PATH that match PATTERN, as\n" +
			"PATH:LINE with kfsui paths, like grep -r over a mount, but reads each type once: one\n" +
			"paged LIST of full objects per type and namespace instead of a GET per object.\n" +
			"PATTERN is a regular expression (Go's RE2 syntax, as grep -E). PATH segments may be\n" +
			"globs: /namespaces/*/deployments, /namespaces/team-*/configmaps/app-*. manifest.yaml\n" +
			"is searched unless --in names other leaves (" + grepLeafNames + ").\n" +
			"Exit status as grep's: 0 if a line was selected, 1 if none, 2 on trouble.",
		Example: "  kfsui grep 'image: nginx' '/namespaces/*/deployments'\n" +
			"  kfsui grep -l -i oomkilled --in status.yaml /namespaces/team-a/pods\n" +
			"  kfsui grep -c replicas: /namespaces/team-a\n" +
			"  kfsui grep -F 'tier: db' prod:/namespaces/*/statefulsets",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError{fmt.Errorf("grep takes a pattern and at least one path (see %s --help)", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return exitWith(runGrep(cmd.Context(), flags, f, args[0], args[1:], stdout, stderr))
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.ignoreCase, "ignore-case", "i", false, "ignore case in the pattern and the text")
	fl.BoolVarP(&f.filesOnly, "files-with-matches", "l", false, "print only the paths of leaves with a selected line")
	fl.BoolVarP(&f.count, "count", "c", false, "print each leaf's count of selected lines")
	fl.BoolVarP(&f.invert, "invert-match", "v", false, "select the lines that do not match")
	fl.BoolVarP(&f.fixed, "fixed-strings", "F", false, "PATTERN is a string, not a regular expression")
	fl.BoolVarP(&f.extended, "extended-regexp", "E", false, "PATTERN is an extended regular expression (always the case; for grep's habits)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print nothing; exit 0 at the first selected line")
	fl.StringSliceVar(&f.in, "in", nil, "leaf names to search, repeatable or comma-separated (default manifest.yaml): "+grepLeafNames)
	fl.BoolVar(&f.reveal, "reveal-secrets", false, "search Secrets' values (base64-decoded) instead of [hidden: N bytes]")
	return cmd
}

// runGrep searches and returns grep's exit status; trouble is said on
// stderr as it comes, and the search goes on with the next scope.
func runGrep(parent context.Context, flags *genericclioptions.ConfigFlags, f grepFlags, pattern string, paths []string, stdout, stderr io.Writer) int {
	trouble := func(err error) { fmt.Fprintf(stderr, "kfsui: %s\n", model.OneLine(err)) }
	if os.Getenv("GOMEMLIMIT") == "" {
		// A search is pages of full objects decoded and rendered on
		// every core: garbage in bursts, a small live heap. A soft
		// limit has the collector keep up, so a search over 30,000
		// pods stays near the size of one over a hundred.
		debug.SetMemoryLimit(80 << 20)
	}
	match, err := grepMatcher(pattern, f)
	if err != nil {
		trouble(err)
		return grepTrouble
	}
	for _, leaf := range f.in {
		if !strings.Contains(grepLeafNames, leaf) || strings.Contains(leaf, ",") || strings.TrimSpace(leaf) == "" {
			trouble(fmt.Errorf("--in %q: not a leaf of objects (%s)", leaf, grepLeafNames))
			return grepTrouble
		}
	}
	status := grepTrouble
	err = withContexts(parent, flags, headlessTimeout, func(ctx context.Context, cs *k8s.Contexts) error {
		// Every path is split before anything is asked of the cluster: a
		// malformed one fails at once.
		ctxName, rests, err := splitGrepPaths(paths, cs.Names())
		if err != nil {
			return err
		}
		fs, err := openFS(ctx, cs, ctxName)
		if err != nil {
			return err
		}
		fs.SetRevealSecrets(f.reveal)
		g := newGrepper(f, match, ctxName, stdout, trouble)
		// As grep, a single leaf named alone is printed without its name.
		g.withName = len(rests) > 1 || !singleLeaf(rests[0])
		status = g.search(ctx, fs, rests)
		return nil
	})
	if err != nil {
		trouble(err)
	}
	return status
}

// splitGrepPaths splits grep's paths into their one context and the
// paths in it.
func splitGrepPaths(paths, contexts []string) (string, []string, error) {
	ctxName, rests := "", make([]string, len(paths))
	for i, arg := range paths {
		name, rest, err := model.SplitRef(arg, contexts)
		if err != nil {
			return "", nil, err
		}
		if i > 0 && name != ctxName {
			return "", nil, errors.New("grep's paths must all be in one context")
		}
		ctxName, rests[i] = name, rest
	}
	return ctxName, rests, nil
}

// grepper prints what a search selects, as grep prints it.
type grepper struct {
	f        grepFlags
	match    func(string) bool
	prefix   string // CONTEXT: for a search in another context
	withName bool   // lines start with their leaf's path
	out      *bufio.Writer
	clean    func(string) string
	trouble  func(error)
	selected bool
}

func newGrepper(f grepFlags, match func(string) bool, ctxName string, stdout io.Writer, trouble func(error)) *grepper {
	g := &grepper{f: f, match: match, out: bufio.NewWriterSize(stdout, 64<<10), trouble: trouble, clean: cleanFor(stdout)}
	if ctxName != "" {
		g.prefix = ctxName + ":"
	}
	return g
}

// errQuiet ends a -q search at its first selected line.
var errQuiet = errors.New("a line selected")

// search searches every scope below rests and returns grep's status.
func (g *grepper) search(ctx context.Context, fs *model.FS, rests []string) int {
	defer g.out.Flush()
	failed := false
	for _, rest := range rests {
		scopes, err := fs.ExpandGrep(ctx, rest)
		if err != nil {
			g.trouble(err)
			failed = true
			continue
		}
		for _, scope := range scopes {
			err := fs.GrepLeaves(ctx, scope, g.f.in, g.leaf)
			if errors.Is(err, errQuiet) {
				return grepMatched
			}
			if err != nil {
				g.out.Flush()
				g.trouble(err)
				failed = true
			}
		}
	}
	switch {
	case failed:
		return grepTrouble
	case g.selected:
		return grepMatched
	}
	return grepNoMatch
}

// leaf prints what leaf has that the search selects.
func (g *grepper) leaf(leaf model.Leaf) error {
	n := 0
	name := g.clean(g.prefix + leaf.Path.String())
	for line := range strings.Lines(leaf.Text) {
		line = strings.TrimSuffix(line, "\n")
		if g.match(line) == g.f.invert {
			continue
		}
		n++
		g.selected = true
		switch {
		case g.f.quiet:
			return errQuiet
		case g.f.filesOnly:
			fmt.Fprintln(g.out, name)
			return nil
		case g.f.count:
		case g.withName:
			fmt.Fprintf(g.out, "%s:%s\n", name, g.clean(line))
		default:
			fmt.Fprintln(g.out, g.clean(line))
		}
	}
	if g.f.count && !g.f.quiet {
		if g.withName {
			fmt.Fprintf(g.out, "%s:%d\n", name, n)
		} else {
			fmt.Fprintln(g.out, n)
		}
	}
	return nil
}

// grepMatcher compiles grep's pattern as its flags say.
func grepMatcher(pattern string, f grepFlags) (func(string) bool, error) {
	re, err := model.CompilePattern(pattern, model.PatternOptions{Fixed: f.fixed, IgnoreCase: f.ignoreCase})
	if err != nil {
		return nil, usageError{fmt.Errorf("pattern: %w", err)}
	}
	return re.MatchString, nil
}

// singleLeaf reports whether a search path names one leaf: no glob, and
// the shape of a leaf path.
func singleLeaf(p string) bool {
	parsed, err := model.Parse(p)
	return err == nil && parsed.Kind == model.KindLeaf
}
