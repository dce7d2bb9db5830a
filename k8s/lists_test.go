package k8s

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// watchCounter counts the watch streams open through it and the one-item
// lists sent.
type watchCounter struct {
	next      http.RoundTripper
	open      atomic.Int32
	limitOnes atomic.Int32
	mu        sync.Mutex
	lists     map[string][]string // namespace → the limits of its paged list requests
}

// pages returns the limits of the paged list requests (limit above 1)
// that went to ns, in order.
func (w *watchCounter) pages(ns string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lists[ns]...)
}

func (w *watchCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query()
	if l := q.Get("limit"); l != "" && l != "1" {
		w.mu.Lock()
		if w.lists == nil {
			w.lists = map[string][]string{}
		}
		if parts := strings.Split(r.URL.Path, "/"); len(parts) > 5 && parts[3] == "namespaces" {
			w.lists[parts[4]] = append(w.lists[parts[4]], l)
		}
		w.mu.Unlock()
	}
	if q.Get("limit") == "1" {
		w.limitOnes.Add(1)
	}
	resp, err := w.next.RoundTrip(r)
	if err != nil || q.Get("watch") != "true" {
		return resp, err
	}
	w.open.Add(1)
	resp.Body = &closeHook{ReadCloser: resp.Body, done: func() { w.open.Add(-1) }}
	return resp, nil
}

type closeHook struct {
	io.ReadCloser
	done   func()
	closed atomic.Bool
}

func (c *closeHook) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.done()
	}
	return c.ReadCloser.Close()
}

