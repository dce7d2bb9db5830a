package app

import (
	"context"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// handleKey routes every key through the keymap. Keys without a binding in
// the focused pane's scope are swallowed, so tview's built-in keys never act
// behind the keymap's back. UI goroutine only.
func (a *App) handleKey(ev *tcell.EventKey) *tcell.EventKey {
	a.opts.trace.key(ev)
	if name, _ := a.pages.GetFrontPage(); name == "help" {
		action, _ := a.keys.Lookup(keymap.ScopeGlobal, ev)
		switch {
		case action == keymap.Quit && ev.Key() == tcell.KeyCtrlC:
			a.Quit()
		case action == keymap.Help || action == keymap.Quit || ev.Key() == tcell.KeyEscape:
			a.hideHelp()
		default:
			return ev // let the help text scroll
		}
		return nil
	}
	if name, _ := a.pages.GetFrontPage(); name == contextsPage {
		if ev.Key() == tcell.KeyCtrlC {
			a.Quit()
			return nil
		}
		return ev // the list's keys: arrows, j and k, Enter, Esc
	}
	if a.prompting != nil {
		if ev.Key() == tcell.KeyCtrlC {
			a.Quit()
			return nil
		}
		return ev // the prompt's own editing keys, Enter and Esc
	}
	scope := a.scope()
	action, ok := a.keys.Lookup(scope, ev)
	if !ok {
		if ev.Key() == tcell.KeyCtrlC {
			// Whatever the keymap says, Ctrl-C always gets out.
			a.Quit()
		}
		return nil
	}
	// The user is steering now: a reveal still waiting for a listing must
	// not yank the selection away later.
	a.revealing = model.Path{}
	if run := a.actions[scope][action]; run != nil {
		run()
	}
	return nil
}

func (a *App) scope() keymap.Scope {
	switch {
	case a.viewer.HasFocus():
		return keymap.ScopeViewer
	case a.logs.focused() != nil:
		return keymap.ScopeLog
	}
	return keymap.ScopeTree
}

// bindActions builds what each action does in each scope. Actions without
// an entry in a scope do nothing there.
func (a *App) bindActions() map[keymap.Scope]map[keymap.Action]func() {
	common := func() map[keymap.Action]func() {
		return map[keymap.Action]func(){
			keymap.SwitchPane:  a.switchPane,
			keymap.Help:        a.showHelp,
			keymap.Quit:        a.Quit,
			keymap.Jump:        a.jump,
			keymap.HistoryBack: func() { a.historyStep(-1) },
			keymap.HistoryFwd:  func() { a.historyStep(1) },
			keymap.TreeNarrow:  func() { a.resizeTree(-5) },
			keymap.TreeWiden:   func() { a.resizeTree(5) },
		}
	}
	viewer := common()
	for k, f := range map[keymap.Action]func(){
		keymap.Up:         func() { a.viewerMove(-1) },
		keymap.Down:       func() { a.viewerMove(1) },
		keymap.Open:       a.followLink,
		keymap.PageUp:     func() { a.viewer.Page(-1) },
		keymap.PageDown:   func() { a.viewer.Page(1) },
		keymap.Top:        a.viewer.Top,
		keymap.Bottom:     a.viewer.Bottom,
		keymap.Refresh:    a.refreshLeaf,
		keymap.Back:       func() { a.focus(a.tree) },
		keymap.DiffMark:   a.markOrDiff,
		keymap.DiffAcross: a.diffAcross,
		keymap.Yank: func() {
			if a.viewer.Text() == "" {
				a.flash("nothing to copy: open a leaf first", true)
				return
			}
			a.yank(a.viewer.Path(), a.viewer.Text())
		},
		keymap.YankPath: func() {
			switch p := a.viewer.Path(); {
			case p == "" || a.shownDiff != nil:
				a.yankPath(p) // a diff's title names both leaves
			default:
				a.yankPath(a.qualify(p))
			}
		},
		keymap.Search:    a.searchViewer,
		keymap.Reveal:    a.toggleSecrets,
		keymap.NextMatch: func() { a.viewer.NextMatch(false) },
		keymap.PrevMatch: func() { a.viewer.NextMatch(true) },
	} {
		viewer[k] = f
	}
	tree := common()
	for k, f := range map[keymap.Action]func(){
		keymap.Up:          func() { a.tree.Move(-1) },
		keymap.Down:        func() { a.tree.Move(1) },
		keymap.PageUp:      func() { a.tree.Page(-1) },
		keymap.PageDown:    func() { a.tree.Page(1) },
		keymap.Top:         a.tree.Top,
		keymap.Bottom:      a.tree.Bottom,
		keymap.Open:        a.openSelected,
		keymap.Close:       a.closeSelected,
		keymap.Refresh:     a.refreshSelected,
		keymap.MergedLogs:  a.openMergedLogs,
		keymap.HideEmpty:   a.toggleEmptyTypes,
		keymap.SortNext:    func() { a.sortTable(false) },
		keymap.SortReverse: func() { a.sortTable(true) },
		keymap.Wide:        a.toggleWide,
		keymap.Reveal:      a.toggleSecrets,
		keymap.Filter:      a.filterTree,
		keymap.ClearFilter: a.clearTreeFilter,
		keymap.Yank:        a.yankSelected,
		keymap.DiffMark:    a.markOrDiff,
		keymap.DiffAcross:  a.diffAcross,
		keymap.YankPath: func() {
			p, _ := a.tree.Selected()
			if p != "" {
				p = a.qualify(p)
			}
			a.yankPath(p)
		},
	} {
		tree[k] = f
	}
	for i := 1; i <= 9; i++ {
		tree[keymap.Favorite(i)] = func() { a.favorite(i) }
	}
	log := common()
	for k, f := range a.logActions() {
		log[k] = f
	}
	return map[keymap.Scope]map[keymap.Action]func(){keymap.ScopeViewer: viewer, keymap.ScopeTree: tree, keymap.ScopeLog: log}
}

// yankPath copies a path.
func (a *App) yankPath(path string) {
	if path == "" {
		a.flash("nothing selected", true)
		return
	}
	a.yank("the path", path)
}

// yankSelected copies the selected leaf's text as the viewer shows it:
// from the viewer when it shows that leaf, else fetched for the purpose.
func (a *App) yankSelected() {
	path, dir := a.tree.Selected()
	switch {
	case path == "" || dir:
		a.flash("select a leaf to copy its text (Y copies the path)", true)
		return
	case strings.HasSuffix(path, ".log"):
		a.flash("open the log (Enter) and copy from its pane", true)
		return
	case a.viewer.Path() == path && a.viewer.Text() != "":
		a.yank(path, a.viewer.Text())
		return
	}
	sess, p, err := a.resolve(path)
	if err != nil {
		a.flash(err.Error(), true)
		return
	}
	fs := sess.fs
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		leaf, err := fs.Read(ctx, p)
		a.ui.Do(func() {
			if err != nil {
				a.flash(err.Error(), true)
				return
			}
			a.yank(path, leaf.Text)
		})
	}()
}

