package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// A directory as a WebSocket: GET <directory> with the Upgrade header
// sends the directory as its JSON (see dirJSON), then again each time it
// changes, as the informer caches hear of it: pushed, not polled.
//
// The browsers on one directory share it: one liveDir holds its listing,
// reads and encodes it once per change, and hands the same bytes to every
// socket. Twenty browsers on a directory of 10,000 pods cost one listing
// and one encoding, plus what each socket has in flight. A socket that
// reads slowly skips to the newest frame: a directory's frames replace
// each other.

// Changes is what tells the server that a listing changed: a context's
// k8s.Lists.
type Changes interface {
	Subscribe(fn func(k8s.ListKey)) (unsubscribe func())
}

// dirCoalesce is the shortest time between two frames of one directory:
// a burst of changes (a Deployment scaled by 50) is one frame.
const dirCoalesce = 100 * time.Millisecond

// dirKey names a directory of one context.
type dirKey struct {
	context string
	path    model.Path
}

// liveDir is a directory followed for the sockets showing it.
type liveDir struct {
	mu     sync.Mutex
	latest []byte                   // the last frame, nil before the first
	subs   map[chan []byte]struct{} // each socket's mailbox of one frame
	stop   context.CancelFunc       // ends the producer, a while after the last socket
	linger *time.Timer              // running while no socket shows it
}

// dirLinger is how long a directory stays followed after its last
// socket went: a browser going back to it, or a reload, finds it ready.
const dirLinger = 30 * time.Second

// liveDirs are the directories followed, by key.
type liveDirs struct {
	mu   sync.Mutex
	dirs map[dirKey]*liveDir
}

// watch subscribes to directory t: the channel receives the directory's
// newest frame each time it changes (the current one at once, if there
// is one). release unsubscribes; the last release stops following.
func (s *Server) watch(t target) (frames <-chan []byte, release func()) {
	key := dirKey{context: t.context, path: t.path}
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	if s.live.dirs == nil {
		s.live.dirs = map[dirKey]*liveDir{}
	}
	d := s.live.dirs[key]
	if d != nil && d.linger != nil {
		d.linger.Stop()
		d.linger = nil
	}
	if d == nil {
		ctx, stop := context.WithCancel(context.Background())
		d = &liveDir{subs: map[chan []byte]struct{}{}, stop: stop}
		s.live.dirs[key] = d
		go d.produce(ctx, t)
	}
	ch := make(chan []byte, 1)
	d.mu.Lock()
	d.subs[ch] = struct{}{}
	if d.latest != nil {
		ch <- d.latest
	}
	d.mu.Unlock()
	return ch, func() {
		s.live.mu.Lock()
		defer s.live.mu.Unlock()
		d.mu.Lock()
		delete(d.subs, ch)
		last := len(d.subs) == 0
		d.mu.Unlock()
		if !last {
			return
		}
		var t *time.Timer
		t = time.AfterFunc(s.linger, func() {
			s.live.mu.Lock()
			defer s.live.mu.Unlock()
			if d.linger == t { // no socket came back meanwhile
				d.stop()
				delete(s.live.dirs, key)
			}
		})
		d.linger = t
	}
}

// publish hands frame b to every socket, replacing a frame not yet sent.
func (d *liveDir) publish(b []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.latest = b
	for ch := range d.subs {
		select {
		case <-ch:
		default:
		}
		ch <- b
	}
}

// produce follows directory t until ctx ends: it holds its listing,
// reads and encodes it once now and once after each change that shows in
// it, at most once per dirCoalesce.
func (d *liveDir) produce(ctx context.Context, t target) {
	release := t.tree.FS.Hold(t.path)
	defer release()
	kick := make(chan struct{}, 1)
	unsubscribe := t.tree.Changes.Subscribe(func(key k8s.ListKey) {
		if slices.Contains(t.tree.FS.DirsShowing(key), t.path) {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
	})
	defer unsubscribe()
	first := true
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Minute)
		var dir model.Dir
		var err error
		if first {
			dir, err = readDir(rctx, t.tree.FS, t.path)
		} else {
			dir, err = t.tree.FS.ReadDir(rctx, t.path)
		}
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			dir = model.Dir{Err: err} // shown in the page; the next change reads again
		}
		if b, err := json.Marshal(toJSON(t, dir, time.Now())); err == nil {
			d.publish(b)
		}
		first = false
		// A change shows at once; the changes of the next moments wait
		// for it to pass, and come together.
		select {
		case <-time.After(dirCoalesce):
		case <-ctx.Done():
			return
		}
		select {
		case <-kick:
		case <-ctx.Done():
			return
		}
	}
}

// serveDirSocket pushes directory t.path to a WebSocket until the client
// goes.
func (s *Server) serveDirSocket(w http.ResponseWriter, r *http.Request, t target) {
	if t.tree.Changes == nil {
		http.Error(w, "kfsui web: this context's directories are not followed", http.StatusNotFound)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context())
	frames, release := s.watch(t)
	defer release()
	for {
		select {
		case b := <-frames:
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := conn.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return
		}
	}
}
