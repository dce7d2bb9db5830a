package k8s

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// FollowOptions choose what a Follower reads.
type FollowOptions struct {
	TailLines int64         // the first request's last N lines; 0 means all
	NoHistory bool          // the first request asks for no lines before it, as kubectl's --tail 0
	Since     time.Duration // the first request's window; 0 means no bound
	SinceTime time.Time     // the first request's start; zero means no bound
	Previous  bool          // the last terminated instance instead
	Follow    bool          // keep streaming, reconnecting when needed
	// After, when set, makes the first request a resume, as after a
	// reconnect: from After's second, skipping every line before After
	// and the first AfterN lines stamped exactly After. For a reader that
	// already has the log up to there from a request of its own.
	After  time.Time
	AfterN int
}

// FollowState is what a Follower is doing, for the pane's status.
type FollowState int

// Follower states.
const (
	StateConnecting FollowState = iota
	StateFollowing
	StateReconnecting
	StateEnded  // the log ended: not following, or the pod is gone
	StateFailed // an error retrying cannot fix, e.g. forbidden
)

// String names the state as the log pane's status line shows it.
func (s FollowState) String() string {
	return [...]string{"connecting", "following", "reconnecting", "ended", "error"}[s]
}

// ContainerState is what a Follower needs to know about its container
// when a stream ends.
type ContainerState struct {
	Exists   bool   // the pod exists
	Finished bool   // the container will write no more
	Reason   string // why it is finished, for the user
}

// PodWatcher tells a Follower whether its pod and container are still
// there to follow.
type PodWatcher interface {
	// ContainerState asks the API server with a GET. On an error Exists is
	// true: not knowing is no reason to stop.
	ContainerState(ctx context.Context, ns, pod, container string) (ContainerState, error)
	// PodGone returns a channel closed once the pod is known to be
	// deleted; it never closes if that cannot be known.
	PodGone(ctx context.Context, ns, pod string) <-chan struct{}
}

// FollowSource is what a Follower follows a log with: the streams, and
// the pod's fate. A *Conn is both.
type FollowSource interface {
	LogSource
	PodWatcher
}

var _ FollowSource = (*Conn)(nil)

// Backoff bounds for reconnecting.
const (
	reconnectMin = time.Second
	reconnectMax = 30 * time.Second
)

// Follower keeps one container's log flowing: it runs Streams one after
// another, resuming after a dropped connection or a container restart from
// the last timestamp it delivered without repeating lines, backs off
// between attempts, and stops for good when the pod is deleted or the
// error cannot be retried (forbidden). This is the reconnecting that a
// Stream leaves to others.
//
// Concurrency: Start and Close are safe from any goroutine. sink is called
// from the current stream's goroutine and state from the follower's, so
// the two may run at once; each is called from one goroutine at a time.
type Follower struct {
	src    LogSource
	pods   PodWatcher
	target LogTarget
	opts   FollowOptions
	sink   func(LogLine)
	state  func(FollowState, string)
	done   chan struct{}

	mu     sync.Mutex
	cancel context.CancelFunc

	// Resume point: the last delivered complete line's time, and how many
	// lines with exactly that time were delivered. A resumed request
	// starts at that time's second, so it repeats lines already shown.
	last  time.Time
	lastN int
	// began is when the first request went out, from which a follow
	// with NoHistory resumes if nothing arrived before a reconnect.
	began time.Time
}

// NewFollower returns a follower of target. state is told each change with
// a detail for the user (an error, "pod deleted").
func NewFollower(src LogSource, pods PodWatcher, target LogTarget, o FollowOptions, sink func(LogLine), state func(FollowState, string)) *Follower {
	return &Follower{src: src, pods: pods, target: target, opts: o, sink: sink, state: state, done: make(chan struct{}),
		last: o.After, lastN: o.AfterN}
}

// Start begins following in a goroutine of its own. Call it once.
func (f *Follower) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	f.mu.Lock()
	f.cancel = cancel
	f.mu.Unlock()
	go func() {
		defer close(f.done)
		defer cancel()
		f.run(ctx)
	}()
}

// Close stops following and waits until every goroutine and connection of
// the follower is gone. A no-op before Start.
func (f *Follower) Close() {
	f.mu.Lock()
	cancel := f.cancel
	f.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-f.done
}

