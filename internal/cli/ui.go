package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/internal/supervise"
	"github.com/kfsui/kfsui/internal/trace"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
)

// runUI runs the terminal UI: under a supervisor when env says so, else
// in this process. args are Main's, for the supervised child.
func runUI(ctx context.Context, flags *genericclioptions.ConfigFlags, f uiFlags, args []string, env Env) error {
	if env.Supervise {
		// Here the supervisor has initialised all of kfsui: it gives the
		// memory back once the child runs.
		if code, ok := supervise.Terminal(args, env.Stderr, debug.FreeOSMemory); ok {
			return exitWith(code)
		}
	}
	stderr := supervise.ChildStderr()
	if os.Getenv("GOMEMLIMIT") == "" {
		// The caches are many small, long-lived names; garbage comes in
		// bursts (a big list's pages, a redraw of a long directory). A
		// soft limit makes the collector work harder only near it, so a
		// session with tens of thousands of objects stays under 150 MB.
		// GOMEMLIMIT still decides.
		debug.SetMemoryLimit(100 << 20)
	}
	if os.Getenv("GOGC") == "" {
		// Below the limit, the heap may grow to 1.5 times what is live
		// rather than twice: nearly all that is live is the caches, so
		// the difference is garbage kept resident. On the 10,000-pod
		// namespace with metrics that is some 15 MB of memory, for no
		// time that the benchmarks can tell. GOGC still decides.
		debug.SetGCPercent(50)
	}
	o, err := f.options()
	if err != nil {
		return err
	}
	o.Trace = trace.New()
	o.TerminalStderr = stderr.ToTerminal
	cs, err := k8s.LoadContexts(flags, k8s.Options{UserAgent: userAgent(), WrapTransport: o.Trace.Wrap(), MetricsInterval: f.metrics})
	if err != nil {
		return err
	}
	defer cs.Close()
	target, err := cs.Target("")
	if err != nil {
		return err
	}
	if err := promptBeside(ctx, cs, f.beside); err != nil {
		return err
	}
	o.Contexts, o.Beside = cs, f.beside
	o.NewFS = func(conn *k8s.Conn) *model.FS {
		fs := model.NewFSFor(conn, model.Options{})
		fs.SetHideEmptyTypes(f.hideEmpty)
		conn.Lists().SetIdleTimeout(f.idle)
		return fs
	}
	supervise.CrashTest("in a background goroutine")
	// A terminal closing (SIGHUP) or a kill (SIGTERM) ends kfsui the way q
	// does, so the terminal is restored.
	sig, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP, os.Interrupt)
	defer stop()
	if !app.HaveTerminal() || target.Interactive() {
		// Nothing to draw on: connect first, so that an unreachable
		// cluster, not the missing terminal, is the error reported. A
		// login plugin that may prompt needs the terminal while
		// connecting, so it too comes before the UI.
		return app.ConnectThenRun(sig, o, stderr.Capture)
	}
	stderr.Capture()
	return app.RunConnecting(sig, target, o, app.ConnectStart(o))
}

// options are the UI's options from the flags and the config directory.
func (f uiFlags) options() (app.Options, error) {
	keys, err := keymap.Load(filepath.Join(config.Dir(), keymap.FileName))
	if err != nil {
		return app.Options{}, fmt.Errorf("keymap: %w", err)
	}
	theme, err := themes.Resolve(f.theme, filepath.Join(config.Dir(), "themes"), os.Getenv("NO_COLOR") != "")
	if err != nil {
		return app.Options{}, fmt.Errorf("theme: %w", err)
	}
	if f.startPath != "" {
		p, err := model.Parse(f.startPath)
		if err != nil || !p.IsDir() {
			return app.Options{}, usageError{fmt.Errorf("--path %q: not a directory path", f.startPath)}
		}
	}
	o := app.Options{
		Keys: keys, Theme: theme, StartPath: f.startPath,
		TailLines: f.tail, LogBuffer: f.logBuffer, Clipboard: app.ClipboardMode(f.clipboard), Mouse: f.mouse,
		Favorites: f.favorites, Refresh: f.refresh, TreeWidth: f.treeWidth,
	}
	if dir := config.Dir(); dir != "" {
		o.ConfigFile = filepath.Join(dir, "config.yaml")
	}
	return o, nil
}

// promptBeside checks the contexts to show beside the first, and connects
// to those whose login plugin may prompt before the UI takes the
// terminal, as the starting context's does.
func promptBeside(ctx context.Context, cs *k8s.Contexts, beside []string) error {
	for _, name := range beside {
		if !cs.Has(name) {
			return unknownContext(cs, name)
		}
		if t, err := cs.Target(name); err == nil && t.Interactive() && app.HaveTerminal() {
			if _, err := cs.Conn(ctx, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// unknownContext is the error for a context the kubeconfig lacks.
func unknownContext(cs *k8s.Contexts, name string) error {
	return fmt.Errorf("unknown context %q (the kubeconfig has: %s)", name, strings.Join(cs.Names(), ", "))
}
