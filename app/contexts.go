package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// Switching contexts: the tree shows one context of the kubeconfig at a
// time; :ctx NAME shows another, connecting first (off the UI goroutine)
// if no connection to it is open, and each context keeps its place (the
// directories open, the selection) for when it shows again. :ctx - goes
// back to the one before, as kubectx - does. Connections stay open; the
// listings of a context the tree no longer shows are released and stop
// after the idle timeout, as listings of closed directories do.

// session is one context as the tree shows it.
type session struct {
	name string
	conn *k8s.Conn
	fs   *model.FS
	// The place to come back to, kept while another context shows.
	open     []model.Path // directories expanded
	selected string       // the selection
	seen     bool         // shown before: open and selected hold its place
}

// startSession shows session s in the tree's place: its listings feed the
// tree and its health the header. It returns what ends that. UI goroutine
// only.
func (a *App) startSession(s *session) (end func()) {
	a.cur, a.conn, a.fs = s, s.conn, s.fs
	stopCatalog := a.conn.FollowCatalog()
	dctx, cancel := context.WithCancel(a.ctx)
	d := newDirTracker(dctx, a, s.conn, s.fs)
	a.dirs = d
	stopDirs := d.start()
	unsubscribe := s.conn.Health().Subscribe(func() { a.ui.Do(a.showHealth) })
	a.header.SetInfo(headerInfo(s.conn.Info))
	return func() {
		unsubscribe()
		stopDirs()
		cancel()
		d.stop()
		stopCatalog()
	}
}

// contextName is the name of the context the tree shows; "" when
// kfsui runs on a connection of its own (tests) or a kubeconfig without
// contexts.
func (a *App) contextName() string {
	if a.cur == nil {
		return ""
	}
	return a.cur.name
}

// qualify returns path as it must be written to name it from anywhere:
// CONTEXT:/PATH when the tree shows another context than the starting
// one, else path as it is.
func (a *App) qualify(path string) string {
	if a.opts.Contexts == nil || a.contextName() == a.opts.Contexts.Start() || a.contextName() == "" {
		return path
	}
	return model.Ref{Context: a.contextName()}.String() + path
}

// switchContext shows context name in the tree ("-": the one shown
// before). UI goroutine only.
func (a *App) switchContext(name string) {
	cs := a.opts.Contexts
	switch {
	case cs == nil:
		a.flash("one context only: this session was given its connection", true)
		return
	case name == "-":
		if a.prevContext == "" {
			a.flash("no context before this one", true)
			return
		}
		name = a.prevContext
	case name == "":
		a.flash("which context? "+strings.Join(cs.Names(), ", "), true)
		return
	}
	if !cs.Has(name) {
		a.flash(fmt.Sprintf("unknown context %q (the kubeconfig has: %s)", name, strings.Join(cs.Names(), ", ")), true)
		return
	}
	if name == a.contextName() {
		a.flash("already on context "+name, false)
		return
	}
	a.switching = name
	if conn, ok := cs.Connected(name); ok {
		a.adopt(name, conn)
		return
	}
	if target, err := cs.Target(name); err == nil && target.Interactive() {
		a.connectInteractive(name)
		return
	}
	a.flash("connecting to context "+name+"…", false)
	go func() {
		conn, err := cs.Conn(a.ctx, name)
		a.ui.Do(func() {
			if a.switching != name {
				return // another switch came since
			}
			a.switching = ""
			if err != nil {
				a.afterSwitch = model.Path{}
				a.flash("context "+name+": "+oneLine(err), true)
				return
			}
			a.adopt(name, conn)
		})
	}()
}

// connectInteractive connects to context name, whose login plugin may ask
// the user something (an OIDC or MFA prompt), with the terminal handed to
// it: the UI is suspended meanwhile and comes back after. UI goroutine
// only.
func (a *App) connectInteractive(name string) {
	var conn *k8s.Conn
	var err error
	a.tv.Suspend(func() {
		restore := stderrToTerminal()
		defer restore()
		fmt.Fprintf(os.Stderr, "kfsui: connecting to context %q; its login plugin may ask you something here.\n", name)
		conn, err = a.opts.Contexts.Conn(a.ctx, name)
	})
	// Resuming redraws only the cells tcell thinks changed, and the
	// prompt wrote over the others: repaint all. From another goroutine,
	// as tview queues it to this one.
	go a.tv.Sync()
	a.switching = ""
	if err != nil {
		a.afterSwitch = model.Path{}
		a.flash("context "+name+": "+oneLine(err), true)
		return
	}
	a.adopt(name, conn)
}

