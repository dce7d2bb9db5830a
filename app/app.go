// Package app is kfsui's interactive terminal UI: it connects the data
// side (k8s, model) to the widgets (views) and routes keys through the
// keymap to the controller of the pane in focus.
//
// Concurrency: App's exported methods are safe from any goroutine unless
// their doc says otherwise. Background work reaches the UI only through the
// app's uiQueue, and every UI change made for a piece of work re-checks that
// the selection is still the one the work was for.
package app

import (
	"context"
	"sync/atomic"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
	"github.com/kfsui/kfsui/views"
)

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
	// metrics are how the metrics columns of each pods or nodes
	// directory stand, for the breadcrumb and the footer.
	metrics map[string]k8s.Metrics
	// pending counts, for each directory whose rows are still being
	// filled in (Helm's CHART), the rows to come.
	pending map[string]int
	// metricsSaid are the reasons for no metrics the footer has given.
	metricsSaid map[string]bool
	showKids    string       // a directory whose children to scroll into view once listed
	baseModes   []string     // the header's modes that never change
	treeWidth   int          // the tree pane's share of the width, in percent
	config      configWriter // writes the split to config.yaml

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
	diffRaw   bool       // diffs compare objects' manifest.yaml as stored, not neat
}

// New builds the UI; nothing is drawn or fetched until Run.
func New(o Options) *App {
	o = o.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	life := o.life
	if life == nil {
		life = newLifecycle(o.Screen, o.Trace)
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

		dirErrs:     map[string]string{},
		metrics:     map[string]k8s.Metrics{},
		metricsSaid: map[string]bool{},
		pending:     map[string]int{},
		treeWidth:   o.TreeWidth,
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
	a.build()
	a.actions = a.bindActions()
	// Keys never reach the tree, so only a click calls this.
	a.tree.SetSelectedFunc(treeKeys{a}.click)
	a.tv.SetInputCapture(a.handleKey)
	// Not from focus callbacks: tview calls them holding the primitive's
	// lock, and styleFocus asks the primitives whether they have focus.
	a.styleFocus()
	return a
}

// build makes the widgets and lays them out.
func (a *App) build() {
	o := a.opts
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
