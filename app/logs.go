package app

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// sinceWindows are the log windows the digit keys choose: 0 is "the last N
// lines", then 1m, 5m, 15m, 1h, and everything.
var sinceWindows = []struct {
	label string
	since time.Duration // 0 with label "tail": the last N lines; else the window
}{
	{"tail", 0},
	{"1m", time.Minute},
	{"5m", 5 * time.Minute},
	{"15m", 15 * time.Minute},
	{"1h", time.Hour},
	{"all", 0},
}

// logPane is one open log pane: its followers (one per container), the
// bounded buffer they fill, the filter over it, and the widget. Lines and
// states arrive on follower goroutines into pending; the app's log ticker
// moves them into the buffer on the UI goroutine, in batches.
type logPane struct {
	app     *App
	conn    *k8s.Conn // the context the pane's pods are in
	view    *views.LogPane
	label   string
	targets []k8s.LogTarget

	// UI goroutine only.
	buf       *model.LogBuffer
	filter    *regexp.Regexp
	matches   []int64 // sequence numbers of the lines the filter keeps
	tail      int64
	window    int // index into sinceWindows
	previous  bool
	followers []*k8s.Follower
	cancel    context.CancelFunc
	ctx       context.Context   // the current followers'
	opts      k8s.FollowOptions // the current followers'
	// multiPod marks a pane of several pods (a workload's): lines are
	// prefixed pod/container, and each stream that ends leaves a line
	// saying so.
	multiPod bool
	// unwatch stops following the workload's pods, for a pane that does.
	unwatch func()

	mu       sync.Mutex
	pending  []k8s.LogLine
	overflow int64             // pending lines dropped, oldest first, while the UI lagged
	states   map[string]string // container → state for the status line
	dirty    bool
}

// rows is the buffer as the widget sees it: all lines, or the filter's.
type rows struct{ p *logPane }

func (r rows) Len() int {
	if r.p.filter != nil {
		return len(r.p.matches)
	}
	return r.p.buf.Len()
}

func (r rows) Row(i int) views.LogRow {
	seq := r.p.buf.First() + int64(i)
	if r.p.filter != nil {
		seq = r.p.matches[i]
	}
	l, _ := r.p.buf.Line(seq)
	return views.LogRow{Time: l.Time, Text: l.Text, Container: l.Container, Partial: l.Partial}
}

func newLogPane(a *App, label string, conn *k8s.Conn, targets []k8s.LogTarget) *logPane {
	p := &logPane{
		app:     a,
		conn:    conn,
		view:    views.NewLogPane(a.theme),
		label:   a.qualify(label),
		targets: targets,
		buf:     model.NewLogBuffer(a.opts.LogBuffer, len(targets) > 1),
		tail:    a.opts.TailLines,
		states:  map[string]string{},
	}
	p.view.SetLabel(p.label)
	p.view.SetRows(rows{p})
	p.view.SetPrefix(len(targets) > 1)
	return p
}

// start (re)starts the followers with the pane's options. UI goroutine.
func (p *logPane) start() {
	p.stop()
	ctx, cancel := context.WithCancel(p.app.ctx)
	p.cancel, p.ctx = cancel, ctx
	p.opts = k8s.FollowOptions{Follow: !p.previous, Previous: p.previous, Since: sinceWindows[p.window].since}
	if p.window == 0 {
		p.opts.TailLines = p.tail
	}
	for _, t := range p.targets {
		p.follow(t)
	}
}

// source names where a line came from in the pane: the container, or in
// a pane of several pods pod/container.
func (p *logPane) source(t k8s.LogTarget) string {
	if p.multiPod {
		return t.Pod + "/" + t.Container
	}
	return t.Container
}

// addTargets follows the targets among ts the pane does not follow yet:
// a workload's new pods. UI goroutine.
func (p *logPane) addTargets(ts []k8s.LogTarget) {
	for _, t := range ts {
		if !slices.Contains(p.targets, t) {
			p.targets = append(p.targets, t)
			if p.ctx != nil && p.ctx.Err() == nil {
				p.follow(t)
			}
		}
	}
	p.view.SetStatus(p.status())
}

// follow starts a follower of t with the pane's current options. UI
// goroutine.
func (p *logPane) follow(t k8s.LogTarget) {
	ctx, opts := p.ctx, p.opts
	container := p.source(t)
	multiPod := p.multiPod
	f := k8s.NewFollower(p.conn, p.conn, t, opts,
		func(l k8s.LogLine) {
			if multiPod {
				l.Container = container
			}
			p.mu.Lock()
			p.pending = append(p.pending, l)
			// The buffer keeps at most max lines anyway: more pending
			// than twice that (the UI is stalled) would only grow
			// memory. They are counted with the evicted ones.
			if limit := p.buf.Max(); len(p.pending) > 2*limit {
				drop := len(p.pending) - limit
				p.pending = append(p.pending[:0], p.pending[drop:]...)
				p.overflow += int64(drop)
			}
			p.mu.Unlock()
			p.app.logs.kick()
		},
		func(s k8s.FollowState, detail string) {
			text := s.String()
			if detail != "" {
				text += ": " + detail
			}
			p.mu.Lock()
			p.states[container] = text
			p.dirty = true
			if multiPod && (s == k8s.StateEnded || s == k8s.StateFailed) {
				// In a workload's pane the end of one stream among
				// many is news: it goes in with the lines.
				p.pending = append(p.pending, k8s.LogLine{Time: time.Now(), Container: container, Text: "── " + text + " ──"})
			}
			p.mu.Unlock()
			p.app.logs.kick()
		})
	f.Start(ctx)
	p.followers = append(p.followers, f)
}

