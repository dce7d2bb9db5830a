package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// The headless verbs print what the tree and the viewer show, through the
// same model and k8s code, for scripts: `kfsui ls PATH | grep`, `kfsui cat
// PATH | diff`.

// headlessTimeout bounds how long a verb that answers once (ls, cat,
// diff, grep) waits for the cluster, and how long any verb waits to
// connect.
const headlessTimeout = 30 * time.Second

// withContexts is every headless verb's prologue and epilogue: the
// kubeconfig's contexts loaded, fn run with them under a deadline
// (timeout; 0 for none), the connections closed after.
func withContexts(parent context.Context, flags *genericclioptions.ConfigFlags, timeout time.Duration, fn func(context.Context, *k8s.Contexts) error) error {
	cs, err := k8s.LoadContexts(flags, k8s.Options{UserAgent: userAgent()})
	if err != nil {
		return err
	}
	defer cs.Close()
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	if timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, timeout)
		defer stop()
	}
	return fn(ctx, cs)
}

// connectEach connects to each context of names (the first the start),
// within headlessTimeout. A context the kubeconfig lacks is an error
// before any connection; a failed connection names its context when
// there are several.
func connectEach(parent context.Context, cs *k8s.Contexts, names []string) ([]*k8s.Conn, error) {
	for _, name := range names[1:] {
		if !cs.Has(name) {
			return nil, unknownContext(cs, name)
		}
	}
	ctx, cancel := context.WithTimeout(parent, headlessTimeout)
	defer cancel()
	conns := make([]*k8s.Conn, len(names))
	for i, name := range names {
		conn, err := cs.Conn(ctx, name)
		if err != nil {
			if len(names) > 1 {
				return nil, fmt.Errorf("context %s: %w", name, err)
			}
			return nil, err
		}
		conns[i] = conn
	}
	return conns, nil
}

// atPath runs fn on the model of the path arg names (CONTEXT:/PATH or
// /PATH), parsed before connecting: a malformed path fails without
// touching the network.
func atPath(parent context.Context, flags *genericclioptions.ConfigFlags, arg string, fn func(context.Context, *model.FS, model.Path) error) error {
	return withContexts(parent, flags, headlessTimeout, func(ctx context.Context, cs *k8s.Contexts) error {
		ref, err := model.ParseRef(arg, cs.Names())
		if err != nil {
			return err
		}
		fs, err := openFS(ctx, cs, ref.Context)
		if err != nil {
			return err
		}
		return fn(ctx, fs, ref.Path)
	})
}

// openFS connects to context name ("" for the starting one) and returns
// its model. The connection closes with cs.
func openFS(ctx context.Context, cs *k8s.Contexts, name string) (*model.FS, error) {
	conn, err := cs.Conn(ctx, name)
	if err != nil {
		return nil, err
	}
	return model.NewFSFor(conn, model.Options{}), nil
}

// readListing brings directory p up to date and reads it. A listing that
// is incomplete but not empty (a failed aggregated API, a namespace list
// replaced by the configured namespace) is returned with a warning on
// stderr; one with nothing to show is an error.
func readListing(ctx context.Context, fs *model.FS, p model.Path, stderr io.Writer) (model.Dir, error) {
	if err := fs.Sync(ctx, p); err != nil {
		return model.Dir{}, err
	}
	dir, err := fs.ReadDir(ctx, p)
	if err != nil {
		return model.Dir{}, err
	}
	if dir.Err != nil {
		if len(dir.Entries) == 0 {
			return model.Dir{}, fmt.Errorf("%s: %w", p, dir.Err)
		}
		fmt.Fprintf(stderr, "kfsui: warning: %s: %s\n", p, model.OneLine(dir.Err))
	}
	return dir, nil
}

// cleanFor is how text from the cluster is written to w: on a terminal a
// line must not be able to write the clipboard, retitle the window or move
// the cursor (views.TerminalSafe); into a pipe or a file it goes byte for
// byte, as kubectl writes it.
func cleanFor(w io.Writer) func(string) string {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return views.TerminalSafe
	}
	return func(s string) string { return s }
}
