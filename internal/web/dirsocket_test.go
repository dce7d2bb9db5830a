package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// A directory's socket sends the directory, then again as objects come
// and go, without being asked: what the page shows follows the cluster.
func TestWebDirSocketFollowsTheCluster(t *testing.T) {
	srv, hs, _, ns := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http")+"/namespaces/"+ns+"/configmaps",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + srv.Token()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	next := func(what string, ok func([]string) bool) {
		t.Helper()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			var d dirJSON
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range d.Entries {
				names = append(names, e.Name)
			}
			if ok(names) {
				if d.Columns == nil || d.Entries[0].Since == nil {
					t.Errorf("%s: columns %v, ages from %v", what, d.Columns, d.Entries[0].Since)
				}
				return
			}
		}
	}
	next("the directory", func(n []string) bool { return slices.Contains(n, "settings") })
	cms := testcluster.Shared(t).Clientset().CoreV1().ConfigMaps(ns)
	began := time.Now()
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "added"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("the new ConfigMap", func(n []string) bool { return slices.Contains(n, "added") })
	t.Logf("a ConfigMap created → pushed in %s", time.Since(began).Round(time.Millisecond))
	if err := cms.Delete(ctx, "added", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	next("the deletion", func(n []string) bool { return !slices.Contains(n, "added") })
}

// Browsers on one directory share it: one follower reads and encodes it,
// and every socket gets the very same frame; a while after the last went,
// the directory is no longer followed.
func TestWebDirSocketsShareTheDirectory(t *testing.T) {
	srv, hs, _, ns := serve(t)
	srv.linger = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dial := func() *websocket.Conn {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hs.URL, "http")+"/namespaces/"+ns+"/configmaps",
			&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + srv.Token()}}})
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	var conns []*websocket.Conn
	var first [][]byte
	for range 3 {
		c := dial()
		defer c.CloseNow()
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns, first = append(conns, c), append(first, b)
	}
	srv.live.mu.Lock()
	n := len(srv.live.dirs)
	srv.live.mu.Unlock()
	if n != 1 {
		t.Errorf("three sockets on one directory: %d directories followed, want 1", n)
	}
	if string(first[1]) != string(first[0]) || string(first[2]) != string(first[0]) {
		t.Errorf("the sockets' first frames differ:\n%s\n%s", first[0], first[2])
	}
	for _, c := range conns {
		c.Close(websocket.StatusNormalClosure, "")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		srv.live.mu.Lock()
		n = len(srv.live.dirs)
		srv.live.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the directory is still followed after its sockets closed")
		}
	}
}
