package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// reorderWindow is how long `kfsui tail -f` of a logs/ directory holds a
// line before printing it, so that lines of several streams arriving
// close together come out in time order.
const reorderWindow = 500 * time.Millisecond

// tailDir prints every log below logs directory p (a pod's: its
// containers; a workload's: its pods' containers), merged by time, each
// line prefixed by where it came from (container, or pod/container). With
// -f it follows, picking up a workload's new pods and saying on stderr
// when one's stream ends; it ends at Ctrl-C, or when the pod or the
// workload is deleted.
func tailDir(ctx context.Context, conn *k8s.Conn, fs *model.FS, p model.Path, opts k8s.FollowOptions, timestamps bool, stdout, stderr io.Writer) error {
	workload := p.Kind == model.KindLogsDir && p.Type != "pods"
	resolve := func(ctx context.Context) ([]k8s.LogTarget, error) { return fs.PodLogTargets(ctx, p) }
	if workload {
		resolve = fs.WorkloadLogTargets(p)
	}
	targets, err := resolve(ctx)
	if err != nil {
		return err
	}
	m := &merger{out: bufio.NewWriter(stdout), stderr: stderr, timestamps: timestamps, workload: workload, clean: cleanFor(stdout)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &dirTail{m: m, conn: conn, opts: opts, workload: workload, followed: map[k8s.LogTarget]bool{}}
	for _, target := range targets {
		t.start(ctx, target)
	}
	if !opts.Follow || opts.Previous {
		return t.finish()
	}
	return t.follow(ctx, cancel, p, resolve, stderr)
}

// dirTail is one kfsui tail of a logs/ directory: its followers, one per
// container, feeding one merger.
type dirTail struct {
	m        *merger
	conn     *k8s.Conn
	opts     k8s.FollowOptions
	workload bool
	wg       sync.WaitGroup
	followed map[k8s.LogTarget]bool
}

// start follows target's log into the merger.
func (t *dirTail) start(ctx context.Context, target k8s.LogTarget) {
	t.followed[target] = true
	t.m.started()
	src := target.Container
	if t.workload {
		src = target.Pod + "/" + target.Container
	}
	f := k8s.NewFollower(t.conn, t.conn, target, t.opts, func(l k8s.LogLine) { t.m.add(src, l) },
		func(st k8s.FollowState, detail string) { t.m.state(src, st, detail) })
	f.Start(ctx)
	t.wg.Go(func() {
		<-f.Done()
		t.m.ended()
	})
}

// finish waits for every follower and prints what is left.
func (t *dirTail) finish() error {
	t.wg.Wait()
	t.m.flush(time.Time{})
	return t.m.finish()
}

// follow prints what has waited long enough, in time order, and looks for
// a workload's new pods now and then, until ctx ends, the pod's
// containers all ended or the workload is gone.
func (t *dirTail) follow(ctx context.Context, cancel func(), p model.Path, resolve func(context.Context) ([]k8s.LogTarget, error), stderr io.Writer) error {
	tick := time.NewTicker(reorderWindow / 4)
	defer tick.Stop()
	look := time.NewTicker(2 * time.Second)
	defer look.Stop()
	for {
		select {
		case <-ctx.Done():
			return t.finish()
		case <-tick.C:
			t.m.flush(time.Now().Add(-reorderWindow))
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
				fmt.Fprintf(stderr, "kfsui: %s/%s: deleted\n", p.Type, p.Name)
				return t.m.finish()
			}
			for _, target := range ts {
				if !t.followed[target] {
					t.start(ctx, target)
				}
			}
		}
	}
}

// merger collects lines of several streams and prints them ordered by
// time. Safe from any goroutine.
type merger struct {
	mu         sync.Mutex
	out        *bufio.Writer
	stderr     io.Writer
	clean      func(string) string
	timestamps bool
	workload   bool
	held       []heldLine
	partial    map[string]k8s.LogLine // each stream's unfinished last line
	live       int                    // followers not ended
	failed     error
}

type heldLine struct {
	src     string
	line    k8s.LogLine
	arrived time.Time
}

func (m *merger) add(src string, l k8s.LogLine) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l.Partial {
		if m.partial == nil {
			m.partial = map[string]k8s.LogLine{}
		}
		m.partial[src] = l
		return
	}
	delete(m.partial, src)
	m.held = append(m.held, heldLine{src, l, time.Now()})
}

func (m *merger) state(src string, st k8s.FollowState, detail string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch st {
	case k8s.StateFailed:
		m.failed = errors.Join(m.failed, fmt.Errorf("%s: %s", src, detail))
	case k8s.StateEnded:
		if detail == "pod deleted" {
			m.out.Flush()
			fmt.Fprintf(m.stderr, "kfsui: %s: stream ended: %s\n", src, detail)
		}
	}
}

// started and ended count the followers running.
func (m *merger) started() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live++
}

func (m *merger) ended() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live--
}

func (m *merger) running() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.live
}

// flush prints the held lines that arrived before cutoff (all when cutoff
// is zero), in time order.
func (m *merger) flush(cutoff time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ready, keep []heldLine
	for _, h := range m.held {
		if cutoff.IsZero() || h.arrived.Before(cutoff) {
			ready = append(ready, h)
		} else {
			keep = append(keep, h)
		}
	}
	m.held = keep
	if cutoff.IsZero() {
		for src, l := range m.partial {
			ready = append(ready, heldLine{src: src, line: l})
		}
		m.partial = nil
	}
	slices.SortStableFunc(ready, func(a, b heldLine) int { return a.line.Time.Compare(b.line.Time) })
	for _, h := range ready {
		m.out.WriteString(h.src + " ")
		if m.timestamps && !h.line.Time.IsZero() {
			m.out.WriteString(k8s.FormatTimestamp(h.line.Time) + " ")
		}
		m.out.WriteString(m.clean(h.line.Text))
		m.out.WriteByte('\n')
	}
	m.out.Flush()
}

func (m *merger) finish() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.out.Flush(); err != nil {
		return err
	}
	return m.failed
}
