// Package keymap is kfsui's table of named actions: each with its keys, a
// description and the scope it works in. Input handling, the help screen
// and the footer hints all read this one table, so they cannot disagree.
//
// Concurrency: a Keymap is read-only after construction; share it freely.
package keymap

import (
	"fmt"
	"slices"
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
	ScopeLog    Scope = "log"
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

	Jump        Action = "jump"
	ClearFilter Action = "clear-filter"
	HistoryBack Action = "back-in-history"
	HistoryFwd  Action = "forward-in-history"
	Yank        Action = "yank"
	YankPath    Action = "yank-path"
	MergedLogs  Action = "merged-logs"
	Follow      Action = "follow"
	Timestamps  Action = "timestamps"
	Wrap        Action = "wrap"
	Previous    Action = "previous"
	SinceTail   Action = "since-tail"
	Since1m     Action = "since-1m"
	Since5m     Action = "since-5m"
	Since15m    Action = "since-15m"
	Since1h     Action = "since-1h"
	SinceAll    Action = "since-all"
	MoreLines   Action = "more-lines"
	FewerLines  Action = "fewer-lines"
	Search      Action = "search"
	NextMatch   Action = "next-match"
	PrevMatch   Action = "prev-match"
	Filter      Action = "filter"
	ClearLog    Action = "clear"
	SaveLog     Action = "save"
	Maximise    Action = "maximise"
	ClosePane   Action = "close-pane"
	ScrollLeft  Action = "scroll-left"
	ScrollRight Action = "scroll-right"
	HideEmpty   Action = "hide-empty-types"
	Reveal      Action = "reveal-secrets"
	SortNext    Action = "sort"
	SortReverse Action = "sort-reverse"
	Wide        Action = "wide"
	TreeNarrow  Action = "tree-narrower"
	TreeWiden   Action = "tree-wider"
	DiffMark    Action = "diff"
	DiffAcross  Action = "diff-contexts"
	DiffRaw     Action = "diff-raw"
	AllNS       Action = "all-namespaces"
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
	{Open, ScopeViewer, "enter", "tree.txt: go to the object on the selected line (up and down select)", false},
	{Filter, ScopeTree, "/", "filter the directory in focus (substring; ~ starts a regex); Esc clears", true},
	{ClearFilter, ScopeTree, "esc", "clear the filter", false},
	{Search, ScopeViewer, "/", "search the text (regex, case-insensitive); highlights every match", true},
	{NextMatch, ScopeViewer, "n", "next match", false},
	{PrevMatch, ScopeViewer, "N", "previous match", false},
	{MergedLogs, ScopeTree, "L", "all containers' logs of the pod, merged", true},
	{AllNS, ScopeTree, "0", "the type in focus in every namespace at once (/all/<type>)", false},
	{HideEmpty, ScopeTree, "e", "hide / show types without objects in namespaces and /cluster", false},
	{SortNext, ScopeTree, "o", "sort the objects by the next column (name, then each column)", true},
	{SortReverse, ScopeTree, "O", "reverse the sort", false},
	{Wide, ScopeTree, "w", "show / hide the wide columns (as kubectl get -o wide)", false},
	{TreeNarrow, ScopeGlobal, "<", "narrow the tree pane (remembered)", false},
	{TreeWiden, ScopeGlobal, ">", "widen the tree pane (remembered)", false},
	{DiffMark, ScopeTree, "d", "mark the leaf for a diff; d on another leaf shows their diff", false},
	{DiffMark, ScopeViewer, "d", "mark the leaf for a diff; d on another leaf shows their diff", false},
	{DiffAcross, ScopeTree, "D", "diff the leaf with the same path in every other open context", false},
	{DiffAcross, ScopeViewer, "D", "diff the leaf with the same path in every other open context", false},
	{DiffRaw, ScopeTree, "R", "diffs of manifest.yaml: compare them as stored / as manifest.neat.yaml (the default)", false},
	{DiffRaw, ScopeViewer, "R", "diffs of manifest.yaml: compare them as stored / as manifest.neat.yaml (the default)", false},
	{Reveal, ScopeTree, "x", "show / hide Secrets' values (decoded) in their manifests", false},
	{Reveal, ScopeViewer, "x", "show / hide Secrets' values (decoded) in their manifests", false},
	{Follow, ScopeLog, "s", "pause / resume following the end", true},
	{Timestamps, ScopeLog, "t", "timestamps on / off", true},
	{Wrap, ScopeLog, "w", "wrap long lines on / off", false},
	{Previous, ScopeLog, "p", "the previous (terminated) instance on / off", true},
	{SinceTail, ScopeLog, "0", "window: the last N lines", false},
	{Since1m, ScopeLog, "1", "window: the last minute", false},
	{Since5m, ScopeLog, "2", "window: the last 5 minutes", false},
	{Since15m, ScopeLog, "3", "window: the last 15 minutes", false},
	{Since1h, ScopeLog, "4", "window: the last hour", false},
	{SinceAll, ScopeLog, "5", "window: the whole log", false},
	{MoreLines, ScopeLog, "+", "last N lines: twice as many", false},
	{FewerLines, ScopeLog, "-", "last N lines: half as many", false},
	{Search, ScopeLog, "/", "search (regex, case-insensitive); highlights every match", true},
	{NextMatch, ScopeLog, "n", "next match", false},
	{PrevMatch, ScopeLog, "N", "previous match", false},
	{Filter, ScopeLog, "f", "filter: show only matching lines (regex); empty shows all", true},
	{ClearLog, ScopeLog, "c", "clear the pane", false},
	{SaveLog, ScopeLog, "ctrl-s", "save the pane's lines to a file", false},
	{Maximise, ScopeLog, "z", "maximise / restore the pane", true},
	{ClosePane, ScopeLog, "x", "close the pane", true},
	{ScrollLeft, ScopeLog, "left", "scroll left (wrap off)", false},
	{ScrollRight, ScopeLog, "right", "scroll right (wrap off)", false},
	{Back, ScopeLog, "esc", "back to the tree", true},
	{Jump, ScopeGlobal, ":", "jump to a path or a resource (:po, :deploy web); :ctx NAME switches context; :grep RE narrows the tree to the objects whose manifest matches; Tab completes", true},
	{HistoryBack, ScopeGlobal, "[", "back to the previous place", false},
	{HistoryFwd, ScopeGlobal, "]", "forward again", false},
	{Yank, ScopeGlobal, "y", "copy the leaf's text as shown (a log pane: its lines as shown)", true},
	{YankPath, ScopeGlobal, "Y", "copy the path", false},
	{SwitchPane, ScopeGlobal, "tab", "switch pane", true},
	{Refresh, ScopeGlobal, "r", "refresh the selection", true},
	{Help, ScopeGlobal, "?", "show or hide help", true},
	{Quit, ScopeGlobal, "q ctrl-c", "quit", true},
}

