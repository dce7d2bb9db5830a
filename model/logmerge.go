package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kfsui/kfsui/k8s"
)

// MergedLine is one line of a merged log and where it came from: the
// container, or pod/container in a workload's logs.
type MergedLine struct {
	Source string
	Line   k8s.LogLine
}

// MergeSink receives a merged log. Its functions are called one at a
// time.
type MergeSink struct {
	// Lines gets lines in time order. Unfinished last lines (Partial)
	// come only at the end.
	Lines func([]MergedLine)
	// State gets each follower's changes (nil: not told).
	State func(source string, st k8s.FollowState, detail string)
	// Gone is told that the workload was deleted (nil: not told).
	Gone func(p Path)
}

// ReorderWindow is how long a followed merged log holds a line before
// handing it on, so that lines of several streams arriving close together
// come out in time order.
const ReorderWindow = 500 * time.Millisecond

// FollowLogsDir follows every log below logs directory p (a pod's: its
// containers; a workload's: its pods' containers) through the log panes'
// Followers and hands the lines to sink merged by time. With opts.Follow
// it picks up a workload's new pods, and runs until ctx ends, the pod's
// containers all ended, or the workload is deleted; without, until every
// log was read. It returns the followers' failures (forbidden, ...) or
// the targets' error.
func (fs *FS) FollowLogsDir(ctx context.Context, src k8s.FollowSource, p Path, opts k8s.FollowOptions, sink MergeSink) error {
	workload := p.Kind == KindLogsDir && p.Type != "pods"
	resolve := func(ctx context.Context) ([]k8s.LogTarget, error) { return fs.PodLogTargets(ctx, p) }
	if workload {
		resolve = fs.WorkloadLogTargets(p)
	}
	targets, err := resolve(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := &merging{sink: sink}
	t := &dirFollow{m: m, src: src, opts: opts, workload: workload, followed: map[k8s.LogTarget]bool{}}
	for _, target := range targets {
		t.start(ctx, target)
	}
	if !opts.Follow || opts.Previous {
		return t.finish()
	}
	return t.follow(ctx, cancel, p, resolve)
}

// dirFollow is one logs directory followed: its followers, one per
// container, feeding one merging.
type dirFollow struct {
	m        *merging
	src      k8s.FollowSource
	opts     k8s.FollowOptions
	workload bool
	wg       sync.WaitGroup
	followed map[k8s.LogTarget]bool
}

// start follows target's log into the merging.
func (t *dirFollow) start(ctx context.Context, target k8s.LogTarget) {
	t.followed[target] = true
	t.m.started()
	source := target.Container
	if t.workload {
		source = target.Pod + "/" + target.Container
	}
	f := k8s.NewFollower(t.src, t.src, target, t.opts, func(l k8s.LogLine) { t.m.add(source, l) },
		func(st k8s.FollowState, detail string) { t.m.state(source, st, detail) })
	f.Start(ctx)
	t.wg.Go(func() {
		<-f.Done()
		t.m.ended()
	})
}

// finish waits for every follower and hands on what is left.
func (t *dirFollow) finish() error {
	t.wg.Wait()
	t.m.flush(time.Time{})
	return t.m.failures()
}

// follow hands on what has waited long enough, in time order, and looks
// for a workload's new pods now and then, until ctx ends, the pod's
// containers all ended or the workload is gone.
func (t *dirFollow) follow(ctx context.Context, cancel func(), p Path, resolve func(context.Context) ([]k8s.LogTarget, error)) error {
	tick := time.NewTicker(ReorderWindow / 4)
	defer tick.Stop()
	look := time.NewTicker(2 * time.Second)
	defer look.Stop()
	for {
		select {
		case <-ctx.Done():
			return t.finish()
		case <-tick.C:
			t.m.flush(time.Now().Add(-ReorderWindow))
			if !t.workload && t.m.running() == 0 {
				// A pod's containers all ended: the pod is gone.
				return t.finish()
			}
		case <-look.C:
			if !t.workload {
				continue
			}
			ts, err := resolve(ctx)
			if apierrors.IsNotFound(err) {
				// The workload itself is gone: nothing more will come.
				cancel()
				t.wg.Wait()
				t.m.flush(time.Time{})
				t.m.gone(p)
				return t.m.failures()
			}
			for _, target := range ts {
				if !t.followed[target] {
					t.start(ctx, target)
				}
			}
		}
	}
}

// merging collects lines of several streams and hands them on ordered by
// time. Safe from any goroutine.
type merging struct {
	mu      sync.Mutex
	sink    MergeSink
	held    []heldLine
	partial map[string]k8s.LogLine // each stream's unfinished last line
	live    int                    // followers not ended
	failed  error
}

type heldLine struct {
	MergedLine
	arrived time.Time
}

func (m *merging) add(source string, l k8s.LogLine) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l.Partial {
		if m.partial == nil {
			m.partial = map[string]k8s.LogLine{}
		}
		m.partial[source] = l
		return
	}
	delete(m.partial, source)
	m.held = append(m.held, heldLine{MergedLine{source, l}, time.Now()})
}

func (m *merging) state(source string, st k8s.FollowState, detail string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st == k8s.StateFailed {
		m.failed = errors.Join(m.failed, fmt.Errorf("%s: %s", source, detail))
	}
	if m.sink.State != nil {
		m.sink.State(source, st, detail)
	}
}

func (m *merging) gone(p Path) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sink.Gone != nil {
		m.sink.Gone(p)
	}
}

// started and ended count the followers running.
func (m *merging) started() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live++
}

func (m *merging) ended() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live--
}

func (m *merging) running() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.live
}

// flush hands on the held lines that arrived before cutoff (all, and the
// unfinished last lines, when cutoff is zero), in time order.
func (m *merging) flush(cutoff time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ready []MergedLine
	keep := m.held[:0:0]
	for _, h := range m.held {
		if cutoff.IsZero() || h.arrived.Before(cutoff) {
			ready = append(ready, h.MergedLine)
		} else {
			keep = append(keep, h)
		}
	}
	m.held = keep
	if cutoff.IsZero() {
		for source, l := range m.partial {
			ready = append(ready, MergedLine{source, l})
		}
		m.partial = nil
	}
	if len(ready) == 0 {
		return
	}
	slices.SortStableFunc(ready, func(a, b MergedLine) int { return a.Line.Time.Compare(b.Line.Time) })
	m.sink.Lines(ready)
}

func (m *merging) failures() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failed
}
