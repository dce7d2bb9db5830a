// Package mount serves kfsui's path tree as a read-only FUSE filesystem
// (`kfsui mount`), through the same model and caches as the UI: a
// directory lists what the informer-fed listings hold, a leaf is rendered
// from one GET when it is opened (or stat'ed just before), and an open log
// grows as the container writes.
//
// A leaf's text is kept while any reader holds it open, so stat's size is
// what read returns and tar, cp and md5sum agree; a stat and the open that
// follows within Options.Fresh share one GET.
//
// Concurrency: go-fuse calls a node's methods from many goroutines at
// once. Every node guards its own state; the model and the connection are
// safe from any goroutine; GETs in flight are capped by a semaphore shared
// by the whole mount.
package mount

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// Tree is one cluster's tree in the mount.
type Tree struct {
	// Name is the tree's directory under the mount point when several
	// trees are mounted (its context's name); unused for a single tree,
	// which is the mount's root.
	Name string
	FS   *model.FS
	Logs k8s.FollowSource // its *k8s.Conn
}

// Options tune a mount. Zero values take the defaults.
type Options struct {
	// MaxInFlight caps the leaf reads running at once across the mount,
	// so that `grep -r` over a namespace cannot flood the server (the
	// client's rate limit applies below it). Default 8.
	MaxInFlight int
	// Timeout bounds one file operation's requests. Default 30s.
	Timeout time.Duration
	// Fresh is how long a leaf's text, once fetched, answers a stat and
	// an open without another GET. Default 2s.
	Fresh time.Duration
	// LogBytes caps what an open log keeps; a reader further behind
	// than that gets EIO. Default 64 MiB.
	LogBytes int
	// Errors gets one line per failure worth telling (a forbidden type,
	// an unreachable server), at most one per path every 30 seconds; nil
	// discards them.
	Errors io.Writer
	// FsName is the mount's source as mount(8) and df show it.
	FsName string
}

func (o *Options) defaults() {
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 8
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Fresh <= 0 {
		o.Fresh = 2 * time.Second
	}
	if o.LogBytes <= 0 {
		o.LogBytes = 64 << 20
	}
	if o.Errors == nil {
		o.Errors = io.Discard
	}
	if o.FsName == "" {
		o.FsName = "kfsui"
	}
}

// Server is a mounted tree.
type Server struct {
	dir string
	srv *fuse.Server
	m   *mounter
}

// Mount mounts trees read-only on dir and serves them until unmounted.
// One tree is the mount's root; several are directories named after
// them. dir must be an empty directory that is not a mount point.
func Mount(dir string, trees []Tree, o Options) (*Server, error) {
	if len(trees) == 0 {
		return nil, errors.New("nothing to mount")
	}
	if err := CheckFUSE(); err != nil {
		return nil, err
	}
	if err := CheckMountPoint(dir); err != nil {
		return nil, err
	}
	o.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	m := &mounter{
		ctx: ctx, cancel: cancel, o: o, trees: trees,
		sem: make(chan struct{}, o.MaxInFlight), started: time.Now(),
		uid: uint32(os.Getuid()), gid: uint32(os.Getgid()), told: map[string]time.Time{},
	}
	root := &node{m: m}
	if len(trees) == 1 {
		root.tree, root.path = &m.trees[0], model.Root
	}
	entryTimeout := time.Second
	srv, err := fs.Mount(dir, root, &fs.Options{
		// A name that is gone may be looked up again at once: a
		// listing decides, not a cache of misses. Attributes are not
		// kept unless a node says so (directories do): a leaf's size
		// is known only once it is fetched.
		EntryTimeout: &entryTimeout, AttrTimeout: new(time.Duration), NegativeTimeout: new(time.Duration),
		UID: m.uid, GID: m.gid,
		MountOptions: fuse.MountOptions{
			Options: []string{"ro"},
			FsName:  o.FsName, Name: "kfsui",
			// xattrs: there are none; asking would only cost round trips.
			DisableXAttrs: true,
			MaxReadAhead:  128 << 10,
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("mount %s: %w", dir, err)
	}
	return &Server{dir: dir, srv: srv, m: m}, nil
}

// Wait blocks until the mount is gone: unmounted by Unmount or from
// outside (fusermount3 -u). Safe from any goroutine.
func (s *Server) Wait() {
	s.srv.Wait()
	s.m.cancel()
}

// Unmount unmounts; if the mount is busy (a shell's working directory is
// in it) it is detached lazily, as umount -l does, so kfsui can still end.
// Safe from any goroutine.
func (s *Server) Unmount() error {
	if err := s.srv.Unmount(); err != nil {
		if ferr := ForceUnmount(s.dir); ferr != nil {
			return fmt.Errorf("unmount %s: %v; %v", s.dir, err, ferr)
		}
	}
	return nil
}

// mounter is what every node of one mount shares.
type mounter struct {
	ctx     context.Context // ends when the mount does
	cancel  context.CancelFunc
	o       Options
	trees   []Tree
	sem     chan struct{}
	started time.Time
	uid     uint32
	gid     uint32

	toldMu sync.Mutex
	told   map[string]time.Time // path -> when its last failure was told
}

// opContext bounds one operation. The kernel's interrupt (the FUSE
// request's context) is not followed: the Go runtime's preemption
// signals interrupt readers that are Go programs many times a second,
// and a GET cut short each time would never finish.
func (m *mounter) opContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(m.ctx, m.o.Timeout)
}

// acquire takes one of the GET slots, or fails when ctx ends first.
func (m *mounter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case m.sem <- struct{}{}:
		return func() { <-m.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ino is a node's inode number: stable for a path, so that a name looked
// up again finds the same node and what it holds.
func (m *mounter) ino(t *Tree, p model.Path) uint64 {
	h := fnv.New64a()
	if t != nil {
		_, _ = io.WriteString(h, t.Name)
	}
	_, _ = io.WriteString(h, "\x00"+p.String())
	n := h.Sum64()
	if n < 2 { // 1 is the root's
		n += 2
	}
	return n
}

// errno maps err to what a file operation returns, telling the user why
// where the errno alone would not (forbidden, unreachable).
func (m *mounter) errno(t *Tree, p model.Path, err error) syscall.Errno {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, model.ErrNoSuchPath), apierrors.IsNotFound(err):
		return syscall.ENOENT
	case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err):
		m.tell(t, p, err)
		return syscall.EACCES
	case errors.Is(err, context.DeadlineExceeded), apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		m.tell(t, p, err)
		return syscall.ETIMEDOUT
	default:
		m.tell(t, p, err)
		return syscall.EIO
	}
}

// tellEvery is how often the same path's failure is told again.
const tellEvery = 30 * time.Second

func (m *mounter) tell(t *Tree, p model.Path, err error) {
	where := p.String()
	if t != nil && len(m.trees) > 1 {
		where = t.Name + ":" + where
	}
	m.toldMu.Lock()
	now := time.Now()
	if last, ok := m.told[where]; ok && now.Sub(last) < tellEvery {
		m.toldMu.Unlock()
		return
	}
	if len(m.told) > 10000 {
		clear(m.told)
	}
	m.told[where] = now
	m.toldMu.Unlock()
	fmt.Fprintf(m.o.Errors, "kfsui: %s: %s\n", where, oneLine(err.Error()))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
