package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/klog/v2"

	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
)

// Version is kfsui's version, set at build time with
// -ldflags "-X github.com/kfsui/kfsui/app.Version=v1.2.3". When unset, the
// module version from the build info is used (go install sets it).
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

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // an error kfsui met: unreachable server, no such path, ...
	exitUsage = 2 // the command line was wrong; for diff, any trouble
)

// usageError marks errors in the command line itself.
type usageError struct{ error }

// exitCode ends Main with a code and prints nothing: what there was to say
// was said by the supervised child.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

// Supervise runs the UI in a child process watched by this one, so that a
// crash anywhere still restores the terminal (see superviseUI). main sets
// it; tests that run Main in-process leave it off.
var Supervise = false

// Main runs kfsui with args (without the program name) and returns the
// process exit code. Errors are printed to stderr as one line prefixed with
// the program's name; nothing before the UI touches the terminal's mode.
func Main(progName string, args []string, stdout, stderr io.Writer) int {
	// client-go logs through klog to stderr, which would scribble over the
	// UI and clutter headless output; kfsui reports errors itself.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)

	name := displayName(progName)
	cmd := newRootCommand(name, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	fmt.Fprintf(stderr, "kfsui: %s\n", oneLine(err))
	var ue usageError
	var dt diffTrouble
	if errors.As(err, &ue) || errors.As(err, &dt) {
		return exitUsage
	}
	return exitError
}

// displayName is how usage names the program: installed as kubectl-kfsui
// it runs as a kubectl plugin, "kubectl kfsui".
func displayName(progName string) string {
	base := filepath.Base(progName)
	if strings.HasPrefix(base, "kubectl-") {
		return "kubectl " + strings.TrimPrefix(base, "kubectl-")
	}
	return "kfsui"
}

// oneLine folds an error onto one line: some API errors span several.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// settings are kfsui's own flags.
type settings struct {
	startPath string
	tail      int64
	logBuffer int
	theme     string
	clipboard string
	mouse     bool
	favorites []string
	hideEmpty bool
	refresh   time.Duration
	idle      time.Duration
	treeWidth int
	beside    []string // --context given more than once: all but the first
}

// contextsFlag is --context, which may be repeated: the first value is
// kubectl's --context, the others go to more.
type contextsFlag struct {
	first *string
	more  *[]string
	set   bool
}

func (c *contextsFlag) String() string { return *c.first }

func (c *contextsFlag) Set(v string) error {
	if !c.set {
		*c.first, c.set = v, true
		return nil
	}
	if v != *c.first && !slices.Contains(*c.more, v) {
		*c.more = append(*c.more, v)
	}
	return nil
}

func (c *contextsFlag) Type() string { return "string" }

// defaultIdleTimeout is how long a listing no directory shows keeps its
// watch and cache: long enough that going back and forth costs nothing,
// short enough that a day-long session holds only what is on screen.
const defaultIdleTimeout = 5 * time.Minute

func newRootCommand(name string, stdout, stderr io.Writer) *cobra.Command {
	flags := genericclioptions.NewConfigFlags(true)
	var s settings
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUI(cmd.Context(), flags, s)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	flags.AddFlags(root.PersistentFlags())
	// --context may be repeated: the first is the starting context, as
	// kubectl's; the others show beside it, each a root of the tree.
	ctxFlag := root.PersistentFlags().Lookup("context")
	ctxFlag.Value = &contextsFlag{first: flags.Context, more: &s.beside}
	ctxFlag.Usage = "the kubeconfig context to use; repeat it to show several side by side (kfsui --context dev --context prod)"
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd != root && cmd.Name() != "mount" && len(s.beside) > 0 {
			return usageError{fmt.Errorf("%s takes one --context; name paths in other contexts as CONTEXT:/PATH", cmd.Name())}
		}
		return nil
	}
	root.Flags().StringVar(&s.startPath, "path", "", "directory to open at start, e.g. /namespaces/team-a (default: the --namespace or the context's namespace)")
	root.Flags().Int64Var(&s.tail, "tail", 1000, "lines a log pane starts with (the last N; changeable in the pane)")
	root.Flags().IntVar(&s.logBuffer, "log-buffer", model.DefaultLogBuffer, "lines a log pane keeps at most; older ones are evicted and counted")
	root.Flags().StringVar(&s.theme, "theme", "dark", "color theme: dark, light, high-contrast, or a file's name in the config directory's themes/ (NO_COLOR gives monochrome)")
	root.Flags().StringVar(&s.clipboard, "clipboard", "", "where yanked text goes: auto (OSC 52 and a native tool), osc52, native or off (default: KFSUI_CLIPBOARD, the config file, else auto)")
	root.Flags().BoolVar(&s.mouse, "mouse", true, "clicks select and open, the wheel scrolls (--mouse=false leaves the mouse to the terminal, e.g. for selecting text)")
	root.Flags().BoolVar(&s.hideEmpty, "hide-empty-types", false, "list only the types that hold objects in a namespace (or /cluster); toggled in the tree with e")
	root.Flags().DurationVar(&s.refresh, "refresh", 0, "fetch the leaf in the viewer again this often, e.g. 5s (0: only on r)")
	root.Flags().DurationVar(&s.idle, "idle-timeout", defaultIdleTimeout, "stop the watch and cache of a listing no open directory shows after this long (0: keep all)")
	root.PreRunE = func(cmd *cobra.Command, _ []string) error { return applyConfig(cmd, &s) }
	root.AddCommand(newLsCommand(flags, stdout), newCatCommand(flags, stdout), newTailCommand(flags, stdout), newDiffCommand(flags, stdout),
		newMountCommand(flags, &s.beside, stderr), newGrepCommand(flags, stdout, stderr))
	return root
}

