package model

import (
	"fmt"
	"strings"

	"github.com/kfsui/kfsui/k8s"
)

// Jump resolves what a user typed in the jump bar to a path:
//
//   - an absolute path: /namespaces/team-a/pods;
//   - a path relative to the directory base: pods/web-0, ../secrets;
//   - a resource like k9s's: "po", "deploy web", "svc -n kube-system",
//     "widgets.example.io": the type by any alias kubectl accepts, in the
//     namespace of -n, else base's, else defaultNS, else "default";
//     "po -A" or "po all" in every namespace (/all/pods).
//
// Safe from any goroutine.
func Jump(input string, cat *k8s.Catalog, base Path, defaultNS string) (Path, error) {
	p, sel, err := JumpSelect(input, cat, base, defaultNS)
	if err == nil && !sel.IsZero() {
		return Path{}, fmt.Errorf("a selector needs a type directory: %q", input)
	}
	return p, err
}

// JumpSelect is Jump with kubectl's selectors after a resource, as k9s
// takes them: "po -l app=web", "po -A -l tier=db",
// "po -A --field status.phase!=Running" (also --selector and
// --field-selector). The selector narrows the type directory it returns;
// a malformed one is an error before any request.
func JumpSelect(input string, cat *k8s.Catalog, base Path, defaultNS string) (Path, k8s.Selector, error) {
	input = strings.TrimSpace(input)
	switch {
	case input == "":
		return Path{}, k8s.Selector{}, fmt.Errorf("%w: nothing typed", ErrNoSuchPath)
	case strings.HasPrefix(input, "/"):
		p, err := Parse(input)
		return p, k8s.Selector{}, err
	}
	fields := strings.Fields(input)
	if t, ok := cat.Resolve(fields[0]); ok {
		sel, rest, err := ParseSelectorArgs(fields[1:])
		if err != nil {
			return Path{}, k8s.Selector{}, err
		}
		p, err := jumpToType(t, rest, base, defaultNS)
		if err == nil && !sel.IsZero() && p.Kind != KindTypeDir {
			return Path{}, k8s.Selector{}, fmt.Errorf("a selector narrows a type directory, not %s", p)
		}
		return p, sel, err
	}
	if len(fields) > 1 {
		return Path{}, k8s.Selector{}, fmt.Errorf("%w: unknown type %q", ErrNoSuchPath, fields[0])
	}
	p, err := relative(base, input)
	return p, k8s.Selector{}, err
}

func jumpToType(t k8s.Type, args []string, base Path, defaultNS string) (Path, error) {
	ns, name, all := "", "", false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-A" || a == "--all-namespaces" || a == "all" && name == "":
			all = true
		case a == "-n" || a == "--namespace":
			if i+1 >= len(args) {
				return Path{}, fmt.Errorf("%s needs a namespace", a)
			}
			ns = args[i+1]
			i++
		case strings.HasPrefix(a, "--namespace="):
			ns = strings.TrimPrefix(a, "--namespace=")
		case name == "":
			name = a
		default:
			return Path{}, fmt.Errorf("unexpected %q", a)
		}
	}
	if t.IsCore("namespaces") {
		// ":ns team-a" switches namespace, as in k9s: to the namespace's
		// directory of types, not to its object under /cluster.
		if name == "" {
			return Path{Kind: KindNamespaces}, nil
		}
		return Parse("/namespaces/" + name)
	}
	p := Path{Kind: KindTypeDir, Type: t.Name, Cluster: !t.Namespaced}
	if all {
		if !t.Namespaced {
			return Path{}, fmt.Errorf("%s are not namespaced: they are all under /cluster/%s", t.Name, t.Name)
		}
		if name != "" || ns != "" {
			return Path{}, fmt.Errorf("every namespace (-A) goes with no -n and no name")
		}
		return Path{Kind: KindTypeDir, All: true, Type: t.Name}, nil
	}
	if t.Namespaced {
		switch {
		case ns != "":
		case base.InNamespace():
			ns = base.Namespace
		case defaultNS != "":
			ns = defaultNS
		default:
			ns = "default"
		}
		p.Namespace = ns
	}
	if name != "" {
		p.Kind, p.Name = KindObject, name
	}
	// Through Parse, so every segment is checked as any path's is.
	return Parse(p.String())
}

// relative resolves rel against directory base; ".." goes up.
func relative(base Path, rel string) (Path, error) {
	segs := base.segments()
	for _, s := range strings.Split(strings.Trim(rel, "/"), "/") {
		switch s {
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		case ".", "":
		default:
			segs = append(segs, s)
		}
	}
	return Parse("/" + strings.Join(segs, "/"))
}
