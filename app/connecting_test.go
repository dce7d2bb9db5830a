package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// shownScreen is a simulation screen that keeps a copy of what each Show
// put on it. tview shows from the UI goroutine; tests read the copy from
// theirs.
type shownScreen struct {
	tcell.SimulationScreen
	mu    sync.Mutex
	shown string
}

func newShownScreen() *shownScreen {
	return &shownScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
}

func (s *shownScreen) Show() {
	s.SimulationScreen.Show()
	cells, w, h := s.GetContents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if r := cells[y*w+x].Runes; len(r) > 0 {
				b.WriteString(string(r))
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	s.mu.Lock()
	s.shown = b.String()
	s.mu.Unlock()
}

func (s *shownScreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shown
}

func (s *shownScreen) waitText(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.text(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q; it shows:\n%s", want, s.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var testTarget = k8s.Target{Info: k8s.Info{Context: "dev", Cluster: "kind-dev", User: "admin", Server: "https://10.0.0.1:6443"}}

// runConnecting runs RunConnecting in the background; the channel gets its
// result.
func runConnecting(ctx context.Context, screen tcell.Screen, connect ConnectFunc) <-chan error {
	done := make(chan error, 1)
	go func() { done <- RunConnecting(ctx, testTarget, Options{Screen: screen}, connect) }()
	return done
}

func waitDone(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("RunConnecting did not return")
		return nil
	}
}

// Connecting begins only once the first frame is on screen, so that its
// handshake and discovery do not take the CPU from drawing it.
func TestConnectingStartsAfterTheFirstFrame(t *testing.T) {
	screen := newShownScreen()
	shown := make(chan string, 1)
	done := runConnecting(context.Background(), screen, func(ctx context.Context) (*k8s.Conn, *model.FS, error) {
		shown <- screen.text()
		<-ctx.Done()
		return nil, nil, ctx.Err()
	})
	select {
	case s := <-shown:
		if !strings.Contains(s, "connecting to https://10.0.0.1:6443") {
			t.Errorf("connecting began before the first frame was shown; the screen held:\n%s", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("connecting never began")
	}
	screen.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	if err := waitDone(t, done); err != nil {
		t.Fatalf("giving up returned %v, want nil", err)
	}
}

// The frame is drawn before the connection exists: where kfsui is going,
// from the kubeconfig alone, and how to give up. q gives up at once and
// cancels the connection in progress.
func TestConnectingDrawsAtOnceAndQGivesUp(t *testing.T) {
	screen := newShownScreen()
	cancelled := make(chan struct{})
	done := runConnecting(context.Background(), screen, func(ctx context.Context) (*k8s.Conn, *model.FS, error) {
		<-ctx.Done()
		close(cancelled)
		return nil, nil, ctx.Err()
	})
	screen.waitText(t, "connecting to https://10.0.0.1:6443 (context dev)")
	if s := screen.text(); !strings.Contains(s, "ctx dev") || !strings.Contains(s, "cluster kind-dev") || !strings.Contains(s, "q or Ctrl-C to give up") {
		t.Fatalf("header or hint missing:\n%s", s)
	}
	screen.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	if err := waitDone(t, done); err != nil {
		t.Fatalf("giving up returned %v, want nil", err)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection in progress was not cancelled")
	}
}

// A connection that fails ends the UI with its error, however early it
// fails: before the first frame, tview's Stop alone would do nothing and
// the UI would run for ever.
func TestConnectingFailureEndsWithTheError(t *testing.T) {
	for _, delay := range []time.Duration{0, 50 * time.Millisecond} {
		refused := errors.New("cannot reach the API server at https://10.0.0.1:6443: connection refused")
		done := runConnecting(context.Background(), newShownScreen(), func(context.Context) (*k8s.Conn, *model.FS, error) {
			time.Sleep(delay)
			return nil, nil, refused
		})
		if err := waitDone(t, done); !errors.Is(err, refused) {
			t.Fatalf("after %s: got %v, want the connection's error", delay, err)
		}
	}
}

// SIGTERM and SIGHUP end the caller's context: that ends kfsui while it
// connects, too.
func TestConnectingEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	screen := newShownScreen()
	done := runConnecting(ctx, screen, func(ctx context.Context) (*k8s.Conn, *model.FS, error) {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	})
	screen.waitText(t, "connecting to")
	cancel()
	if err := waitDone(t, done); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
}