func connectCounting(t *testing.T) (*Conn, *watchCounter) {
	t.Helper()
	counter := &watchCounter{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := ConnectConfig(ctx, testcluster.Shared(t).RESTConfig(), Info{}, Options{
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn, counter
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func lookup(t *testing.T, conn *Conn, name string) Type {
	t.Helper()
	typ, ok := conn.Catalog().Lookup(name)
	if !ok {
		t.Fatalf("no type %s", name)
	}
	return typ
}

// Listings nobody holds stop after the idle timeout, their watch closed;
// held ones keep running; asking again starts a listing anew.
func TestIdleListingsStopAndRestart(t *testing.T) {
	conn, counter := connectCounting(t)
	lists := conn.Lists()
	lists.SetIdleTimeout(300 * time.Millisecond)
	ctx := context.Background()
	cms, secrets := lookup(t, conn, "configmaps"), lookup(t, conn, "secrets")

	release := lists.Hold(cms, "default")
	lists.Names(secrets, "default")
	for _, typ := range []Type{cms, secrets} {
		if err := lists.WaitSynced(ctx, typ, "default"); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "two watches", func() bool { return counter.open.Load() == 2 })
	waitUntil(t, "the unheld listing to stop", func() bool {
		running, _ := lists.Running()
		return running == 1 && counter.open.Load() == 1
	})
	time.Sleep(600 * time.Millisecond)
	if running, _ := lists.Running(); running != 1 {
		t.Fatalf("the held listing stopped too: %d running", running)
	}
	release()
	waitUntil(t, "the released listing to stop", func() bool {
		running, _ := lists.Running()
		return running == 0 && counter.open.Load() == 0
	})

	_, startedBefore := lists.Running()
	if _, err := testcluster.Shared(t).Clientset().CoreV1().ConfigMaps("default").Create(ctx,
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "idle-restart"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = testcluster.Shared(t).Clientset().CoreV1().ConfigMaps("default").Delete(ctx, "idle-restart", metav1.DeleteOptions{})
	})
	if l := lists.Names(cms, "default"); l.Synced {
		t.Error("a restarted listing claims to be synced before it listed")
	}
	if err := lists.WaitSynced(ctx, cms, "default"); err != nil {
		t.Fatal(err)
	}
	if !contains(lists.Names(cms, "default").Names, "idle-restart") {
		t.Error("the restarted listing misses an object created while it was stopped")
	}
	if _, started := lists.Running(); started != startedBefore+1 {
		t.Errorf("started %d listings, want 1 more than %d", started, startedBefore)
	}
}

func contains(names []string, s string) bool {
	for _, n := range names {
		if n == s {
			return true
		}
	}
	return false
}

// Occupancy answers from a one-item list once per listing, remembers it
// until forgotten, and answers from a running cache without any request.
func TestOccupancyChecksOncePerListing(t *testing.T) {
	conn, counter := connectCounting(t)
	lists := conn.Lists()
	ctx := context.Background()
	c := testcluster.Shared(t).Clientset()
	ns := "occupancy"
	newNamespace(t, ns)
	for _, name := range []string{"a", "b", "c"} {
		if _, err := c.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cms, secrets, pods := lookup(t, conn, "configmaps"), lookup(t, conn, "secrets"), lookup(t, conn, "pods")

	heard := make(chan ListKey, 10)
	defer lists.Subscribe(func(k ListKey) {
		if k.Namespace == ns {
			heard <- k
		}
	})()
	if occ := lists.Occupancy(cms, ns); occ != OccupancyUnknown {
		t.Fatalf("first answer = %v, want unknown while the check runs", occ)
	}
	lists.Occupancy(secrets, ns)
	for range 2 {
		select {
		case <-heard:
		case <-time.After(10 * time.Second):
			t.Fatal("subscribers did not hear the checks' results")
		}
	}
	for i := 0; i < 100; i++ {
		if lists.Occupancy(cms, ns) != OccupancyNonEmpty || lists.Occupancy(secrets, ns) != OccupancyEmpty {
			t.Fatalf("configmaps %v, secrets %v", lists.Occupancy(cms, ns), lists.Occupancy(secrets, ns))
		}
	}
	if n := counter.limitOnes.Load(); n != 2 {
		t.Errorf("%d one-item lists for 2 listings asked 200 times, want 2", n)
	}

	// A running cache answers by itself, and follows the cluster.
	lists.Names(pods, ns)
	if err := lists.WaitSynced(ctx, pods, ns); err != nil {
		t.Fatal(err)
	}
	before := counter.limitOnes.Load()
	if occ := lists.Occupancy(pods, ns); occ != OccupancyEmpty {
		t.Errorf("pods from the cache = %v, want empty", occ)
	}
	if _, err := testcluster.Shared(t).CreatePod(ctx, ns, "p", []string{"app"}, nil); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the cache to see the pod", func() bool { return lists.Occupancy(pods, ns) == OccupancyNonEmpty })
	if n := counter.limitOnes.Load(); n != before {
		t.Errorf("a running cache still sent %d one-item lists", n-before)
	}

	// Forgetting asks again.
	if _, err := c.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if lists.Occupancy(secrets, ns) != OccupancyEmpty {
		t.Error("the remembered answer changed without ForgetOccupancy")
	}
	lists.ForgetOccupancy(ns)
	waitUntil(t, "the check to run again", func() bool { return lists.Occupancy(secrets, ns) == OccupancyNonEmpty })
}

// A big collection is listed in pages, 500 first and then 5,000, and
// while they arrive the listing already shows the names received so far.
func TestListingsArriveInPagesAndShowProgress(t *testing.T) {
	conn, counter := connectCounting(t)
	c := testcluster.Shared(t).Clientset()
	ctx := context.Background()
	ns := fmt.Sprintf("paging-%d", time.Now().UnixNano()%1e6)
	newNamespace(t, ns)
	const n = 1234 // and kube-root-ca.crt, which every namespace has
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			_, err := c.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%04d", i)}}, metav1.CreateOptions{})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	lists := conn.Lists()
	cms := lookup(t, conn, "configmaps")
	var mu sync.Mutex
	var partial []int
	defer lists.Subscribe(func(k ListKey) {
		if k.Namespace != ns {
			return
		}
		if l := lists.Names(cms, ns); !l.Synced && len(l.Names) > 0 {
			mu.Lock()
			partial = append(partial, len(l.Names))
			mu.Unlock()
		}
	})()
	lists.Names(cms, ns)
	if err := lists.WaitSynced(ctx, cms, ns); err != nil {
		t.Fatal(err)
	}
	if got := len(lists.Names(cms, ns).Names); got != n+1 {
		t.Fatalf("%d names, want %d", got, n+1)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(partial) == 0 || partial[0] != 500 {
		t.Errorf("names shown before the list completed: %v, want the first page's 500", partial)
	}
	if got := counter.pages(ns); !slices.Equal(got, []string{"500", "5000"}) {
		t.Errorf("list requests with limits %v, want 500, then 5000", got)
	}
}
