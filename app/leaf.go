package app

import (
	"context"
	"time"

	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

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
		a.opts.Trace.LeafLoading(path)
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
					a.opts.Trace.Leaf(path, 0, err)
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
			a.opts.Trace.Leaf(path, len(leaf.Text), nil)
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