// switchPane moves the keyboard to the next pane: tree, viewer, then each
// log pane, and round.
func (a *App) switchPane() {
	panes := a.focusables()
	cur := a.tv.GetFocus()
	for i, p := range panes {
		if p == cur {
			a.focus(panes[(i+1)%len(panes)])
			return
		}
	}
	a.focus(panes[0])
}

// focus gives p the keyboard and restyles the panes and the hints.
func (a *App) focus(p tview.Primitive) {
	a.tv.SetFocus(p)
	a.styleFocus()
	a.footer.SetScope(a.scope())
}

func (a *App) showHelp() {
	a.helpReturn = a.tv.GetFocus()
	a.pages.ShowPage("help")
}

// hideHelp closes the help and gives the keyboard back to the pane that had
// it: hiding a page would otherwise focus the tree.
func (a *App) hideHelp() {
	a.pages.HidePage("help")
	if a.helpReturn != nil {
		a.focus(a.helpReturn)
	}
}

// openSelected expands a collapsed directory, steps into an expanded one,
// or opens a leaf in the viewer.
func (a *App) openSelected() {
	path, dir := a.tree.Selected()
	switch {
	case path == "":
	case !dir && strings.HasSuffix(path, ".log"):
		a.remember(path)
		a.openLog(path)
	case !dir:
		a.remember(path)
		a.openLeaf(path, leafOpen)
	case a.isLogsDir(path):
		// A logs directory opens as one pane of every log below it,
		// and shows what it holds.
		if !a.tree.IsExpanded(path) {
			a.expand(path)
		}
		a.openLogsBelow(path)
	case !a.tree.IsExpanded(path):
		a.showKids = path
		a.expand(path)
	default:
		if kids := a.tree.ChildPaths(path); len(kids) > 0 {
			a.tree.Select(kids[0])
		}
	}
}

// isLogsDir reports whether tree key path names a logs directory: a pod's,
// a workload's or one of a workload's pods'.
func (a *App) isLogsDir(path string) bool {
	_, p, err := a.resolve(path)
	return err == nil && (p.Kind == model.KindLogsDir || p.Kind == model.KindPodLogsDir)
}

