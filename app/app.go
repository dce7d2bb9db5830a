// Package app wires kfsui together: it connects the data side (k8s, model)
// to the widgets (views), routes keys through the keymap, and holds the
// command line.
//
// Concurrency: App's exported methods are safe from any goroutine unless
// their doc says otherwise. Background work reaches the UI only through the
// app's uiQueue, and every UI change made for a piece of work re-checks that
// the selection is still the one the work was for.
package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
	"github.com/kfsui/kfsui/views"
)

// Options configure an App.
type Options struct {
	Conn *k8s.Conn
	FS   *model.FS
	// Contexts, if set, are the kubeconfig's contexts, Conn being the
	// starting one's: :ctx switches between them. nil: Conn is the only
	// one.
	Contexts *k8s.Contexts
	// NewFS makes the model of a context connected to later, with the
	// session's settings; nil means the defaults.
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
	trace     *tracer // timing events for KFSUI_TRACE; nil: none
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
}

// App is the running terminal UI.
type App struct {
	tv     *tview.Application
	life   *lifecycle
	pages  *tview.Pages
	header *views.Header
	crumb  *views.Breadcrumb
	main   *tview.Flex // header, body, footer (or a prompt)
	body   *tview.Flex
	tree   *views.Tree
	viewer *views.Viewer
	footer *views.Footer
	help   *tview.TextView

	conn  *k8s.Conn
	fs    *model.FS
	keys  *keymap.Keymap
	theme themes.Theme
	opts  Options

	ctx    context.Context
	cancel context.CancelFunc
	ui     *uiQueue
	tables tables
	// agesShown: an open directory shows ages, so the tree is redrawn
	// every second. Set on the UI goroutine, read by the ticker.
	agesShown atomic.Bool
	logs      *logPanes
	clip      *clipboard

	// UI goroutine only.
	actions    map[keymap.Scope]map[keymap.Action]func()
	helpReturn tview.Primitive   // the pane to focus when help closes
	prompting  *tview.InputField // the open prompt, if any
	lastFocus  tview.Primitive   // the focus styled last
	lastClick  [2]int            // where the last click was, for double clicks
	jumpInputs []string          // what was typed in the jump bar, oldest first
	grepCancel func()            // ends the :grep running, if one is
	grepRuns   int               // counts :grep runs; only the last one's result shows
	places     []string          // the places visited, for [ and ]
	placeAt    int               // the current place in places
	// openAfterReveal opens the reveal's target when it is a leaf.
	openAfterReveal bool
	leafCancel      context.CancelFunc
	flashGen        int
	revealing       model.Path        // the directory reveal is expanding towards
	revealIn        *session          // the context revealing is in
	dirErrs         map[string]string // the error each directory shows, if any
	showKids        string            // a directory whose children to scroll into view once listed
	baseModes       []string          // the header's modes that never change
	treeWidth       int               // the tree pane's share of the width, in percent
	settings        settingWriter     // writes the split to config.yaml

	// Contexts (see contexts.go). UI goroutine only.
	cur         *session            // the context the tree shows; with several roots, the selection's
	roots       []*session          // the contexts the tree shows, each a root when more than one
	sessions    map[string]*session // every context shown so far, by name
	prevContext string              // the context shown before cur, for :ctx -
	switching   string              // the context being connected to, to show next
	restoring   map[string]bool     // directories to open again as they show
	afterSwitch model.Path          // where to go once the switch is done

	// Diffs (see diffview.go). UI goroutine only.
	diffMark  *leafRef   // the leaf marked with d, if any
	shownDiff []diffPair // what the viewer compares, if it shows a diff
}

