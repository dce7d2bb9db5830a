package k8s

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// scriptedSource serves one scripted answer per request and records the
// requests.
type scriptedSource struct {
	mu       sync.Mutex
	answers  []func() (io.ReadCloser, error)
	requests []LogOptions
}

func (s *scriptedSource) Logs(_ context.Context, _, _ string, o LogOptions) (io.ReadCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, o)
	if len(s.answers) == 0 {
		return nil, errors.New("no more answers")
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a()
}

func body(s string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

type fakePods struct {
	exists   bool
	finished string // the reason the container is finished, "" if it is not
}

func (f fakePods) ContainerState(context.Context, string, string, string) (ContainerState, error) {
	return ContainerState{Exists: f.exists, Finished: f.finished != "", Reason: f.finished}, nil
}
func (f fakePods) PodGone(context.Context, string, string) <-chan struct{} {
	return make(chan struct{})
}

func ts(sec int, nsec int) string {
	return time.Date(2026, 1, 1, 0, 0, sec, nsec, time.UTC).Format(time.RFC3339Nano)
}

func follow(t *testing.T, src LogSource, pods PodWatcher, o FollowOptions) ([]string, []string) {
	t.Helper()
	var mu sync.Mutex
	var lines, states []string
	f := NewFollower(src, pods, LogTarget{Namespace: "ns", Pod: "p", Container: "c"}, o,
		func(l LogLine) { mu.Lock(); lines = append(lines, l.Text); mu.Unlock() },
		func(s FollowState, d string) { mu.Lock(); states = append(states, s.String()+" "+d); mu.Unlock() })
	f.Start(context.Background())
	select {
	case <-f.Done():
	case <-time.After(20 * time.Second):
		f.Close()
		t.Fatal("the follower did not end")
	}
	return lines, states
}

func TestFollowerResumesWithoutRepeating(t *testing.T) {
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){
		body(fmt.Sprintf("%s one\n%s two\n%s three\n", ts(1, 100), ts(1, 200), ts(2, 0))),
		// The resumed request starts at second 2 again (and the server
		// sends second 1's last line too): only "four" and "five" are new.
		body(fmt.Sprintf("%s two\n%s three\n%s four\n%s five\n", ts(1, 200), ts(2, 0), ts(2, 0), ts(3, 0))),
		func() (io.ReadCloser, error) {
			return nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "p", errors.New("no"))
		},
	}}
	lines, states := follow(t, src, fakePods{exists: true}, FollowOptions{Follow: true, TailLines: 10})
	if got := strings.Join(lines, ","); got != "one,two,three,four,five" {
		t.Errorf("lines = %s", got)
	}
	if len(src.requests) != 3 {
		t.Fatalf("%d requests", len(src.requests))
	}
	if r := src.requests[0]; r.TailLines != 10 || !r.Follow || !r.Timestamps {
		t.Errorf("first request = %+v", r)
	}
	if r := src.requests[1]; r.TailLines != 0 || !r.SinceTime.Equal(time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)) {
		t.Errorf("resumed request = %+v", r)
	}
	last := states[len(states)-1]
	if !strings.HasPrefix(last, "error") || !strings.Contains(last, "forbidden") {
		t.Errorf("states = %q; a forbidden log must stop with an error", states)
	}
}

func TestFollowerStopsWhenThePodIsGone(t *testing.T) {
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){body(ts(1, 0) + " only\n")}}
	lines, states := follow(t, src, fakePods{exists: false}, FollowOptions{Follow: true})
	if len(lines) != 1 || !strings.Contains(states[len(states)-1], "pod deleted") {
		t.Errorf("lines %q states %q", lines, states)
	}
}

func TestFollowerWithoutFollowEnds(t *testing.T) {
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){body(ts(1, 0) + " a\n" + ts(1, 1) + " b")}}
	lines, states := follow(t, src, fakePods{exists: true}, FollowOptions{})
	if strings.Join(lines, ",") != "a,b" || !strings.HasPrefix(states[len(states)-1], "ended") {
		t.Errorf("lines %q states %q", lines, states)
	}
}

func TestFollowerEndsWithAFinishedContainer(t *testing.T) {
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){body(ts(1, 0) + " done\n")}}
	lines, states := follow(t, src, fakePods{exists: true, finished: "pod Succeeded"}, FollowOptions{Follow: true})
	if len(lines) != 1 || states[len(states)-1] != "ended pod Succeeded" || len(src.requests) != 1 {
		t.Errorf("lines %q states %q requests %d", lines, states, len(src.requests))
	}
}

func TestFollowerWithoutFollowFailsAtOnce(t *testing.T) {
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){
		func() (io.ReadCloser, error) { return nil, errors.New("container is waiting to start") },
	}}
	_, states := follow(t, src, fakePods{exists: true}, FollowOptions{})
	if last := states[len(states)-1]; !strings.HasPrefix(last, "error container is waiting") || len(src.requests) != 1 {
		t.Errorf("states %q after %d requests", states, len(src.requests))
	}
}

// With no history asked for (kubectl's --tail 0), the first request asks
// for no lines; a reconnect before any line came must not ask for none
// again, or lines written meanwhile would be lost: it asks from the time
// the first request went out.
func TestFollowerNoHistoryResumesFromItsStart(t *testing.T) {
	began := time.Now()
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){
		func() (io.ReadCloser, error) { return nil, errors.New("connection reset") },
		func() (io.ReadCloser, error) {
			return nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "p", errors.New("no"))
		},
	}}
	follow(t, src, fakePods{exists: true}, FollowOptions{Follow: true, NoHistory: true, Since: time.Hour})
	if len(src.requests) != 2 {
		t.Fatalf("%d requests", len(src.requests))
	}
	if r := src.requests[0]; !r.NoHistory || r.TailLines != 0 || r.SinceSeconds != 3600 {
		t.Errorf("first request = %+v, want no history within the hour", r)
	}
	if r := src.requests[1]; r.NoHistory || r.SinceTime.Before(began) || r.SinceTime.After(began.Add(time.Second)) {
		t.Errorf("retried request = %+v, want lines since the first request went out (%v)", r, began)
	}
}

// A reader that read the log up to a point itself starts a follower there:
// its first request is a resume, and nothing it has is repeated.
func TestFollowerStartsAfterAGivenPoint(t *testing.T) {
	src := &scriptedSource{answers: []func() (io.ReadCloser, error){
		body(fmt.Sprintf("%s one\n%s two\n%s three\n%s four\n", ts(1, 0), ts(2, 0), ts(2, 0), ts(3, 0))),
		func() (io.ReadCloser, error) {
			return nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "p", errors.New("no"))
		},
	}}
	at := time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)
	lines, _ := follow(t, src, fakePods{exists: true}, FollowOptions{Follow: true, TailLines: 10, After: at, AfterN: 1})
	if got := strings.Join(lines, ","); got != "three,four" {
		t.Errorf("lines = %s, want those after the first stamped second 2", got)
	}
	if r := src.requests[0]; r.TailLines != 0 || !r.SinceTime.Equal(at) {
		t.Errorf("first request = %+v, want a resume from %v", r, at)
	}
}