// Favorite returns the action of favourite namespace i (1 to 9).
func Favorite(i int) Action { return Action(fmt.Sprintf("namespace-%d", i)) }

// favoriteBindings puts the favourite namespaces on the digit keys of the
// tree, as k9s does.
func favoriteBindings() []Binding {
	var out []Binding
	for i := 1; i <= 9; i++ {
		k, _ := ParseKey(fmt.Sprint(i))
		out = append(out, Binding{Action: Favorite(i), Keys: []Key{k}, Scope: ScopeTree,
			Description: fmt.Sprintf("favourite namespace %d (config's favorites, else the most recent)", i)})
	}
	return out
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
	return New(append(bs, favoriteBindings()...))
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

// Names are the bindings of scopes by action, each key as keymap files
// write it ("down": ["j", "down"]): for a front end that is not a
// terminal, such as kfsui web's page.
func (m *Keymap) Names(scopes ...Scope) map[string][]string {
	out := map[string][]string{}
	for _, b := range m.bindings {
		if !slices.Contains(scopes, b.Scope) {
			continue
		}
		for _, k := range b.Keys {
			out[string(b.Action)] = append(out[string(b.Action)], k.String())
		}
	}
	return out
}

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

// KeyFor returns the label of the first key of action in scope (or, failing
// that, in the global scope), as messages name it; "" if it has none.
func (m *Keymap) KeyFor(scope Scope, action Action) string {
	for _, sc := range []Scope{scope, ScopeGlobal} {
		for _, b := range m.bindings {
			if b.Scope == sc && b.Action == action && len(b.Keys) > 0 {
				return b.Keys[0].Label()
			}
		}
	}
	return ""
}

// KeyLabels returns the binding's keys as help shows them, e.g. "q, Ctrl-C".
func (b Binding) KeyLabels() string {
	labels := make([]string, len(b.Keys))
	for i, k := range b.Keys {
		labels[i] = k.Label()
	}
	return strings.Join(labels, ", ")
}
