package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

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

// updateCrumb shows the selection's path and the entry count of the
// directory in focus: the selection, or the directory holding it.
func (a *App) updateCrumb() {
	sel, dir := a.tree.Selected()
	focusDir := sel
	var extras []string
	if s, p, err := a.resolve(sel); err == nil {
		if !dir || !a.tree.IsExpanded(sel) {
			p = p.Parent()
			focusDir = a.key(s, p)
		}
		if a.multi() && s != a.cur {
			// The header follows the selection's context.
			a.setCurrent(s)
		}
		if s != nil && s.fs != nil && p.Kind == model.KindTypeDir {
			if sel := s.fs.Selector(p); !sel.IsZero() {
				extras = append(extras, sel.String())
			}
		}
	}
	if n := a.pending[focusDir]; n > 0 {
		extras = append(extras, fmt.Sprintf("decoding %d releases", n))
	}
	if m := a.metrics[focusDir]; !m.At.IsZero() {
		extras = append(extras, "metrics "+k8s.Cell{Since: m.At.Unix()}.Age(time.Now())+" old")
	}
	extra := strings.Join(extras, " · ")
	a.crumb.Set(sel, focusDir, a.tree.ChildCount(focusDir), extra)
}