// New builds the UI; nothing is drawn or fetched until Run.
func New(o Options) *App {
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
	ctx, cancel := context.WithCancel(context.Background())
	life := o.life
	if life == nil {
		life = newLifecycle(o.Screen, o.trace)
	}
	a := &App{
		tv:     life.tv,
		life:   life,
		conn:   o.Conn,
		fs:     o.FS,
		keys:   o.Keys,
		theme:  o.Theme,
		opts:   o,
		ctx:    ctx,
		cancel: cancel,

		dirErrs:   map[string]string{},
		treeWidth: o.TreeWidth,
	}
	a.ui = newUIQueue(ctx, a.tv)
	a.logs = newLogPanes(a)
	a.clip = newClipboard(o.Clipboard)
	// The screen exists only once Run made it; OSC 52 goes through it.
	// A click may have moved the focus: restyle before drawing.
	// (tview calls this holding the application's lock: asking the
	// application for its focus here would deadlock; the panes know.)
	a.tv.SetBeforeDrawFunc(func(s tcell.Screen) bool {
		a.clip.screen = s
		a.updateCrumb()
		if f := a.focusedPane(); f != a.lastFocus {
			a.lastFocus = f
			a.styleFocus()
			a.footer.SetScope(a.scope())
		}
		return false
	})
	a.tv.EnableMouse(o.Mouse)
	a.tv.SetMouseCapture(a.mouseCapture)

	a.header = views.NewHeader(o.Theme)
	a.header.SetInfo(headerInfo(o.Conn.Info))
	if o.Refresh > 0 {
		a.baseModes = append(a.baseModes, "refresh "+o.Refresh.String())
	}
	a.crumb = views.NewBreadcrumb(o.Theme)
	a.tree = views.NewTree(o.Theme)
	a.tree.SetAgeFunc(age)
	a.viewer = views.NewViewer(o.Theme)
	a.footer = views.NewFooter(o.Theme, o.Keys, keymap.ScopeTree)
	a.help = views.NewHelp(o.Theme, o.Keys)

	a.body = tview.NewFlex()
	a.layout()
	a.main = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(a.header, 1, 0, false).
		AddItem(a.crumb, 1, 0, false).
		AddItem(a.body, 0, 1, true).
		AddItem(a.footer, 1, 0, false)
	a.pages = tview.NewPages().
		AddPage("main", a.main, true, true).
		AddPage("help", centered(a.help, 80, 32), true, false)
	// The panes cover the screen and paint their own background: the
	// pages need not fill it first, 10,000 cell writes a frame on a
	// 200×50 terminal. Flex's box is tview's box that does not clear
	// (NewFlex sets the box's unexported dontClear; tview's docs show
	// swapping a Flex's box the other way). Should a tview release drop
	// that, the fill comes back, costing time, not looks.
	a.pages.Box = tview.NewFlex().Box
	a.tv.SetRoot(a.pages, true).SetFocus(a.tree)
	a.actions = a.bindActions()
	// Keys never reach the tree, so only a click calls this.
	a.tree.SetSelectedFunc(a.click)
	a.tv.SetInputCapture(a.handleKey)
	// Not from focus callbacks: tview calls them holding the primitive's
	// lock, and styleFocus asks the primitives whether they have focus.
	a.styleFocus()
	return a
}

// headerInfo is what the header shows of a connection.
func headerInfo(info k8s.Info) views.HeaderInfo {
	hi := views.HeaderInfo{
		Context: info.Context, Cluster: info.Cluster, User: info.User,
		Server: info.Server, ServerVersion: info.ServerVersion,
	}
	if info.NamespaceExplicit {
		hi.Namespace = info.Namespace
	}
	return hi
}

func centered(p tview.Primitive, width, height int) tview.Primitive {
	return tview.NewFlex().
		AddItem(nil, 0, 1, false).
		AddItem(tview.NewFlex().SetDirection(tview.FlexRow).
			AddItem(nil, 0, 1, false).
			AddItem(p, height, 1, true).
			AddItem(nil, 0, 1, false), width, 1, true).
		AddItem(nil, 0, 1, false)
}