func argsError(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes exactly %d path, got %d (see %s --help)", cmd.Name(), n, len(args), cmd.CommandPath())}
		}
		return nil
	}
}

// applyConfig fills the flags the command line did not set from
// config.yaml.
func applyConfig(cmd *cobra.Command, s *settings) error {
	c, err := config.Load(filepath.Join(config.Dir(), "config.yaml"))
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if c.Theme != "" && !cmd.Flags().Changed("theme") {
		s.theme = c.Theme
	}
	if c.Tail > 0 && !cmd.Flags().Changed("tail") {
		s.tail = c.Tail
	}
	if c.LogBuffer > 0 && !cmd.Flags().Changed("log-buffer") {
		s.logBuffer = c.LogBuffer
	}
	s.favorites = c.Favorites
	if c.HideEmptyTypes != nil && !cmd.Flags().Changed("hide-empty-types") {
		s.hideEmpty = *c.HideEmptyTypes
	}
	if c.Refresh != nil && !cmd.Flags().Changed("refresh") {
		s.refresh = *c.Refresh
	}
	if c.IdleTimeout != nil && !cmd.Flags().Changed("idle-timeout") {
		s.idle = *c.IdleTimeout
	}
	s.treeWidth = c.TreeWidth
	if s.tail <= 0 || s.logBuffer <= 0 {
		return usageError{fmt.Errorf("--tail and --log-buffer must be positive")}
	}
	if s.refresh < 0 || s.idle < 0 {
		return usageError{errors.New("--refresh and --idle-timeout must not be negative")}
	}
	if s.refresh > 0 && s.refresh < time.Second {
		// Every refresh is a GET: sub-second ones would load the server
		// for no one's eyes.
		return usageError{fmt.Errorf("--refresh %s: at least 1s", s.refresh)}
	}
	if c.Mouse != nil && !cmd.Flags().Changed("mouse") {
		s.mouse = *c.Mouse
	}
	if !cmd.Flags().Changed("clipboard") {
		s.clipboard = c.Clipboard
		if env := os.Getenv("KFSUI_CLIPBOARD"); env != "" {
			s.clipboard = env
		}
	}
	if s.clipboard == "" {
		s.clipboard = string(ClipboardAuto)
	}
	if _, err := ParseClipboardMode(s.clipboard); err != nil {
		return usageError{err}
	}
	return nil
}

// Connect builds the connection and the path model from kubectl's flags,
// as the command line does: the namespace from --namespace or the context is
// the one the tree falls back to when namespaces cannot be listed.
func Connect(ctx context.Context, flags *genericclioptions.ConfigFlags) (*k8s.Conn, *model.FS, error) {
	target, err := k8s.Resolve(flags)
	if err != nil {
		return nil, nil, err
	}
	return connectTo(ctx, target, nil)
}

func connectTo(ctx context.Context, target k8s.Target, wrap func(http.RoundTripper) http.RoundTripper) (*k8s.Conn, *model.FS, error) {
	conn, err := target.Connect(ctx, k8s.Options{UserAgent: "kfsui/" + version(), WrapTransport: wrap})
	if err != nil {
		return nil, nil, err
	}
	return conn, newFS(conn), nil
}

// newFS is the path model over conn: the namespace from --namespace or
// the context is the one the tree falls back to when namespaces cannot be
// listed.
func newFS(conn *k8s.Conn) *model.FS {
	ns := ""
	if conn.Info.NamespaceExplicit {
		ns = conn.Info.Namespace
	}
	return model.NewFS(conn, model.Options{Namespace: ns})
}

