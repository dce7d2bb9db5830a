package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/kfsui/kfsui/app"
	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// uiFlags are the terminal UI's own flags, the config file filling in
// those the command line leaves unset.
type uiFlags struct {
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
	metrics   time.Duration
	treeWidth int
	beside    []string // --context given more than once: all but the first
}

// defaultIdleTimeout is how long a listing no directory shows keeps its
// watch and cache: long enough that going back and forth costs nothing,
// short enough that a day-long session holds only what is on screen.
const defaultIdleTimeout = 5 * time.Minute

// register adds the flags to the root command.
func (f *uiFlags) register(root *cobra.Command) {
	fl := root.Flags()
	fl.StringVar(&f.startPath, "path", "", "directory to open at start, e.g. /namespaces/team-a (default: the --namespace or the context's namespace)")
	fl.Int64Var(&f.tail, "tail", 1000, "lines a log pane starts with (the last N; changeable in the pane)")
	fl.IntVar(&f.logBuffer, "log-buffer", model.DefaultLogBuffer, "lines a log pane keeps at most; older ones are evicted and counted")
	fl.StringVar(&f.theme, "theme", "dark", "color theme: dark, light, high-contrast, or a file's name in the config directory's themes/ (NO_COLOR gives monochrome)")
	fl.StringVar(&f.clipboard, "clipboard", "", "where yanked text goes: auto (OSC 52 and a native tool), osc52, native or off (default: KFSUI_CLIPBOARD, the config file, else auto)")
	fl.BoolVar(&f.mouse, "mouse", true, "clicks select and open, the wheel scrolls (--mouse=false leaves the mouse to the terminal, e.g. for selecting text)")
	fl.BoolVar(&f.hideEmpty, "hide-empty-types", false, "list only the types that hold objects in a namespace (or /cluster); toggled in the tree with e")
	fl.DurationVar(&f.refresh, "refresh", 0, "fetch the leaf in the viewer again this often, e.g. 5s (0: only on r)")
	fl.DurationVar(&f.idle, "idle-timeout", defaultIdleTimeout, "stop the watch and cache of a listing no open directory shows after this long (0: keep all)")
	fl.DurationVar(&f.metrics, "metrics-interval", k8s.DefaultMetricsInterval, "read metrics-server's CPU and memory for open pods and nodes directories this often (0: no metrics columns)")
}

// applyConfig fills the flags the command line did not set from
// config.yaml, and checks them.
func (f *uiFlags) applyConfig(cmd *cobra.Command) error {
	c, err := config.Load(filepath.Join(config.Dir(), "config.yaml"))
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	unset := func(name string) bool { return !cmd.Flags().Changed(name) }
	fill(&f.theme, c.Theme, c.Theme != "" && unset("theme"))
	fill(&f.tail, c.Tail, c.Tail > 0 && unset("tail"))
	fill(&f.logBuffer, c.LogBuffer, c.LogBuffer > 0 && unset("log-buffer"))
	f.favorites = c.Favorites
	fillPtr(&f.hideEmpty, c.HideEmptyTypes, unset("hide-empty-types"))
	fillPtr(&f.refresh, c.Refresh, unset("refresh"))
	fillPtr(&f.idle, c.IdleTimeout, unset("idle-timeout"))
	fillPtr(&f.mouse, c.Mouse, unset("mouse"))
	f.treeWidth = c.TreeWidth
	if unset("clipboard") {
		f.clipboard = c.Clipboard
		if env := os.Getenv("KFSUI_CLIPBOARD"); env != "" {
			f.clipboard = env
		}
	}
	if f.clipboard == "" {
		f.clipboard = string(app.ClipboardAuto)
	}
	return f.check()
}

// check refuses values that make no sense.
func (f *uiFlags) check() error {
	if f.tail <= 0 || f.logBuffer <= 0 {
		return usageError{fmt.Errorf("--tail and --log-buffer must be positive")}
	}
	if f.refresh < 0 || f.idle < 0 || f.metrics < 0 {
		return usageError{errors.New("--refresh, --idle-timeout and --metrics-interval must not be negative")}
	}
	if f.metrics > 0 && f.metrics < time.Second {
		return usageError{fmt.Errorf("--metrics-interval %s: at least 1s", f.metrics)}
	}
	if f.refresh > 0 && f.refresh < time.Second {
		// Every refresh is a GET: sub-second ones would load the server
		// for no one's eyes.
		return usageError{fmt.Errorf("--refresh %s: at least 1s", f.refresh)}
	}
	if _, err := app.ParseClipboardMode(f.clipboard); err != nil {
		return usageError{err}
	}
	return nil
}

// fill sets *dst to v when ok.
func fill[T any](dst *T, v T, ok bool) {
	if ok {
		*dst = v
	}
}

// fillPtr sets *dst to *v when v is set and ok.
func fillPtr[T any](dst *T, v *T, ok bool) {
	if v != nil && ok {
		*dst = *v
	}
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
