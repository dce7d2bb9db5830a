package app

import (
	"fmt"
	"strings"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// filterTree asks for a filter and narrows the directory in focus (the
// selected directory when it is open, else the one holding the selection)
// to the names that match: a case-insensitive substring, or a regular
// expression after "~". The tree narrows as the pattern is typed, as in
// k9s; Enter keeps it and says how many match, Esc drops it. UI goroutine
// only.
func (a *App) filterTree() {
	dir := a.key(a.cur, a.baseDir())
	if sel, isDir := a.tree.Selected(); isDir && !a.tree.IsExpanded(sel) {
		if s, p, err := a.resolve(sel); err == nil {
			dir = a.key(s, p.Parent())
		}
	}
	// apply narrows the tree to text and says how many entries match; a
	// pattern that is not valid changes nothing.
	apply := func(text string) (shown int, err error) {
		match, err := nameMatcher(text)
		if err != nil {
			return 0, err
		}
		return a.tree.SetFilter(dir, match), nil
	}
	live := func(text string) {
		if isSelectorFilter(text) {
			// A selector, or one being typed, asks the server on Enter
			// only; meanwhile every name shows.
			a.tree.SetFilter(dir, nil)
			return
		}
		if text == "" {
			a.tree.SetFilter(dir, nil)
			return
		}
		// A regular expression half typed ("~[a") keeps the last one.
		_, _ = apply(text)
	}
	// Not in the label: tview reads labels as markup, and dir is cluster
	// text. The result's flash line (escaped) names the directory.
	a.promptLive("filter: ", live, func(text string) {
		if text == "" {
			a.clearTreeFilter()
			return
		}
		if isSelectorFilter(text) {
			a.narrowFocus(text)
			return
		}
		// Applied again, not taken from typing: the listing may have
		// changed since, or a jump dropped the filter meanwhile.
		shown, err := apply(text)
		if err != nil {
			// Not a valid pattern: no filter rather than a prefix's.
			a.clearTreeFilter()
			a.flash(err.Error(), true)
			return
		}
		verb := "entries match"
		if shown == 1 {
			verb = "entry matches"
		}
		a.flash(fmt.Sprintf("%s: %d %s %q (Esc clears)", dir, shown, verb, text), shown == 0)
	}, a.clearTreeFilter)
}

// nameMatcher makes the tree filter's test for a name, and in a table
// directory for each cell: "crashloop" finds the crashing pods.
func nameMatcher(text string) (func(string) bool, error) {
	if pattern, ok := strings.CutPrefix(text, "~"); ok {
		re, err := compilePattern(pattern)
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	lower := strings.ToLower(text)
	return func(name string) bool { return strings.Contains(strings.ToLower(name), lower) }, nil
}

// isSelectorFilter reports whether a tree filter is a selector for the
// server ("-l app=web", "--field status.phase!=Running") rather than a
// pattern for the names: it starts with "-", as no object's name does.
func isSelectorFilter(text string) bool {
	return strings.HasPrefix(strings.TrimSpace(text), "-")
}

// narrowFocus narrows the type directory in focus on the server to the
// selectors text gives (kubectl's -l and --field-selector). UI goroutine
// only.
func (a *App) narrowFocus(text string) {
	s, dir, ok := a.tableDir()
	if !ok {
		a.flash("a selector narrows a type directory: select one or an object first", true)
		return
	}
	sel, rest, err := model.ParseSelectorArgs(strings.Fields(text))
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected %q after the selectors", strings.Join(rest, " "))
	}
	if err != nil {
		a.flash(err.Error(), true)
		return
	}
	a.narrow(s, dir, sel)
}

// narrow sets type directory p's selector and lists it anew with it: one
// list and watch narrowed on the server. The zero selector shows every
// object again. UI goroutine only.
func (a *App) narrow(s *session, p model.Path, sel k8s.Selector) {
	if s.fs.Selector(p) == sel {
		return
	}
	s.fs.SetSelector(p, sel)
	s.dirs.rehold(p)
	if a.tree.IsExpanded(a.key(s, p)) {
		s.dirs.load(p)
	}
	if sel.IsZero() {
		a.flash(p.String()+": every object again", false)
	} else {
		a.flash(p.String()+": "+sel.String()+" (Esc clears)", false)
	}
	a.updateCrumb()
}

func (a *App) clearTreeFilter() {
	if s, dir, ok := a.tableDir(); ok && !s.fs.Selector(dir).IsZero() {
		a.narrow(s, dir, k8s.Selector{})
	}
	if dir := a.tree.Filtered(); dir != "" {
		a.tree.SetFilter(dir, nil)
		a.flash("filter cleared", false)
	}
	if a.tree.Kept() {
		a.tree.SetKept(nil, nil)
		a.flash("grep cleared", false)
	}
}

// searchViewer asks for a pattern and highlights its matches in the
// viewer; n and N move between them. UI goroutine only.
func (a *App) searchViewer() {
	a.prompt("search: ", func(text string) {
		if text == "" {
			a.viewer.SetSearch(nil)
			return
		}
		re, err := compilePattern(text)
		if err != nil {
			a.flash(err.Error(), true)
			return
		}
		n := a.viewer.SetSearch(re)
		if n == 0 {
			a.flash("no match for "+text, true)
			return
		}
		a.viewer.NextMatch(false)
		a.flash(fmt.Sprintf("%d lines match (n / N to move, / and Enter on nothing to clear)", n), false)
	})
}