func runUI(ctx context.Context, flags *genericclioptions.ConfigFlags, s settings) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if Supervise {
		if code, ok := superviseUI(os.Stderr); ok {
			if code == 0 {
				return nil
			}
			return exitCode(code)
		}
		keepStderrPipeToSelf()
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// The caches are many small, long-lived names; garbage comes in
		// bursts (a big list's pages, a redraw of a long directory). A
		// soft limit makes the collector work harder only near it, so a
		// session with tens of thousands of objects stays under 150 MB
		// without collecting more often in smaller ones. GOMEMLIMIT
		// still decides.
		debug.SetMemoryLimit(100 << 20)
	}
	keys, err := keymap.Load(filepath.Join(config.Dir(), keymap.FileName))
	if err != nil {
		return fmt.Errorf("keymap: %w", err)
	}
	theme, err := themes.Resolve(s.theme, filepath.Join(config.Dir(), "themes"), os.Getenv("NO_COLOR") != "")
	if err != nil {
		return fmt.Errorf("theme: %w", err)
	}
	if s.startPath != "" {
		p, err := model.Parse(s.startPath)
		if err != nil || !p.IsDir() {
			return usageError{fmt.Errorf("--path %q: not a directory path", s.startPath)}
		}
	}
	trace := newTracer()
	cs, err := k8s.LoadContexts(flags, k8s.Options{UserAgent: "kfsui/" + version(), WrapTransport: trace.wrap()})
	if err != nil {
		return err
	}
	defer cs.Close()
	target, err := cs.Target("")
	if err != nil {
		return err
	}
	for _, name := range s.beside {
		if !cs.Has(name) {
			return fmt.Errorf("unknown context %q (the kubeconfig has: %s)", name, strings.Join(cs.Names(), ", "))
		}
		// A login plugin that may prompt gets the terminal before the UI
		// takes it, as the starting context's does.
		if t, err := cs.Target(name); err == nil && t.Interactive() && haveTerminal() {
			if _, err := cs.Conn(ctx, name); err != nil {
				return err
			}
		}
	}
	o := Options{
		Keys: keys, Theme: theme, StartPath: s.startPath,
		TailLines: s.tail, LogBuffer: s.logBuffer, Clipboard: ClipboardMode(s.clipboard), Mouse: s.mouse,
		Favorites: s.favorites, Refresh: s.refresh, trace: trace, TreeWidth: s.treeWidth,
	}
	if dir := config.Dir(); dir != "" {
		o.ConfigFile = filepath.Join(dir, "config.yaml")
	}
	// Every context's model gets the session's settings.
	o.Contexts, o.Beside = cs, s.beside
	o.NewFS = func(conn *k8s.Conn) *model.FS {
		fs := newFS(conn)
		fs.SetHideEmptyTypes(s.hideEmpty)
		conn.Lists().SetIdleTimeout(s.idle)
		return fs
	}
	connect := func(ctx context.Context) (*k8s.Conn, *model.FS, error) {
		conn, err := cs.Conn(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		return conn, o.NewFS(conn), nil
	}
	if os.Getenv(crashTestEnv) == "1" {
		// The UI drawn: a second later it is on screen.
		go func() {
			time.Sleep(time.Second)
			panic("crash test: a panic in a background goroutine (" + crashTestEnv + "=1)")
		}()
	}
	// A terminal closing (SIGHUP) or a kill (SIGTERM) ends kfsui the way q
	// does, so the terminal is restored.
	sig, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP, os.Interrupt)
	defer stop()
	if !haveTerminal() || target.Interactive() {
		// Nothing to draw on: connect first, so that an unreachable
		// cluster, not the missing terminal, is the error reported. A
		// login plugin that may prompt needs the terminal while
		// connecting, so it too comes before the UI.
		conn, fs, err := connect(sig)
		if err != nil {
			trace.close() // as the UI would at its end
			return err
		}
		o.Conn, o.FS = conn, fs
		a := New(o)
		go func() {
			<-sig.Done()
			a.Quit()
		}()
		captureStderr()
		return a.Run()
	}
	captureStderr()
	return RunConnecting(sig, target, o, connect)
}

// haveTerminal reports whether the UI has a terminal to draw on.
func haveTerminal() bool {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	_ = tty.Close()
	return true
}

// headlessTimeout bounds how long ls and cat wait for listings.
const headlessTimeout = 30 * time.Second

func headlessContext(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	return context.WithTimeout(parent, headlessTimeout)
}
