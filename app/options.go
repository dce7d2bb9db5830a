package app

import (
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/internal/trace"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
)

// Options configure an App.
type Options struct {
	Conn *k8s.Conn
	FS   *model.FS
	// Contexts, if set, are the kubeconfig's contexts, Conn being the
	// starting one's: :ctx switches between them. nil: Conn is the only
	// one.
	Contexts *k8s.Contexts
	// NewFS makes the model of each context connected to (the starting
	// one through ConnectStart, others as :ctx shows them), with the
	// session's flags; nil means the defaults (see Options.fsFor).
	NewFS func(*k8s.Conn) *model.FS
	// Beside are more contexts of Contexts to show from the start, each a
	// root of the tree beside the first (--context repeated).
	Beside []string
	// Screen is the screen to draw on; nil means the terminal. Tests pass
	// a tcell.SimulationScreen.
	Screen tcell.Screen
	Keys   *keymap.Keymap // nil means keymap.Default()
	Theme  themes.Theme   // zero means themes.Dark()
	// StartPath is the directory to expand and select at start, e.g.
	// /namespaces/team-a; "" means the namespace from --namespace or the
	// context if one was given, else /namespaces.
	StartPath string
	// FlashFor is how long flash messages stay; 0 means 4s.
	FlashFor time.Duration
	// TailLines is how many lines a log pane starts with; 0 means 1000.
	TailLines int64
	// LogBuffer bounds the lines a log pane keeps; 0 means 50,000.
	LogBuffer int
	// SaveDir is where log panes save their lines; "" means the user's
	// state directory (see defaultSaveDir).
	SaveDir string
	// Clipboard chooses where yanked text goes; "" means ClipboardAuto.
	Clipboard ClipboardMode
	// Mouse turns on clicks and the wheel.
	Mouse bool
	// Favorites are the namespaces on the digit keys; none means the
	// namespaces visited most recently.
	Favorites []string
	// Trace records timing events (KFSUI_TRACE); nil records none.
	Trace *trace.Tracer
	// life is the application to build the UI in, one already running
	// (see RunConnecting); nil means a new one.
	life *lifecycle

	// Refresh, when positive, fetches the leaf in the viewer again that
	// long after each answer, so a manifest or events follow the cluster.
	Refresh time.Duration
	// TreeWidth is the tree pane's share of the width in percent; 0 means
	// config.DefaultTreeWidth.
	TreeWidth int
	// ConfigFile is where a moved split is remembered; "" remembers
	// nothing.
	ConfigFile string
	// TerminalStderr gives standard error back to the terminal while the
	// UI is suspended for a login plugin's prompt, until restore is
	// called; nil when stderr never left the terminal.
	TerminalStderr func() (restore func())
}

// withDefaults fills in what o leaves unset.
func (o Options) withDefaults() Options {
	if o.Keys == nil {
		o.Keys = keymap.Default()
	}
	if o.Theme.Name == "" {
		o.Theme = themes.Dark()
	}
	if o.FlashFor == 0 {
		o.FlashFor = 4 * time.Second
	}
	if o.TailLines <= 0 {
		o.TailLines = 1000
	}
	if o.Clipboard == "" {
		o.Clipboard = ClipboardAuto
	}
	if o.TreeWidth == 0 {
		o.TreeWidth = config.DefaultTreeWidth
	}
	if o.TerminalStderr == nil {
		o.TerminalStderr = func() func() { return func() {} }
	}
	return o
}

// fsFor is the model of the context connected to through conn: NewFS's,
// or model.NewFSFor's defaults.
func (o Options) fsFor(conn *k8s.Conn) *model.FS {
	if o.NewFS != nil {
		return o.NewFS(conn)
	}
	return model.NewFSFor(conn, model.Options{})
}
