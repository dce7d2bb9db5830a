package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// grepSettings are kfsui grep's flags, named as grep's.
type grepSettings struct {
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
	var s grepSettings
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
			return exitCode(runGrep(cmdContext(cmd), flags, s, args[0], args[1:], stdout, stderr))
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&s.ignoreCase, "ignore-case", "i", false, "ignore case in the pattern and the text")
	f.BoolVarP(&s.filesOnly, "files-with-matches", "l", false, "print only the paths of leaves with a selected line")
	f.BoolVarP(&s.count, "count", "c", false, "print each leaf's count of selected lines")
	f.BoolVarP(&s.invert, "invert-match", "v", false, "select the lines that do not match")
	f.BoolVarP(&s.fixed, "fixed-strings", "F", false, "PATTERN is a string, not a regular expression")
	f.BoolVarP(&s.extended, "extended-regexp", "E", false, "PATTERN is an extended regular expression (always the case; for grep's habits)")
	f.BoolVarP(&s.quiet, "quiet", "q", false, "print nothing; exit 0 at the first selected line")
	f.StringSliceVar(&s.in, "in", nil, "leaf names to search, repeatable or comma-separated (default manifest.yaml): "+grepLeafNames)
	f.BoolVar(&s.reveal, "reveal-secrets", false, "search Secrets' values (base64-decoded) instead of [hidden: N bytes]")
	return cmd
}

// runGrep searches and returns grep's exit status; trouble is said on
// stderr as it comes, and the search goes on with the next scope.
func runGrep(parent context.Context, flags *genericclioptions.ConfigFlags, s grepSettings, pattern string, paths []string, stdout, stderr io.Writer) int {
	trouble := func(err error) { fmt.Fprintf(stderr, "kfsui: %s\n", oneLine(err)) }
	if os.Getenv("GOMEMLIMIT") == "" {
		// A search is pages of full objects decoded and rendered on
		// every core: garbage in bursts, a small live heap. A soft
		// limit has the collector keep up, so a search over 30,000
		// pods stays near the size of one over a hundred.
		debug.SetMemoryLimit(80 << 20)
	}
	match, err := grepMatcher(pattern, s)
	if err != nil {
		trouble(err)
		return grepTrouble
	}
	for _, leaf := range s.in {
		if !strings.Contains(grepLeafNames, leaf) || strings.Contains(leaf, ",") || strings.TrimSpace(leaf) == "" {
			trouble(fmt.Errorf("--in %q: not a leaf of objects (%s)", leaf, grepLeafNames))
			return grepTrouble
		}
	}
	cs, err := loadContexts(flags)
	if err != nil {
		trouble(err)
		return grepTrouble
	}
	defer cs.Close()
	// Every path is split before anything is asked of the cluster: a
	// malformed one fails at once.
	context, rests := "", make([]string, len(paths))
	for i, arg := range paths {
		ctxName, rest, err := model.SplitRef(arg, cs.Names())
		if err != nil {
			trouble(err)
			return grepTrouble
		}
		if i > 0 && ctxName != context {
			trouble(errors.New("grep's paths must all be in one context"))
			return grepTrouble
		}
		context, rests[i] = ctxName, rest
	}
	ctx, cancel := headlessContext(parent)
	defer cancel()
	fs, err := openFS(ctx, cs, context)
	if err != nil {
		trouble(err)
		return grepTrouble
	}
	fs.SetRevealSecrets(s.reveal)

	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	clean := func(s string) string { return s }
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// A line from the cluster must not drive the terminal.
		clean = views.TerminalSafe
	}
	prefix := ""
	if context != "" {
		prefix = context + ":"
	}
	// As grep, a single leaf named alone is printed without its name.
	withName := len(rests) > 1 || !singleLeaf(rests[0])
	selected, failed := false, false
	errQuiet := errors.New("a line selected")
	for _, rest := range rests {
		scopes, err := fs.ExpandGrep(ctx, rest)
		if err != nil {
			trouble(err)
			failed = true
			continue
		}
		for _, scope := range scopes {
			err := fs.GrepLeaves(ctx, scope, s.in, func(leaf model.Leaf) error {
				n := 0
				name := prefix + leaf.Path.String()
				for line := range strings.Lines(leaf.Text) {
					line = strings.TrimSuffix(line, "\n")
					if match(line) == s.invert {
						continue
					}
					n++
					selected = true
					switch {
					case s.quiet:
						return errQuiet
					case s.filesOnly:
						fmt.Fprintln(out, clean(name))
						return nil
					case s.count:
					case withName:
						fmt.Fprintf(out, "%s:%s\n", clean(name), clean(line))
					default:
						fmt.Fprintln(out, clean(line))
					}
				}
				if s.count && !s.quiet {
					if withName {
						fmt.Fprintf(out, "%s:%d\n", clean(name), n)
					} else {
						fmt.Fprintln(out, n)
					}
				}
				return nil
			})
			if errors.Is(err, errQuiet) {
				return grepMatched
			}
			if err != nil {
				out.Flush()
				trouble(err)
				failed = true
			}
		}
	}
	switch {
	case failed:
		return grepTrouble
	case selected:
		return grepMatched
	}
	return grepNoMatch
}

// grepMatcher compiles grep's pattern as its flags say.
func grepMatcher(pattern string, s grepSettings) (func(string) bool, error) {
	if s.fixed {
		pattern = regexp.QuoteMeta(pattern)
	}
	if s.ignoreCase {
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
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
