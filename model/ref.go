package model

import (
	"fmt"
	"strings"
)

// Ref is a path in a kubeconfig context: written CONTEXT:/PATH, as scp
// writes host:path, or a bare /PATH for the current context (Context "").
// It is a value: compare with ==.
type Ref struct {
	Context string
	Path    Path
}

// String returns the ref as it is written: CONTEXT:/PATH, or /PATH when it
// names no context.
func (r Ref) String() string {
	if r.Context == "" {
		return r.Path.String()
	}
	return r.Context + ":" + r.Path.String()
}

// ParseRef parses a path that may name a context. contexts are the
// kubeconfig's context names.
//
// A path starting with / is bare: it is in the current context. Otherwise
// the context is the longest of contexts that the text starts with,
// followed by ":/", so context names holding ':' and '/' (EKS's
// arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu) split where they
// end. A context alone, "prod:", is that context's root. Text that names
// no known context is an unknown context, named up to its first ":/".
func ParseRef(s string, contexts []string) (Ref, error) {
	ctx, rest, err := SplitRef(s, contexts)
	if err != nil {
		return Ref{}, err
	}
	p, err := Parse(rest)
	if err != nil && ctx != "" {
		return Ref{}, fmt.Errorf("%s: %w", ctx, err)
	}
	return Ref{Context: ctx, Path: p}, err
}

// SplitRef splits CONTEXT:/PATH as ParseRef does, without parsing the
// path: "" for a bare /PATH, and "/" for a context alone.
func SplitRef(s string, contexts []string) (context, path string, err error) {
	if strings.HasPrefix(s, "/") {
		return "", s, nil
	}
	best := ""
	for _, name := range contexts {
		if len(name) <= len(best) || !strings.HasPrefix(s, name+":") {
			continue
		}
		if rest := s[len(name)+1:]; rest == "" || strings.HasPrefix(rest, "/") {
			best = name
		}
	}
	if best != "" {
		rest := s[len(best)+1:]
		if rest == "" {
			rest = "/"
		}
		return best, rest, nil
	}
	if i := strings.Index(s, ":/"); i > 0 {
		return "", "", fmt.Errorf("%w: unknown context %q in %q (the kubeconfig has: %s)", ErrNoSuchPath, s[:i], s, listNames(contexts))
	}
	if strings.HasSuffix(s, ":") {
		return "", "", fmt.Errorf("%w: unknown context %q (the kubeconfig has: %s)", ErrNoSuchPath, strings.TrimSuffix(s, ":"), listNames(contexts))
	}
	return "", "", fmt.Errorf("%w: %q is neither an absolute path nor CONTEXT:/PATH", ErrNoSuchPath, s)
}

func listNames(names []string) string {
	if len(names) == 0 {
		return "no contexts"
	}
	return strings.Join(names, ", ")
}