// click acts on a clicked tree entry: a directory opens or closes, a leaf
// opens.
func (a *App) click() {
	a.revealing = model.Path{}
	path, dir := a.tree.Selected()
	if dir && a.tree.IsExpanded(path) && path != "/" {
		a.collapse(path)
		return
	}
	a.openSelected()
}

// closeSelected collapses an expanded directory, or selects the parent.
func (a *App) closeSelected() {
	path, dir := a.tree.Selected()
	if path == "" {
		return
	}
	if dir && a.tree.IsExpanded(path) && path != "/" {
		a.collapse(path)
		return
	}
	if s, p, err := a.resolve(path); err == nil && p.Kind != model.KindRoot {
		a.tree.Select(a.key(s, p.Parent()))
	} else if err == nil && a.multi() {
		a.tree.Select("/") // from a context's root to the tree's own
	}
}

// refreshSelected fetches a selected leaf again, or re-reads a directory:
// types without watch are listed again, and the type directories ask
// discovery again.
func (a *App) refreshSelected() {
	path, dir := a.tree.Selected()
	if path == "" {
		return
	}
	if !dir {
		mode := leafOpen
		if a.viewer.Path() == path {
			mode = leafRefresh
		}
		a.openLeaf(path, mode)
		return
	}
	s, p, err := a.resolve(path)
	if err != nil {
		return
	}
	switch p.Kind {
	case model.KindRoot, model.KindNamespace, model.KindClusterDir:
		conn := s.conn
		go func() {
			if err := conn.Rediscover(); err != nil {
				a.ui.Do(func() { a.flash("discovery: "+err.Error(), true) })
			}
		}()
	}
	s.fs.Refresh(p)
	if a.tree.IsExpanded(path) {
		s.dirs.load(p)
	}
	a.flash("refreshed "+path, false)
}

// toggleEmptyTypes hides or shows again the types without objects in the
// namespace directories and /cluster, and re-reads those that are open.
func (a *App) toggleEmptyTypes() {
	on := !a.fs.HideEmptyTypes()
	for _, s := range a.roots {
		s.fs.SetHideEmptyTypes(on)
	}
	if s, sel, err := a.resolve(a.selectedPath()); err == nil {
		s.fs.Keep(sel) // the selection stays where it is
	}
	for _, s := range a.roots {
		for _, p := range s.dirs.openDirs() {
			if p.Kind == model.KindNamespace || p.Kind == model.KindClusterDir {
				s.fs.Refresh(p) // check afresh
				s.dirs.load(p)
			}
		}
	}
	a.showModes()
	if on {
		a.flash("types without objects hidden", false)
	} else {
		a.flash("all types shown", false)
	}
}

// toggleSecrets shows or hides Secrets' values, and fetches the leaf in the
// viewer again if it is a Secret's manifest.
func (a *App) toggleSecrets() {
	on := !a.fs.RevealSecrets()
	for _, s := range a.roots {
		s.fs.SetRevealSecrets(on)
	}
	a.showModes()
	if s, p, err := a.resolve(a.viewer.Path()); err == nil && p.Kind == model.KindLeaf {
		if t, err := s.fs.TypeOf(p); err == nil && t.IsCore("secrets") {
			a.openLeaf(a.viewer.Path(), leafAuto)
		}
	}
	if on {
		a.flash("Secrets' values shown, decoded; y copies them as shown", false)
	} else {
		a.flash("Secrets' values hidden", false)
	}
}

// showModes puts the modes that change what is shown into the header.
func (a *App) showModes() {
	modes := append([]string(nil), a.baseModes...)
	if a.fs.HideEmptyTypes() {
		modes = append(modes, "hide-empty")
	}
	if a.fs.RevealSecrets() {
		modes = append(modes, "SECRETS REVEALED")
	}
	a.header.SetModes(modes...)
}

// selectedPath returns the tree's selection.
func (a *App) selectedPath() string {
	p, _ := a.tree.Selected()
	return p
}

// refreshLeaf fetches the viewer's leaf again, keeping its scroll position.
func (a *App) refreshLeaf() {
	if a.shownDiff != nil {
		a.showDiff(a.shownDiff)
		return
	}
	if path := a.viewer.Path(); path != "" {
		a.openLeaf(path, leafRefresh)
	}
}

// leafMode says why a leaf is fetched.
type leafMode int

const (
	leafOpen    leafMode = iota // opened: "loading…" until it arrives
	leafRefresh                 // refreshed by the user: old text stays, a flash confirms
	leafAuto                    // refreshed by the timer: old text stays, silently
)

