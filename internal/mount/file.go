package mount

import (
	"context"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/kfsui/kfsui/model"
)

// file is a leaf's state: the text its readers share and, for a log
// held open, the live log that keeps growing.
//
// Concurrency: every method is safe from any goroutine. mu is held while
// fetching, so readers of one leaf that come together share one GET.
type file struct {
	m    *mounter
	tree *Tree
	path model.Path

	mu    sync.Mutex
	text  *text    // the last text fetched, nil once dropped
	opens int      // handles open
	live  *liveLog // a log's stream, while a handle is open
}

// text is a leaf's content as fetched at one moment. Never changed once
// made, so readers slice it without locks.
type text struct {
	data  []byte
	mtime time.Time
	taken time.Time
	// A log's history ends here: where its live stream resumes.
	resume logResume
}

func (f *file) isLog() bool { return f.path.Kind == model.KindLog }

// known returns the size and mtime known now, without a request: zero
// when nothing is.
func (f *file) known() (int64, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.live != nil {
		return f.live.size()
	}
	if f.text != nil {
		return int64(len(f.text.data)), f.text.mtime
	}
	return 0, time.Time{}
}

// stat makes sure the size that the next fill reports is the one an open
// now would read: the open readers' text, a fresh one, or one fetched now.
func (f *file) stat() syscall.Errno {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.live != nil || f.opens > 0 || f.fresh() {
		return 0
	}
	_, errno := f.fetchLocked()
	return errno
}

// fresh reports whether the last text may stand for a new one.
// Called with mu held.
func (f *file) fresh() bool {
	return f.text != nil && time.Since(f.text.taken) < f.m.o.Fresh
}

// fetchLocked fetches the leaf's text now. Called with mu held.
func (f *file) fetchLocked() (*text, syscall.Errno) {
	ctx, cancel := f.m.opContext()
	defer cancel()
	release, err := f.m.acquire(ctx)
	if err != nil {
		return nil, f.m.errno(f.tree, f.path, err)
	}
	defer release()
	var t *text
	if f.isLog() {
		t, err = f.fetchLog(ctx)
	} else {
		var leaf model.Leaf
		leaf, err = f.tree.FS.Read(ctx, f.path)
		t = &text{data: []byte(leaf.Text), mtime: leaf.ModTime}
	}
	if err != nil {
		return nil, f.m.errno(f.tree, f.path, err)
	}
	t.taken = time.Now()
	f.text = t
	f.dropLater(t)
	return t, 0
}

// dropLater forgets t once it is stale and no reader holds it, so that a
// find or ls -l over many leaves does not keep every text.
func (f *file) dropLater(t *text) {
	time.AfterFunc(f.m.o.Fresh, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.text == t && f.opens == 0 {
			f.text = nil
		}
	})
}

// open returns a handle on the text every open reader shares: fetched now
// unless a fresh one (from the stat just before) or an open reader's is
// there. A log starts growing.
func (f *file) open() (handle, syscall.Errno) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.isLog() {
		if f.live == nil {
			t := f.text
			if !f.fresh() {
				var errno syscall.Errno
				if t, errno = f.fetchLocked(); errno != 0 {
					return nil, errno
				}
			}
			f.live = startLive(f, t)
		}
		f.opens++
		return &logHandle{f: f, live: f.live}, 0
	}
	t := f.text
	if f.opens == 0 && !f.fresh() {
		var errno syscall.Errno
		if t, errno = f.fetchLocked(); errno != 0 {
			return nil, errno
		}
	}
	f.opens++
	return &leafHandle{f: f, t: t}, 0
}

// release ends one reader; the last one stops a log's stream.
func (f *file) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens--
	if f.opens > 0 {
		return
	}
	if f.live != nil {
		live := f.live
		f.live = nil
		// The history fetched with it no longer stands for the log.
		f.text = nil
		go live.close()
		return
	}
	if t := f.text; t != nil && !f.fresh() {
		f.text = nil
	}
}

// handle is an open leaf.
type handle interface {
	fs.FileReader
	fs.FileGetattrer
	fs.FileReleaser
}

var (
	_ handle = (*leafHandle)(nil)
	_ handle = (*logHandle)(nil)
)

// leafHandle reads one text, the same from open to close.
type leafHandle struct {
	f *file
	t *text
}

func (h *leafHandle) Read(_ context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if off >= int64(len(h.t.data)) {
		return fuse.ReadResultData(nil), 0
	}
	end := min(off+int64(len(dest)), int64(len(h.t.data)))
	return fuse.ReadResultData(h.t.data[off:end]), 0
}

func (h *leafHandle) Getattr(_ context.Context, out *fuse.AttrOut) syscall.Errno {
	h.f.m.fileAttr(&out.Attr, int64(len(h.t.data)), h.t.mtime)
	return 0
}

func (h *leafHandle) Release(context.Context) syscall.Errno {
	h.f.release()
	return 0
}