// Done is closed once the follower has stopped.
func (f *Follower) Done() <-chan struct{} { return f.done }

func (f *Follower) run(ctx context.Context) {
	gone := f.pods.PodGone(ctx, f.target.Namespace, f.target.Pod)
	wait := reconnectMin
	first := true
	for {
		if first {
			f.state(StateConnecting, "")
		}
		delivered := false
		skip := f.skipper(first)
		s := NewStream(f.src, f.target, f.request(first), func(l LogLine) {
			if skip(l) {
				return
			}
			f.record(l)
			delivered = true
			f.sink(l)
		})
		s.Start(ctx)
		if f.opts.Follow {
			f.state(StateFollowing, "")
		}
		select {
		case <-s.Done():
		case <-gone:
			s.Close()
			f.state(StateEnded, "pod deleted")
			return
		}
		err := s.Err()
		switch {
		case ctx.Err() != nil:
			return
		case apierrors.IsForbidden(err):
			f.state(StateFailed, err.Error())
			return
		case !f.opts.Follow || f.opts.Previous:
			// One read, like kubectl logs without -f: nothing to resume.
			if err != nil {
				f.state(StateFailed, err.Error())
			} else {
				f.state(StateEnded, "end of log")
			}
			return
		}
		st, _ := f.pods.ContainerState(ctx, f.target.Namespace, f.target.Pod, f.target.Container)
		switch {
		case !st.Exists:
			f.state(StateEnded, "pod deleted")
			return
		case st.Finished:
			f.state(StateEnded, st.Reason)
			return
		}
		if delivered {
			wait = reconnectMin
		}
		why := "stream ended"
		if err != nil {
			why = err.Error()
		}
		f.state(StateReconnecting, fmt.Sprintf("%s; retrying in %s", why, wait))
		select {
		case <-ctx.Done():
			return
		case <-gone:
			f.state(StateEnded, "pod deleted")
			return
		case <-time.After(wait + time.Duration(rand.Int64N(int64(wait/4)+1))):
		}
		wait = min(wait*2, reconnectMax)
		first = false
	}
}

// request returns the options of the next request: the user's choice the
// first time, then a resume from the last delivered line's second.
func (f *Follower) request(first bool) LogOptions {
	o := LogOptions{Follow: f.opts.Follow, Previous: f.opts.Previous}
	if (!first || !f.opts.After.IsZero()) && !f.last.IsZero() {
		o.SinceTime = f.last
		return o
	}
	// The first request, or a retry before anything arrived: what was
	// asked for. With no history asked for, a retry must not ask for
	// none again, or lines written while reconnecting would be lost: it
	// starts where the first request did.
	if first {
		f.began = time.Now()
	}
	switch {
	case f.opts.NoHistory && !first:
		o.SinceTime = f.began
		return o
	case f.opts.NoHistory:
		o.NoHistory = true
	default:
		o.TailLines = f.opts.TailLines
	}
	if f.opts.Since > 0 {
		// The API counts whole seconds and refuses 0, as kubectl rounds.
		o.SinceSeconds = max(1, int64(f.opts.Since.Round(time.Second)/time.Second))
	}
	o.SinceTime = f.opts.SinceTime
	return o
}

// skipper returns the filter for a stream's lines: nothing is skipped on
// the first request; a resumed one skips what was delivered before, up to
// the first line that is new.
func (f *Follower) skipper(first bool) func(LogLine) bool {
	if (first && f.opts.After.IsZero()) || f.last.IsZero() {
		return func(LogLine) bool { return false }
	}
	at, equal, skipping := f.last, f.lastN, true
	return func(l LogLine) bool {
		if !skipping || l.Time.IsZero() {
			return false
		}
		switch {
		case l.Time.Before(at):
			return true
		case l.Time.Equal(at) && (l.Partial || equal > 0):
			if !l.Partial {
				equal--
			}
			return true
		}
		skipping = false
		return false
	}
}

// record moves the resume point to a delivered complete line.
func (f *Follower) record(l LogLine) {
	switch {
	case l.Partial || l.Time.IsZero():
	case l.Time.Equal(f.last):
		f.lastN++
	default:
		f.last, f.lastN = l.Time, 1
	}
}
