package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kfsui/kfsui/model"
)

// maxExpandedMatches bounds the matches whose directories :grep opens by
// itself; with more, the directories holding them are narrowed but stay
// as they were, to be opened one by one.
const maxExpandedMatches = 200

// grepCommand runs what the jump bar holds if it is ":grep PATTERN":
// the objects whose manifest.yaml has a line matching PATTERN (a regular
// expression, any case) under the directory in focus, searched as kfsui
// grep searches, with one paged LIST per type and namespace; the tree
// then shows only them and the directories leading to them, opened. ":grep"
// alone, or Esc, shows everything again. It reports whether text was a
// grep command. UI goroutine only.
func (a *App) grepCommand(text string) bool {
	word, pattern, _ := strings.Cut(text, " ")
	if word != "grep" {
		return false
	}
	if a.grepCancel != nil {
		a.grepCancel()
		a.grepCancel = nil
		a.grepRuns++ // what it finds is not shown
	}
	pattern = strings.TrimSpace(pattern)
	if pattern == "" {
		a.clearTreeFilter()
		return true
	}
	re, err := compilePattern(pattern)
	if err != nil {
		a.flash(err.Error(), true)
		return true
	}
	sess, dir, err := a.resolve(a.key(a.cur, a.baseDir()))
	if err != nil {
		a.flash(err.Error(), true)
		return true
	}
	switch dir.Kind {
	case model.KindRoot, model.KindNamespaces, model.KindNamespace, model.KindClusterDir, model.KindTypeDir, model.KindObject:
	default:
		a.flash(fmt.Sprintf("grep searches objects: %s holds none", dir), true)
		return true
	}
	ctx, cancel := context.WithTimeout(a.ctx, 5*time.Minute)
	a.grepCancel = cancel
	a.grepRuns++
	run := a.grepRuns
	a.flash(fmt.Sprintf("grep %s: searching %s…", pattern, dir), false)
	started := time.Now()
	go func() {
		defer cancel()
		matched, searched, err := grepObjects(ctx, sess.fs, dir, re.MatchString)
		a.ui.Do(func() {
			if run != a.grepRuns || sess != a.cur {
				return // replaced by another search, or another context shows
			}
			a.grepCancel = nil
			a.showMatches(sess, dir, matched)
			msg := fmt.Sprintf("grep %s: %d of %d objects under %s match (%s; Esc clears)",
				pattern, len(matched), searched, dir, time.Since(started).Round(time.Millisecond))
			if err != nil {
				msg += "; not searched: " + model.OneLine(err)
			}
			a.flash(msg, err != nil || len(matched) == 0)
		})
	}()
	return true
}

// grepObjects returns the objects under dir with a manifest.yaml line
// that match accepts, and how many objects were searched. A scope that
// fails does not end the search; the first such error is returned.
func grepObjects(ctx context.Context, fs *model.FS, dir model.Path, match func(string) bool) (matched []model.Path, searched int, firstErr error) {
	scopes, err := fs.ExpandGrep(ctx, dir.String())
	if err != nil {
		return nil, 0, err
	}
	for _, s := range scopes {
		err := fs.GrepLeaves(ctx, s, nil, func(leaf model.Leaf) error {
			searched++
			for line := range strings.Lines(leaf.Text) {
				if match(strings.TrimSuffix(line, "\n")) {
					matched = append(matched, leaf.Path.Parent())
					break
				}
			}
			return nil
		})
		if ctx.Err() != nil {
			return matched, searched, ctx.Err()
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return matched, searched, firstErr
}

// showMatches narrows the tree under dir to the objects matched and the
// directories leading to them, and opens those directories when there
// are not too many. UI goroutine only.
func (a *App) showMatches(s *session, dir model.Path, matched []model.Path) {
	if dir.Kind == model.KindObject {
		// Searching one object: it matched or it did not; its leaves
		// are not narrowed.
		return
	}
	dirs, keep := map[string]bool{a.key(s, dir): true}, map[string]bool{}
	for _, p := range matched {
		keep[a.key(s, p)] = true
		for anc := p.Parent(); anc != dir && anc.Kind != model.KindRoot; anc = anc.Parent() {
			keep[a.key(s, anc)] = true
			dirs[a.key(s, anc)] = true
		}
	}
	a.tree.SetKept(dirs, keep)
	if len(matched) > maxExpandedMatches {
		a.expand(a.key(s, dir))
		return
	}
	for d := range dirs {
		a.expand(d)
	}
}
