package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// Diffs in the viewer: d marks the selected leaf (or the one the viewer
// shows), d on another leaf, in this context or another one switched to
// meanwhile, shows their unified diff; D compares a leaf with the same
// path in every other context open in the session. Objects' manifest.yaml
// compare as their manifest.neat.yaml unless R has asked for them as
// stored.

// leafRef is a leaf of one context.
type leafRef struct {
	sess *session
	path model.Path
}

// diffPair is two leaves to compare, a against b.
type diffPair struct{ a, b leafRef }

// label names r as a diff's header does: qualified with its context when
// the two leaves compared are in different contexts.
func (r leafRef) label(qualified bool) string {
	if !qualified || r.sess.name == "" {
		return r.path.String()
	}
	return model.Ref{Context: r.sess.name, Path: r.path}.String()
}

func (p diffPair) labels() (string, string) {
	q := p.a.sess != p.b.sess
	return p.a.label(q), p.b.label(q)
}

// leafForDiff is the leaf d and D act on: the one the viewer shows when it
// has the keys, else the selection. UI goroutine only.
func (a *App) leafForDiff() (leafRef, bool) {
	path, dir := a.tree.Selected()
	if a.scope() == keymap.ScopeViewer {
		path, dir = a.viewer.Path(), false
		if a.shownDiff != nil {
			path = ""
		}
	}
	s, p, err := a.resolve(path)
	if path == "" || dir || err != nil || p.Kind != model.KindLeaf {
		a.flash("select a leaf such as manifest.yaml to compare it", true)
		return leafRef{}, false
	}
	return leafRef{sess: s, path: p}, true
}

// markOrDiff marks the leaf for a diff, or, with one marked, shows the
// diff of the two. UI goroutine only.
func (a *App) markOrDiff() {
	r, ok := a.leafForDiff()
	if !ok {
		return
	}
	switch m := a.diffMark; {
	case m == nil:
		a.diffMark = &r
		a.flash(fmt.Sprintf("%s marked: d on another leaf shows their diff", a.qualify(a.key(r.sess, r.path))), false)
	case *m == r:
		a.diffMark = nil
		a.flash("diff mark removed", false)
	default:
		a.diffMark = nil
		a.showDiff([]diffPair{{*m, r}})
	}
}

// diffAcross compares the leaf with the same path in every other context
// open in the session. UI goroutine only.
func (a *App) diffAcross() {
	r, ok := a.leafForDiff()
	if !ok {
		return
	}
	var others []*session
	for _, s := range a.sessions {
		if s != a.cur {
			others = append(others, s)
		}
	}
	if len(others) == 0 {
		a.flash("no other context open: :ctx NAME opens one, and D here compares with it", true)
		return
	}
	slices.SortFunc(others, func(x, y *session) int { return strings.Compare(x.name, y.name) })
	var pairs []diffPair
	for _, s := range others {
		pairs = append(pairs, diffPair{r, leafRef{sess: s, path: r.path}})
	}
	a.showDiff(pairs)
}

// showDiff reads both leaves of each pair, side by side off the UI
// goroutine, and shows their diffs in the viewer. Secrets compare as the
// viewer shows them: masked unless revealed. UI goroutine only.
func (a *App) showDiff(pairs []diffPair) {
	la, lb := pairs[0].labels()
	title := "diff " + la + " " + lb
	if len(pairs) > 1 {
		title = fmt.Sprintf("diff %s across %d contexts", pairs[0].a.label(true), len(pairs)+1)
	}
	if a.leafCancel != nil {
		a.leafCancel()
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.leafCancel = cancel
	a.shownDiff = pairs
	a.viewer.ShowMessage(title, "comparing…", false)
	reveal := a.fs.RevealSecrets()
	for _, p := range pairs {
		p.a.sess.fs.SetRevealSecrets(reveal)
		p.b.sess.fs.SetRevealSecrets(reveal)
	}
	theme, raw := a.theme, a.diffRaw
	go func() {
		text := diffText(ctx, pairs, raw)
		tagged := views.HighlightDiff(text, theme)
		a.ui.Do(func() {
			if ctx.Err() != nil || a.viewer.Path() != title {
				return
			}
			a.viewer.Show(title, text, tagged)
		})
	}()
}

// diffText is the diffs of pairs, one after the other; a pair that is
// the same or cannot be read says so in a line of its own.
func diffText(ctx context.Context, pairs []diffPair, raw bool) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	sides := make([]model.DiffPair, len(pairs))
	for i, p := range pairs {
		la, lb := p.labels()
		sides[i] = model.DiffPair{A: model.DiffSide{FS: p.a.sess.fs, Path: p.a.path, Name: la},
			B: model.DiffSide{FS: p.b.sess.fs, Path: p.b.path, Name: lb}}
	}
	return model.DiffLeaves(ctx, sides, raw)
}

// toggleDiffRaw switches diffs of objects' manifest.yaml between their
// neat form and the text as stored, and compares the diff shown again.
// UI goroutine only.
func (a *App) toggleDiffRaw() {
	a.diffRaw = !a.diffRaw
	msg := "diffs compare objects' manifest.neat.yaml (R: as stored)"
	if a.diffRaw {
		msg = "diffs compare objects' manifest.yaml as stored (R: neat)"
	}
	a.flash(msg, false)
	if a.shownDiff != nil {
		a.showDiff(a.shownDiff)
	}
}