// openLeaf shows leaf path in the viewer, fetched anew with a GET. A
// refresh keeps the old text on screen until the new one arrives. With
// Options.Refresh set, the leaf is fetched again that long after each
// answer for as long as it is shown.
func (a *App) openLeaf(path string, mode leafMode) {
	sess, p, err := a.resolve(path)
	if err != nil {
		a.viewer.ShowMessage(path, err.Error(), true)
		return
	}
	if a.leafCancel != nil {
		a.leafCancel()
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.leafCancel = cancel
	a.shownDiff = nil
	if mode == leafOpen {
		a.viewer.ShowMessage(path, "loading…", false)
		a.opts.trace.leafLoading(path)
	}
	theme := a.theme
	shown := a.viewer.Text()
	fs := sess.fs
	go func() {
		leaf, err := fs.Read(ctx, p)
		if mode == leafAuto && err == nil && leaf.Text == shown {
			// Unchanged: no highlighting, no redraw; only the next
			// refresh to schedule.
			a.ui.Do(func() {
				if ctx.Err() == nil && a.viewer.Path() == path {
					a.scheduleLeafRefresh(ctx, path)
				}
			})
			return
		}
		// Highlighting a large manifest takes a while: not on the UI
		// goroutine.
		var tagged string
		switch {
		case err == nil && leaf.Format == model.FormatDiff:
			tagged = views.HighlightDiff(leaf.Text, theme)
		case err == nil:
			tagged = views.Highlight(leaf.Text, syntaxOf(leaf.Format), theme.Chroma)
		}
		a.ui.Do(func() {
			// Another leaf may have been opened meanwhile.
			if ctx.Err() != nil || a.viewer.Path() != path {
				return
			}
			a.scheduleLeafRefresh(ctx, path)
			if err != nil {
				if mode != leafAuto {
					a.viewer.ShowMessage(path, err.Error(), true)
					a.opts.trace.leaf(path, 0, err)
				} else {
					// Keep the last text: a passing outage should not
					// blank what the user reads.
					a.flash(path+": "+err.Error(), true)
				}
				return
			}
			selected := a.viewer.Link()
			a.viewer.Show(path, leaf.Text, tagged)
			if len(leaf.Links) > 0 {
				a.showLinks(sess, p, leaf.Links, selected)
			}
			a.opts.trace.leaf(path, len(leaf.Text), nil)
			if mode == leafRefresh {
				a.flash("refreshed "+path, false)
			}
		})
	}()
}

// showLinks makes the lines of the leaf shown (tree.txt) that name objects
// lead to them, selecting the line selected before a refresh, else the
// line of the leaf's own object. UI goroutine only.
func (a *App) showLinks(sess *session, leaf model.Path, links map[int]model.Path, selected string) {
	targets := make(map[int]string, len(links))
	sel := -1
	for line, p := range links {
		key := a.key(sess, p)
		targets[line] = key
		if key == selected || selected == "" && p == leaf.Parent() {
			sel = line
		}
	}
	a.viewer.SetLinks(targets, sel)
}

// viewerMove moves the viewer's selected line where its text has links
// (tree.txt), and scrolls it otherwise. UI goroutine only.
func (a *App) viewerMove(n int) {
	if a.viewer.HasLinks() {
		a.viewer.MoveLink(n)
		return
	}
	a.viewer.ScrollBy(n)
}

// followLink goes to the object on the viewer's selected line, as a jump
// would. UI goroutine only.
func (a *App) followLink() {
	key := a.viewer.Link()
	if key == "" {
		a.flash("nothing to go to here: Enter follows the lines of a tree.txt", true)
		return
	}
	a.remember(key)
	a.focus(a.tree)
	a.openAfterReveal = false
	a.reveal(key)
}

// scheduleLeafRefresh fetches leaf path again after Options.Refresh, unless
// ctx ended meanwhile (another leaf was opened, or this one refreshed by
// hand). UI goroutine only.
func (a *App) scheduleLeafRefresh(ctx context.Context, path string) {
	if a.opts.Refresh <= 0 {
		return
	}
	t := time.AfterFunc(a.opts.Refresh, func() {
		a.ui.Do(func() {
			if ctx.Err() == nil && a.viewer.Path() == path {
				a.openLeaf(path, leafAuto)
			}
		})
	})
	// Another leaf, a refresh by hand or quitting ends ctx: no timer
	// waits on for nothing.
	context.AfterFunc(ctx, func() { t.Stop() })
}

func syntaxOf(f model.Format) views.Syntax {
	switch f {
	case model.FormatYAML:
		return views.SyntaxYAML
	case model.FormatJSON:
		return views.SyntaxJSON
	case model.FormatEvents:
		return views.SyntaxEvents
	}
	return views.SyntaxPlain
}
