package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/coder/websocket"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// A directory as a WebSocket: GET <directory> with the Upgrade header
// sends the directory as its JSON (see dirJSON), then again each time it
// changes, as the informer caches hear of it: pushed, not polled. The
// socket holds the directory's listing, so it is not stopped as idle
// while someone looks at it.

// Changes is what tells the server that a listing changed: a context's
// k8s.Lists.
type Changes interface {
	Subscribe(fn func(k8s.ListKey)) (unsubscribe func())
}

// dirCoalesce is the shortest time between two frames of one directory:
// a burst of changes (a Deployment scaled by 50) is one frame.
const dirCoalesce = 100 * time.Millisecond

// serveDirSocket pushes directory t.path to a WebSocket until the client
// goes.
func (s *Server) serveDirSocket(w http.ResponseWriter, r *http.Request, t target) {
	changes := t.tree.Changes
	if changes == nil {
		http.Error(w, "kfsui web: this context's directories are not followed", http.StatusNotFound)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context())
	release := t.tree.FS.Hold(t.path)
	defer release()
	kick := make(chan struct{}, 1)
	unsubscribe := changes.Subscribe(func(key k8s.ListKey) {
		if slices.Contains(t.tree.FS.DirsShowing(key), t.path) {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
	})
	defer unsubscribe()
	if err := pushDir(ctx, conn, t, kick); err == nil || ctx.Err() != nil {
		conn.Close(websocket.StatusNormalClosure, "")
	}
}

// pushDir sends the directory, and again after each kick that changed
// it, at most once per dirCoalesce.
func pushDir(ctx context.Context, conn *websocket.Conn, t target, kick <-chan struct{}) error {
	var last []byte
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
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return conn.Close(websocket.StatusPolicyViolation, model.OneLine(err))
		}
		b, err := json.Marshal(toJSON(t, dir, time.Now()))
		if err != nil {
			return err
		}
		if !bytes.Equal(b, last) {
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := conn.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				return err
			}
			last = b
		}
		first = false
		// A change shows at once; the changes of the next moments wait
		// for it to pass, and come together.
		select {
		case <-time.After(dirCoalesce):
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-kick:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