// stop ends every follower; their goroutines and connections end with them.
func (p *logPane) stop() {
	if p.cancel != nil {
		p.cancel()
	}
	for _, f := range p.followers {
		f.Close()
	}
	p.followers = nil
}

// restart reads the log again from scratch with changed options.
func (p *logPane) restart() {
	p.stop()
	p.mu.Lock()
	// What the old streams dropped is not the new window's to count.
	p.pending, p.overflow = nil, 0
	p.mu.Unlock()
	p.buf.Clear()
	p.matches = nil
	p.view.Reset()
	p.start()
}

// take moves what the followers delivered out of pending. Safe from any
// goroutine.
func (p *logPane) take() (batch []k8s.LogLine, overflow int64, states bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	batch, p.pending = p.pending, nil
	overflow, p.overflow = p.overflow, 0
	states, p.dirty = p.dirty, false
	return batch, overflow, states
}

// apply puts a batch into the buffer and the widget. UI goroutine.
func (p *logPane) apply(batch []k8s.LogLine, overflow int64) {
	p.buf.Drop(overflow)
	if len(batch) > 0 {
		before := p.buf.End()
		r := p.buf.Append(batch)
		if p.filter != nil {
			p.refilter(before, r)
		} else {
			// A merged pane's lines may land above the end; a paused view
			// then shifts by as many, which is not worth tracking.
			p.view.RowsChanged(r.Added, r.Evicted)
		}
	}
	p.view.SetStatus(p.status())
}

// refilter brings the filter's matches up to date after an Append: the
// matches evicted go, and lines are checked again only from the first one
// the append changed (a completed partial line, a merged-in line), not
// over the whole buffer.
func (p *logPane) refilter(before int64, r model.AppendResult) {
	from := before
	if r.Reindex || r.Replaced {
		from = r.From
	}
	first := p.buf.First()
	n := len(p.matches)
	dropped := sort.Search(n, func(i int) bool { return p.matches[i] >= first })
	keep := sort.Search(n, func(i int) bool { return p.matches[i] >= from })
	p.matches = p.matches[dropped:max(keep, dropped)]
	added := 0
	for seq := max(from, first); seq < p.buf.End(); seq++ {
		if l, ok := p.buf.Line(seq); ok && p.matchesFilter(l) {
			p.matches = append(p.matches, seq)
			added++
		}
	}
	if r.Reindex || r.Replaced {
		// Matches may have moved or gone anywhere after from: tell the
		// pane the difference.
		p.view.RowsChanged(max(len(p.matches)-n, 0), max(n-len(p.matches), 0))
		return
	}
	p.view.RowsChanged(added, dropped)
}

// matchesFilter matches the filter against the text as shown, without
// escape sequences, as search does.
func (p *logPane) matchesFilter(l k8s.LogLine) bool {
	return p.filter.MatchString(views.PlainText(l.Text))
}

func (p *logPane) rebuildMatches() {
	p.matches = p.matches[:0]
	if p.filter == nil {
		return
	}
	for seq := p.buf.First(); seq < p.buf.End(); seq++ {
		if l, ok := p.buf.Line(seq); ok && p.matchesFilter(l) {
			p.matches = append(p.matches, seq)
		}
	}
}

// setFilter shows only lines matching pattern ("" shows all). UI goroutine.
func (p *logPane) setFilter(pattern string) error {
	if pattern == "" {
		p.filter = nil
		p.matches = nil
		p.view.Reset()
		return nil
	}
	re, err := compilePattern(pattern)
	if err != nil {
		return err
	}
	p.filter = re
	p.rebuildMatches()
	p.view.Reset()
	return nil
}

// status is the pane's status line: each container's state, the window,
// the counts.
func (p *logPane) status() string {
	p.mu.Lock()
	var states []string
	counts := map[string]int{}
	for _, t := range p.targets {
		s := p.states[p.source(t)]
		if s == "" {
			s = "connecting"
		}
		state, _, _ := strings.Cut(s, ":")
		counts[state]++
		if len(p.targets) > 1 {
			s = p.source(t) + " " + s
		}
		states = append(states, s)
	}
	p.mu.Unlock()
	var b strings.Builder
	if p.multiPod {
		// Every source's state would not fit: how many are in each.
		fmt.Fprintf(&b, "%d sources:", len(p.targets))
		for i, state := range slices.Sorted(maps.Keys(counts)) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, " %d %s", counts[state], state)
		}
	} else {
		b.WriteString(strings.Join(states, ", "))
	}
	window := sinceWindows[p.window].label
	if p.window == 0 {
		window = fmt.Sprintf("last %d", p.tail)
	}
	if p.previous {
		window += ", previous"
	}
	fmt.Fprintf(&b, " ┃ %s ┃ %d lines", window, p.buf.Len())
	if ev := p.buf.Evicted(); ev > 0 {
		fmt.Fprintf(&b, ", %d evicted (max %d)", ev, p.buf.Max())
	}
	if p.filter != nil {
		fmt.Fprintf(&b, " ┃ filter %s: %d", strings.TrimPrefix(p.filter.String(), "(?i)"), len(p.matches))
	}
	return b.String()
}

// lines returns the pane's lines as saved and yanked: as shown (filtered),
// with timestamps when the pane shows them.
func (p *logPane) lines(timestamps bool) string {
	var b strings.Builder
	r := rows{p}
	for i := 0; i < r.Len(); i++ {
		row := r.Row(i)
		if timestamps && !row.Time.IsZero() {
			b.WriteString(k8s.FormatTimestamp(row.Time) + " ")
		}
		if len(p.targets) > 1 || p.multiPod {
			b.WriteString(row.Container + " ")
		}
		b.WriteString(row.Text)
		b.WriteByte('\n')
	}
	return b.String()
}
