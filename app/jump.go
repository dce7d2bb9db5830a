package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/model"
)

// maxHistory bounds the places [ and ] walk through, and the jump bar's
// remembered inputs.
const maxHistory = 100

// jump opens the jump bar: a path or a resource to go to, with Tab
// completion and the inputs used before on ↑ and ↓. UI goroutine only.
func (a *App) jump() {
	in := a.newPrompt(":")
	pos := len(a.jumpInputs)
	in.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		switch ev.Key() {
		case tcell.KeyTab:
			a.complete(in)
		case tcell.KeyUp:
			if pos > 0 {
				pos--
				in.SetText(a.jumpInputs[pos])
			}
		case tcell.KeyDown:
			if pos < len(a.jumpInputs)-1 {
				pos++
				in.SetText(a.jumpInputs[pos])
			} else {
				pos = len(a.jumpInputs)
				in.SetText("")
			}
		default:
			return ev
		}
		return nil
	})
	finish := a.showPrompt(in)
	in.SetDoneFunc(func(key tcell.Key) {
		text := strings.TrimSpace(in.GetText())
		finish()
		if key == tcell.KeyEnter && text != "" {
			a.jumpTo(text)
		}
	})
}

// jumpTo goes where the jump bar's text says: a :grep, a context, a path
// or a resource. UI goroutine only.
func (a *App) jumpTo(text string) {
	a.jumpInputs = append(a.jumpInputs, text)
	if len(a.jumpInputs) > maxHistory {
		a.jumpInputs = a.jumpInputs[1:]
	}
	if a.grepCommand(text) || a.contextCommand(text) {
		return
	}
	p, sel, err := model.JumpSelect(text, a.conn.Catalog(), a.baseDir(), a.defaultNamespace())
	if err != nil {
		a.flash(err.Error(), true)
		return
	}
	if p.Kind == model.KindTypeDir && !strings.HasPrefix(text, "/") {
		// A resource names its directory with what it selects: :po
		// alone shows every pod again.
		a.narrow(a.cur, p, sel)
	}
	a.goTo(p, true)
}

// baseDir is the directory relative jumps start from: the selection if it
// is a directory, else the one holding it.
func (a *App) baseDir() model.Path {
	sel, dir := a.tree.Selected()
	_, p, err := a.resolve(sel)
	if err != nil {
		return model.Root
	}
	if !dir {
		return p.Parent()
	}
	return p
}

func (a *App) defaultNamespace() string {
	if a.conn.Info.NamespaceExplicit {
		return a.conn.Info.Namespace
	}
	return ""
}

// complete completes the jump bar's last word: a path segment from the
// directory it is in (as far as its listing is known), or a type alias.
func (a *App) complete(in *tview.InputField) {
	c := model.Complete(in.GetText(), a.conn.Catalog(), a.baseDir(), a.defaultNamespace(), a.contextCandidates(""), a.listNow)
	switch len(c.Matches) {
	case 0:
		a.flash("no completion for "+c.Word, true)
	case 1:
		in.SetText(c.Prefix + c.Matches[0])
	default:
		in.SetText(c.Prefix + c.Common())
		shown := c.Matches
		if len(shown) > 12 {
			shown = append(shown[:12:12], "…")
		}
		a.flash(strings.Join(shown, "  "), false)
	}
}

// listNow lists directory dir from what is known now, for completion on
// the UI goroutine: ReadDir answers from the caches, except for a pod's
// logs directory, which needs a GET; that one comes from the tree, if it
// has been opened there.
func (a *App) listNow(dir model.Path) []model.Entry {
	if dir.Kind == model.KindLogsDir {
		var out []model.Entry
		for _, p := range a.tree.ChildPaths(a.key(a.cur, dir)) {
			if _, c, err := a.resolve(p); err == nil {
				out = append(out, model.Entry{Name: c.Base(), Path: c})
			}
		}
		return out
	}
	if dir.Kind == model.KindNamespace || dir.Kind == model.KindClusterDir {
		// Every type completes, also those hidden for being empty.
		return a.fs.TypeEntries(dir)
	}
	listing, err := a.fs.ReadDir(a.ctx, dir)
	if err != nil {
		return nil
	}
	return listing.Entries
}

// goTo reveals p (a directory or a leaf, which then opens) and, if record,
// adds it to the places [ and ] walk. UI goroutine only.
func (a *App) goTo(p model.Path, record bool) {
	if record {
		a.remember(p.String())
	}
	a.focus(a.tree)
	a.openAfterReveal = !p.IsDir()
	a.reveal(a.key(a.cur, p))
}

// historyStep goes back (-1) or forward (+1) through the places visited.
func (a *App) historyStep(step int) {
	to := a.placeAt + step
	if to < 0 || to >= len(a.places) {
		a.flash("no more places that way", true)
		return
	}
	a.placeAt = to
	p, err := model.Parse(a.places[to])
	if err == nil {
		a.goTo(p, false)
	}
}

// remember adds the selected place to the history when the user opens it.
func (a *App) remember(path string) {
	if len(a.places) > 0 && a.places[a.placeAt] == path {
		return
	}
	a.places = append(a.places[:a.placeAt+min(len(a.places), 1)], path)
	if len(a.places) > maxHistory {
		a.places = a.places[1:]
	}
	a.placeAt = len(a.places) - 1
}

// favorite goes to favourite namespace i (1-based): the config file's
// list, or else the namespaces visited most recently.
func (a *App) favorite(i int) {
	favs := a.favorites()
	if i > len(favs) {
		a.flash(fmt.Sprintf("no namespace on %d (favourites: %s)", i, strings.Join(favs, ", ")), true)
		return
	}
	a.goTo(model.Path{Kind: model.KindNamespace, Namespace: favs[i-1]}, true)
	a.flash(fmt.Sprintf("%d: %s", i, favs[i-1]), false)
}

// favorites lists the namespaces on the number keys.
func (a *App) favorites() []string {
	if len(a.opts.Favorites) > 0 {
		return a.opts.Favorites
	}
	var out []string
	for i := len(a.places) - 1; i >= 0 && len(out) < 9; i-- {
		if p, err := model.Parse(a.places[i]); err == nil && p.InNamespace() && !slices.Contains(out, p.Namespace) {
			out = append(out, p.Namespace)
		}
	}
	return out
}
