package model

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kfsui/kfsui/k8s"
)

// ParseSelector checks a label and a field selector as the API server
// would read them, so that a malformed one is one clear error and never a
// request. Either may be "".
func ParseSelector(label, field string) (k8s.Selector, error) {
	sel := k8s.Selector{Label: strings.TrimSpace(label), Field: strings.TrimSpace(field)}
	if _, err := labels.Parse(sel.Label); err != nil {
		return k8s.Selector{}, fmt.Errorf("label selector %q: %v", sel.Label, OneLine(err))
	}
	if _, err := fields.ParseSelector(sel.Field); err != nil {
		return k8s.Selector{}, fmt.Errorf("field selector %q: %v", sel.Field, OneLine(err))
	}
	return sel, nil
}

// ParseSelectorArgs reads selectors written as kubectl's flags: -l SEL,
// --selector SEL, --field SEL, --field-selector SEL (or with =). It
// returns the arguments that are not selectors, in order.
func ParseSelectorArgs(args []string) (k8s.Selector, []string, error) {
	var label, field string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		var dst *string
		switch name {
		case "-l", "--selector":
			dst = &label
		case "--field", "--field-selector":
			dst = &field
		default:
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return k8s.Selector{}, nil, fmt.Errorf("%s needs a selector", name)
			}
			i++
			value = args[i]
		}
		// A set-based requirement typed with spaces, "env in (a, b)",
		// arrives in several words: take them back together.
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && continues(value, args[i+1]) {
			i++
			value += " " + args[i]
		}
		*dst = value
	}
	sel, err := ParseSelector(label, field)
	return sel, rest, err
}

// continues reports whether next is more of the selector value so far.
func continues(value, next string) bool {
	open := strings.Count(value, "(") > strings.Count(value, ")")
	return open || next == "in" || next == "notin" || strings.HasSuffix(value, " in") || strings.HasSuffix(value, " notin")
}

// SetSelector narrows type directory p (or the one p lies in) to the
// objects sel selects, on the server: its listing becomes one list and
// watch with the selector. The zero selector shows every object again.
// Safe from any goroutine.
func (fs *FS) SetSelector(p Path, sel k8s.Selector) {
	td, ok := typeDirOf(p)
	if !ok {
		return
	}
	fs.selMu.Lock()
	defer fs.selMu.Unlock()
	if sel.IsZero() {
		delete(fs.selectors, td)
	} else {
		fs.selectors[td] = sel
	}
}

// Selector is what type directory p (or the one p lies in) is narrowed
// to; zero for every object. Safe from any goroutine.
func (fs *FS) Selector(p Path) k8s.Selector {
	td, ok := typeDirOf(p)
	if !ok {
		return k8s.Selector{}
	}
	fs.selMu.Lock()
	defer fs.selMu.Unlock()
	return fs.selectors[td]
}

// typeDirOf is the type directory p is or lies in.
func typeDirOf(p Path) (Path, bool) {
	if !p.HasType() || p.IsHelm() {
		// Helm releases are listed by their records' labels; a selector
		// would narrow the records, not the releases.
		return Path{}, false
	}
	if p.All {
		return Path{Kind: KindTypeDir, All: true, Type: p.Type}, true
	}
	return Path{Kind: KindTypeDir, Cluster: p.Cluster, Namespace: p.Namespace, Type: p.Type}, true
}
