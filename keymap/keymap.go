// Package keymap is kfsui's table of named actions: each with its keys, a
// description and the scope it works in. Input handling, the help screen
// and the footer hints all read this one table, so they cannot disagree.
//
// Concurrency: a Keymap is read-only after construction; share it freely.
package keymap

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
)

// Action names something the user can do. Names are stable: keymap files
// refer to them.
type Action string

// Scope says where a binding works.
type Scope string

// Scopes, from the most general.
const (
	ScopeGlobal Scope = "global"
	ScopeTree   Scope = "tree"
	ScopeViewer Scope = "viewer"
)

// The actions.
const (
	Up         Action = "up"
	Down       Action = "down"
	PageUp     Action = "page-up"
	PageDown   Action = "page-down"
	Top        Action = "top"
	Bottom     Action = "bottom"
	Open       Action = "open"
	Close      Action = "close"
	Back       Action = "back"
	SwitchPane Action = "switch-pane"
	Refresh    Action = "refresh"
	Help       Action = "help"
	Quit       Action = "quit"
)

// Binding ties an action to its keys.
type Binding struct {
	Action      Action
	Keys        []Key
	Description string
	Scope       Scope
	// Hint marks the bindings the footer shows.
	Hint bool
}

// Keymap is an ordered table of bindings.
type Keymap struct {
	bindings []Binding
	index    map[Scope]map[Key]Action
}

// defaults is the built-in table, in help order.
var defaults = []struct {
	action Action
	scope  Scope
	keys   string
	desc   string
	hint   bool
}{
	{Up, ScopeGlobal, "up k", "move up / scroll up", false},
	{Down, ScopeGlobal, "down j", "move down / scroll down", false},
	{PageUp, ScopeGlobal, "pgup ctrl-b", "page up", false},
	{PageDown, ScopeGlobal, "pgdn ctrl-f", "page down", false},
	{Top, ScopeGlobal, "g home", "go to top", false},
	{Bottom, ScopeGlobal, "G end", "go to bottom", false},
	{Open, ScopeTree, "enter right l", "expand a directory / open a leaf", true},
	{Close, ScopeTree, "left h", "collapse / go to parent", true},
	{Back, ScopeViewer, "esc left h", "back to the tree", true},
	{SwitchPane, ScopeGlobal, "tab", "switch pane", true},
	{Refresh, ScopeGlobal, "r", "refresh the selection", true},
	{Help, ScopeGlobal, "?", "show or hide help", true},
	{Quit, ScopeGlobal, "q ctrl-c", "quit", true},
}

// Default returns the built-in keymap.
func Default() *Keymap {
	var bs []Binding
	for _, d := range defaults {
		b := Binding{Action: d.action, Scope: d.scope, Description: d.desc, Hint: d.hint}
		for _, f := range strings.Fields(d.keys) {
			k, err := ParseKey(f)
			if err != nil {
				panic(fmt.Sprintf("keymap: bad default key %q for %s: %v", f, d.action, err))
			}
			b.Keys = append(b.Keys, k)
		}
		bs = append(bs, b)
	}
	return New(bs)
}

// New builds a keymap from bindings, in the given order.
func New(bindings []Binding) *Keymap {
	m := &Keymap{bindings: bindings, index: map[Scope]map[Key]Action{}}
	for _, b := range bindings {
		if m.index[b.Scope] == nil {
			m.index[b.Scope] = map[Key]Action{}
		}
		for _, k := range b.Keys {
			m.index[b.Scope][k] = b.Action
		}
	}
	return m
}

// Bindings returns the table in help order. Do not modify it.
func (m *Keymap) Bindings() []Binding { return m.bindings }

// Lookup returns the action ev triggers in scope: a binding of that scope
// first, then a global one.
func (m *Keymap) Lookup(scope Scope, ev *tcell.EventKey) (Action, bool) {
	if ev.Modifiers()&(tcell.ModAlt|tcell.ModMeta) != 0 {
		// Alt-j is not j: leave Alt chords to the terminal.
		return "", false
	}
	k := FromEvent(ev)
	if a, ok := m.index[scope][k]; ok {
		return a, true
	}
	a, ok := m.index[ScopeGlobal][k]
	return a, ok
}

// KeyLabels returns the binding's keys as help shows them, e.g. "q, Ctrl-C".
func (b Binding) KeyLabels() string {
	labels := make([]string, len(b.Keys))
	for i, k := range b.Keys {
		labels[i] = k.Label()
	}
	return strings.Join(labels, ", ")
}