// adopt shows context name, connected through conn, in the tree, where it
// was left if it showed before. UI goroutine only.
func (a *App) adopt(name string, conn *k8s.Conn) {
	a.switching = ""
	old := a.cur
	old.open = a.dirs.openDirs()
	old.selected, _ = a.tree.Selected()
	old.seen = true
	a.endSession()
	s := a.sessions[name]
	if s == nil || s.conn != conn {
		s = &session{name: name, conn: conn, fs: a.newFS(conn)}
		a.sessions[name] = s
	}
	// The toggles of the session go with the user, not the context.
	s.fs.SetHideEmptyTypes(old.fs.HideEmptyTypes())
	s.fs.SetRevealSecrets(old.fs.RevealSecrets())
	a.prevContext = old.name

	if a.leafCancel != nil {
		a.leafCancel()
	}
	a.shownDiff = nil
	a.viewer.ShowMessage("", "context "+name+": select a leaf in the tree and press Enter to open it here.", false)
	a.tree.Reset()
	a.revealing, a.showKids, a.restoring = model.Path{}, "", nil
	clear(a.dirErrs)
	a.endSession = a.startSession(s)
	a.showHealth()
	a.showModes()
	switch to := a.afterSwitch; {
	case to != model.Path{}:
		a.afterSwitch = model.Path{}
		if s.seen {
			a.restorePlace(s)
		}
		a.goTo(to, true)
	case s.seen:
		a.restorePlace(s)
	default:
		a.reveal(a.startPath())
	}
	a.flash("context "+name, false)
}

// restorePlace opens the directories s had open, each as its parent's
// listing shows it, and selects what was selected. UI goroutine only.
func (a *App) restorePlace(s *session) {
	a.restoring = map[string]bool{}
	for _, p := range s.open {
		a.restoring[p.String()] = true
	}
	if a.restoring["/"] {
		delete(a.restoring, "/")
		a.expand("/")
	}
	if sel, err := model.Parse(s.selected); err == nil {
		a.reveal(sel.String())
	}
}

// restoreChildren opens the children of dir that the place being
// restored had open. UI goroutine only.
func (a *App) restoreChildren(dir string) {
	if len(a.restoring) == 0 {
		return
	}
	for _, child := range a.tree.ChildPaths(dir) {
		if a.restoring[child] {
			delete(a.restoring, child)
			if !a.tree.IsExpanded(child) {
				a.expand(child)
			}
		}
	}
}

// contextCandidates completes :ctx's argument: the kubeconfig's contexts
// starting with prefix, and "-" when there is a context to go back to.
func (a *App) contextCandidates(prefix string) []string {
	cs := a.opts.Contexts
	if cs == nil {
		return nil
	}
	var out []string
	for _, n := range cs.Names() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	if a.prevContext != "" && strings.HasPrefix("-", prefix) {
		out = append(out, "-")
	}
	slices.Sort(out)
	return out
}

// contextCommand runs what the jump bar holds if it is about contexts:
// "ctx" or "context" alone picks one from a list, with a name switches to
// it ("-": back), and CONTEXT:/PATH goes to PATH in CONTEXT. It reports
// whether text was one of those. UI goroutine only.
func (a *App) contextCommand(text string) bool {
	word, rest, _ := strings.Cut(text, " ")
	switch word {
	case "ctx", "context":
		if rest = strings.TrimSpace(rest); rest == "" {
			a.pickContext()
		} else {
			a.switchContext(rest)
		}
		return true
	}
	cs := a.opts.Contexts
	if cs == nil || strings.HasPrefix(text, "/") {
		return false
	}
	ref, err := model.ParseRef(text, cs.Names())
	if err != nil || ref.Context == "" {
		return false
	}
	if ref.Context == a.contextName() {
		a.goTo(ref.Path, true)
		return true
	}
	a.afterSwitch = ref.Path
	a.switchContext(ref.Context)
	return true
}

// contextsPage is the name of the page listing the contexts to pick from.
const contextsPage = "contexts"

// pickContext lists the kubeconfig's contexts, the one shown marked and
// selected; Enter switches to the one selected, Esc closes the list. UI
// goroutine only.
func (a *App) pickContext() {
	cs := a.opts.Contexts
	if cs == nil {
		a.flash("one context only: this session was given its connection", true)
		return
	}
	list := tview.NewList().ShowSecondaryText(false).SetHighlightFullLine(true)
	list.SetBorder(true).SetTitle(" contexts (Enter switches, Esc closes) ").SetTitleAlign(tview.AlignLeft)
	list.SetBackgroundColor(a.theme.Background).SetBorderColor(a.theme.Focus).SetTitleColor(a.theme.Title)
	list.SetMainTextColor(a.theme.Foreground).SetSelectedBackgroundColor(a.theme.Selection)
	back := a.tv.GetFocus()
	closeList := func() {
		a.pages.RemovePage(contextsPage)
		a.focus(back)
	}
	for i, name := range cs.Names() {
		mark := "  "
		if name == a.contextName() {
			mark = "* "
			defer list.SetCurrentItem(i)
		}
		list.AddItem(mark+tview.Escape(name), "", 0, func() {
			closeList()
			a.switchContext(name)
		})
	}
	list.SetDoneFunc(closeList)
	width := 40
	for _, n := range cs.Names() {
		width = max(width, min(len(n)+8, 120))
	}
	a.pages.AddPage(contextsPage, centered(list, width, min(len(cs.Names())+2, 20)), true, true)
	a.tv.SetFocus(list)
}
