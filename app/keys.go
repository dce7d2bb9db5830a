package app

import (
	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
)

// Keys are data. The keymap (package keymap) says which keys each action
// has in each scope and how the help and the footer describe it; the
// controller of a scope (treekeys.go, viewerkeys.go, logkeys.go) says what
// each action does there, as a list of bindings. A new key is a new
// action in keymap and one binding in the controller of its scope.

// binding is what one action does in a controller's scope.
type binding struct {
	action keymap.Action
	run    func()
}

// controller is the keys of one scope.
type controller interface {
	scope() keymap.Scope
	bindings() []binding
}

// bindActions builds what each action does in each scope from the
// controllers. Actions without a binding in a scope do nothing there.
func (a *App) bindActions() map[keymap.Scope]map[keymap.Action]func() {
	out := map[keymap.Scope]map[keymap.Action]func(){}
	for _, c := range []controller{treeKeys{a}, viewerKeys{a}, logKeys{a}} {
		m := map[keymap.Action]func(){}
		for _, b := range append(a.commonBindings(), c.bindings()...) {
			m[b.action] = b.run
		}
		out[c.scope()] = m
	}
	return out
}

// commonBindings are the actions every pane has.
func (a *App) commonBindings() []binding {
	return []binding{
		{keymap.SwitchPane, a.switchPane},
		{keymap.Help, a.showHelp},
		{keymap.Quit, a.Quit},
		{keymap.Jump, a.jump},
		{keymap.HistoryBack, func() { a.historyStep(-1) }},
		{keymap.HistoryFwd, func() { a.historyStep(1) }},
		{keymap.TreeNarrow, func() { a.resizeTree(-5) }},
		{keymap.TreeWiden, func() { a.resizeTree(5) }},
	}
}

// handleKey routes every key through the keymap. Keys without a binding in
// the focused pane's scope are swallowed, so tview's built-in keys never act
// behind the keymap's back. UI goroutine only.
func (a *App) handleKey(ev *tcell.EventKey) *tcell.EventKey {
	a.opts.Trace.Key(ev.Name(), ev.When())
	switch name, _ := a.pages.GetFrontPage(); {
	case name == "help":
		return a.helpKey(ev)
	case name == contextsPage || a.prompting != nil:
		// The list's keys (arrows, j and k, Enter, Esc), or the prompt's
		// own editing keys, Enter and Esc.
		if ev.Key() == tcell.KeyCtrlC {
			a.Quit()
			return nil
		}
		return ev
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

// helpKey handles a key while the help shows: it closes it, or scrolls.
func (a *App) helpKey(ev *tcell.EventKey) *tcell.EventKey {
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

// scope is the scope of the pane with the keyboard.
func (a *App) scope() keymap.Scope {
	switch {
	case a.viewer.HasFocus():
		return keymap.ScopeViewer
	case a.logs.focused() != nil:
		return keymap.ScopeLog
	}
	return keymap.ScopeTree
}