// mouseCapture makes tview's double clicks clicks. tview calls any second
// click within half a second a double click, wherever it lands, and the
// tree ignores double clicks: clicking down a path quickly would lose
// every other click. A double click on the spot just clicked does nothing,
// so double-clicking a directory leaves it open. UI goroutine only.
func (a *App) mouseCapture(ev *tcell.EventMouse, action tview.MouseAction) (*tcell.EventMouse, tview.MouseAction) {
	x, y := ev.Position()
	switch action {
	case tview.MouseLeftClick:
		a.lastClick = [2]int{x, y}
	case tview.MouseLeftDoubleClick:
		if a.lastClick == [2]int{x, y} {
			return nil, 0
		}
		a.lastClick = [2]int{x, y}
		return ev, tview.MouseLeftClick
	}
	return ev, action
}

// updateCrumb shows the selection's path and the entry count of the
// directory in focus: the selection, or the directory holding it.
func (a *App) updateCrumb() {
	sel, dir := a.tree.Selected()
	focusDir := sel
	if s, p, err := a.resolve(sel); err == nil {
		if !dir || !a.tree.IsExpanded(sel) {
			focusDir = a.key(s, p.Parent())
		}
		if a.multi() && s != a.cur {
			// The header follows the selection's context.
			a.setCurrent(s)
		}
	}
	a.crumb.Set(sel, focusDir, a.tree.ChildCount(focusDir))
}

// focusedPane returns the pane that has the keyboard, nil for none (a
// prompt or the help). It asks the panes, not the application.
func (a *App) focusedPane() tview.Primitive {
	for _, p := range a.focusables() {
		if p.HasFocus() {
			return p
		}
	}
	return nil
}

// styleFocus colors the focused pane's border.
func (a *App) styleFocus() {
	panes := []interface {
		HasFocus() bool
		SetBorderColor(tcell.Color) *tview.Box
	}{a.tree, a.viewer}
	for _, p := range a.logs.panes {
		panes = append(panes, p.view)
	}
	for _, p := range panes {
		if p.HasFocus() {
			p.SetBorderColor(a.theme.Focus)
		} else {
			p.SetBorderColor(a.theme.Border)
		}
	}
}

// Run shows the UI and blocks until the user quits or Quit is called. The
// terminal is restored when it returns.
func (a *App) Run() error {
	finish := a.begin()
	err := a.life.run()
	finish()
	return err
}

// begin starts the listings, the health display and the first reveal;
// finish, called once the application has stopped, ends them and every log
// pane. UI goroutine only (before Run counts).
func (a *App) begin() (finish func()) {
	name := ""
	if a.opts.Contexts != nil {
		name = a.opts.Contexts.Start()
	}
	first := &session{name: name, conn: a.conn, fs: a.fs}
	a.sessions = map[string]*session{name: first}
	a.roots = []*session{first}
	a.feed(first)
	a.cur = first
	a.header.SetInfo(headerInfo(first.conn.Info))
	a.showModes()
	start := a.opts.StartPath
	if start == "" {
		start = a.startPathOf(first)
	}
	if p, err := model.Parse(start); err == nil {
		a.remember(p.String())
	}
	a.reveal(start)
	if len(a.opts.Beside) > 0 && a.opts.Contexts != nil {
		a.connectBeside(a.opts.Beside)
	}
	go a.tickAges()
	return func() {
		a.cancel()
		// Streams end with the context; waiting for them means no
		// connection outlives the UI. Their callbacks never need the UI,
		// so this cannot block on it.
		for _, p := range a.logs.panes {
			p.stop()
		}
		a.opts.trace.close()
		for _, s := range a.roots {
			s.end()
		}
		// The split set just before quitting is remembered too.
		a.settings.wait()
	}
}

// startPathOf is where the tree of context s opens: the namespace from
// --namespace or the context, else /namespaces.
func (a *App) startPathOf(s *session) string {
	if info := s.conn.Info; info.NamespaceExplicit && model.CheckSegment(info.Namespace) == nil {
		return "/namespaces/" + info.Namespace
	}
	return "/namespaces"
}

