package app

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kfsui/kfsui/keymap"
)

// logKeys is what the keys do in a log pane.
type logKeys struct{ a *App }

var _ controller = logKeys{}

func (logKeys) scope() keymap.Scope { return keymap.ScopeLog }

func (c logKeys) bindings() []binding {
	a, on := c.a, c.on
	return []binding{
		{keymap.Up, on(func(p *logPane) { p.view.ScrollBy(-1) })},
		{keymap.Down, on(func(p *logPane) { p.view.ScrollBy(1) })},
		{keymap.PageUp, on(func(p *logPane) { p.view.Page(-1) })},
		{keymap.PageDown, on(func(p *logPane) { p.view.Page(1) })},
		{keymap.Top, on(func(p *logPane) { p.view.Top() })},
		{keymap.Bottom, on(func(p *logPane) { p.view.Bottom() })},
		{keymap.ScrollLeft, on(func(p *logPane) { p.view.ScrollSideways(-8) })},
		{keymap.ScrollRight, on(func(p *logPane) { p.view.ScrollSideways(8) })},
		{keymap.Back, c.back},
		{keymap.Follow, on(func(p *logPane) { p.view.SetFollow(!p.view.Following()) })},
		{keymap.Timestamps, on(func(p *logPane) { p.view.ToggleTimestamps() })},
		{keymap.Wrap, on(func(p *logPane) { p.view.ToggleWrap() })},
		{keymap.Previous, on(func(p *logPane) {
			p.previous = !p.previous
			p.restart()
		})},
		{keymap.SinceTail, c.window(0)},
		{keymap.Since1m, c.window(1)},
		{keymap.Since5m, c.window(2)},
		{keymap.Since15m, c.window(3)},
		{keymap.Since1h, c.window(4)},
		{keymap.SinceAll, c.window(5)},
		{keymap.MoreLines, on(func(p *logPane) {
			p.tail, p.window = min(p.tail*2, int64(p.buf.Max())), 0
			p.restart()
		})},
		{keymap.FewerLines, on(func(p *logPane) {
			p.tail, p.window = max(p.tail/2, 10), 0
			p.restart()
		})},
		{keymap.Search, on(c.search)},
		{keymap.NextMatch, on(func(p *logPane) { p.view.NextMatch(false) })},
		{keymap.PrevMatch, on(func(p *logPane) { p.view.NextMatch(true) })},
		{keymap.Filter, on(c.filter)},
		{keymap.ClearLog, on(func(p *logPane) {
			p.buf.Clear()
			p.matches = nil
			p.view.Reset()
			p.view.SetStatus(p.status())
		})},
		{keymap.SaveLog, on(c.save)},
		{keymap.Yank, on(func(p *logPane) {
			a.yank(fmt.Sprintf("%d lines of %s", rows{p}.Len(), p.label), p.lines(p.view.Timestamps()))
		})},
		{keymap.YankPath, on(func(p *logPane) { a.yankPath(p.label) })},
		{keymap.Maximise, on(c.toggleMaximise)},
		{keymap.ClosePane, on(a.logs.close)},
	}
}

// on makes f an action on the log pane with the keyboard.
func (c logKeys) on(f func(p *logPane)) func() {
	return func() {
		if p := c.a.logs.focused(); p != nil {
			f(p)
		}
	}
}

// window reads the focused pane's log again over sinceWindows[i].
func (c logKeys) window(i int) func() {
	return c.on(func(p *logPane) {
		p.window = i
		p.restart()
	})
}

// back gives the keyboard to the tree. A maximised pane is all there is
// on screen: Esc restores the layout first, or the keys would drive a
// hidden tree.
func (c logKeys) back() {
	a := c.a
	if a.logs.maximised != nil {
		c.toggleMaximise(a.logs.maximised)
		return
	}
	a.focus(a.tree)
}

// search asks for a pattern and highlights its matches in pane p.
func (c logKeys) search(p *logPane) {
	c.a.searchPrompt(func(re *regexp.Regexp) bool {
		p.view.SetSearch(re)
		return re == nil || p.view.NextMatch(false)
	})
}

// filter asks for a pattern and shows only the lines of pane p that match.
func (c logKeys) filter(p *logPane) {
	c.a.prompt("filter: ", func(text string) {
		if err := p.setFilter(text); err != nil {
			c.a.flash(err.Error(), true)
		}
		p.view.SetStatus(p.status())
	})
}

// toggleMaximise shows pane p alone, or the whole layout again.
func (c logKeys) toggleMaximise(p *logPane) {
	a := c.a
	if a.logs.maximised == p {
		a.logs.maximised = nil
	} else {
		a.logs.maximised = p
	}
	a.layout()
	a.focus(p.view)
}

// save writes pane p's lines to a new file and says where.
func (c logKeys) save(p *logPane) {
	a := c.a
	dir := a.opts.SaveDir
	if dir == "" {
		dir = defaultSaveDir()
	}
	name := strings.Trim(unsafeFileChars.ReplaceAllString(p.label, "_"), "_")
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.log", name, time.Now().Format("20060102-150405")))
	text := p.lines(p.view.Timestamps())
	go func() {
		err := os.MkdirAll(dir, 0o700)
		if err == nil {
			err = os.WriteFile(path, []byte(text), 0o600)
		}
		a.ui.Do(func() {
			if err != nil {
				a.flash("save: "+err.Error(), true)
				return
			}
			a.flash(fmt.Sprintf("saved %d lines to %s", strings.Count(text, "\n"), path), false)
		})
	}()
}

// unsafeFileChars are what a saved log's file name does not take from its
// pane's label.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// defaultSaveDir is $XDG_STATE_HOME/kfsui/logs, or ~/.local/state/kfsui/logs.
func defaultSaveDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "kfsui", "logs")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "kfsui", "logs")
	}
	return filepath.Join(os.TempDir(), "kfsui-logs")
}
