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
//     namespace of -n, else base's, else defaultNS, else "default".
//
// Safe from any goroutine.
func Jump(input string, cat *k8s.Catalog, base Path, defaultNS string) (Path, error) {
	input = strings.TrimSpace(input)
	switch {
	case input == "":
		return Path{}, fmt.Errorf("%w: nothing typed", ErrNoSuchPath)
	case strings.HasPrefix(input, "/"):
		return Parse(input)
	}
	fields := strings.Fields(input)
	if t, ok := cat.Resolve(fields[0]); ok {
		return jumpToType(t, fields[1:], base, defaultNS)
	}
	if len(fields) > 1 {
		return Path{}, fmt.Errorf("%w: unknown type %q", ErrNoSuchPath, fields[0])
	}
	return relative(base, input)
}

func jumpToType(t k8s.Type, args []string, base Path, defaultNS string) (Path, error) {
	ns, name := "", ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
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