// newFS makes the model of a context connected to after the start.
func (a *App) newFS(conn *k8s.Conn) *model.FS {
	if a.opts.NewFS != nil {
		return a.opts.NewFS(conn)
	}
	return newFS(conn)
}

// Quit ends the UI: it cancels every background task, waits for the last
// queued UI update to run, then stops the application, so that no goroutine
// is left blocked on a UI that no longer runs.
//
// Safe from any goroutine, including the UI goroutine.
func (a *App) Quit() {
	a.cancel()
	go func() {
		<-a.ui.Done()
		a.life.stop()
	}()
}

// QueueUpdateDraw runs f on the UI goroutine, redraws, and returns once both
// are done. Tests use it to read the UI's state and the screen consistently.
//
// Safe from any goroutine except the UI goroutine; never after Run returned.
func (a *App) QueueUpdateDraw(f func()) { a.tv.QueueUpdateDraw(f) }

// Tree returns the tree view. UI goroutine only.
func (a *App) Tree() *views.Tree { return a.tree }

// Viewer returns the viewer. UI goroutine only.
func (a *App) Viewer() *views.Viewer { return a.viewer }

// flash shows msg in the footer for a while. UI goroutine only.
func (a *App) flash(msg string, isErr bool) {
	a.flashGen++
	gen := a.flashGen
	a.footer.Flash(msg, isErr)
	time.AfterFunc(a.opts.FlashFor, func() {
		a.ui.Do(func() {
			if a.flashGen == gen {
				a.footer.ClearFlash()
			}
		})
	})
}

// showHealth shows in the header whether the API server answers. While it
// does not, the tree keeps what it knew and the listings and log panes
// retry by themselves. UI goroutine only.
func (a *App) showHealth() {
	if !a.showDown() {
		a.flash("reconnected to the API server", false)
	}
}

// showDown shows in the header whether the API server of the current
// context answers, and reports whether it is down. UI goroutine only.
func (a *App) showDown() bool {
	st := a.conn.Health().State()
	if st.Down {
		a.header.SetDown(fmt.Sprintf("since %s: %v; showing what was last known, retrying", st.Since.Format("15:04:05"), st.Err))
		return true
	}
	a.header.SetDown("")
	return false
}

// reveal expands the directories down to the tree key path one by one,
// as each listing arrives, and selects path when it shows. UI goroutine
// only (before Run counts).
func (a *App) reveal(path string) {
	s, p, err := a.resolve(path)
	if err != nil {
		a.flash(err.Error(), true)
		return
	}
	a.revealing, a.revealIn = p, s
	s.fs.Prefetch(p)
	// A type hidden for being empty is still where the user asked to go.
	if parent, changed := s.fs.Keep(p); changed && a.tree.IsExpanded(a.key(s, parent)) {
		s.dirs.load(parent)
	}
	a.continueReveal()
}

// continueReveal takes the next step of a reveal: the deepest directory on
// the way that the tree already holds is expanded, and once path itself is
// there it is selected and the reveal ends.
func (a *App) continueReveal() {
	if a.revealing == (model.Path{}) {
		return
	}
	s, target := a.revealIn, a.revealing
	key := a.key(s, target)
	if a.tree.Has(key) {
		if a.tree.Hidden(key) {
			a.clearTreeFilter() // the user asked for it: say why it shows
		}
		a.tree.Select(key)
		if target.IsDir() && !a.tree.IsExpanded(key) {
			a.showKids = key
			a.expand(key)
		}
		a.revealing, a.revealIn = model.Path{}, nil
		if a.openAfterReveal && !target.IsDir() {
			a.openAfterReveal = false
			a.openSelected()
		}
		return
	}
	for _, anc := range target.Ancestors() {
		k := a.key(s, anc)
		if !a.tree.Has(k) {
			return // its parent is loading; applyDir calls back
		}
		if !a.tree.IsExpanded(k) {
			a.expand(k)
		}
	}
}
