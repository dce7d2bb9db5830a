package mount

import (
	"context"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/kfsui/kfsui/model"
)

// node is one path of the mount: a directory, or a leaf with its file
// state. The root over several trees has no tree.
type node struct {
	fs.Inode
	m    *mounter
	tree *Tree
	path model.Path
	file *file // leaves only
}

var (
	_ fs.NodeLookuper   = (*node)(nil)
	_ fs.NodeReaddirer  = (*node)(nil)
	_ fs.NodeGetattrer  = (*node)(nil)
	_ fs.NodeOpener     = (*node)(nil)
	_ fs.NodeStatfser   = (*node)(nil)
	_ fs.NodeReadlinker = (*node)(nil)
)

func newNode(m *mounter, t *Tree, p model.Path) *node {
	n := &node{m: m, tree: t, path: p}
	if !p.IsDir() && p.Kind != model.KindLink {
		n.file = &file{m: m, tree: t, path: p}
	}
	return n
}

func (n *node) isDir() bool { return n.file == nil && !n.isLink() }

// isLink reports whether the node is an entry of /all/<type>: a symbolic
// link to the object's own directory, so that grep -r and find do not
// walk every object twice.
func (n *node) isLink() bool { return n.path.Kind == model.KindLink }

// linkTarget is where an /all/<type> entry leads, relative to its
// directory, so the link works wherever the mount is.
func linkTarget(p model.Path) string {
	t := p.Target()
	return "../../namespaces/" + t.Namespace + "/" + t.Type + "/" + t.Name
}

// Readlink gives an /all/<type> entry's target.
func (n *node) Readlink(context.Context) ([]byte, syscall.Errno) {
	if !n.isLink() {
		return nil, syscall.EINVAL
	}
	return []byte(linkTarget(n.path)), 0
}

// Lookup finds name in the directory: a malformed name is ENOENT without
// a request; otherwise the listings decide (model.FS.Exists), and a leaf
// costs nothing until it is stat'ed or opened.
func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if n.tree == nil {
		for i := range n.m.trees {
			if n.m.trees[i].Name == name {
				return n.child(ctx, &n.m.trees[i], model.Root, out)
			}
		}
		return nil, syscall.ENOENT
	}
	p, err := n.path.Child(name)
	if err != nil {
		return nil, syscall.ENOENT
	}
	opCtx, cancel := n.m.opContext()
	defer cancel()
	if below(p) {
		// Whether a log or a revision exists is known from its
		// directory, which costs a GET.
		release, err := n.m.acquire(opCtx)
		if err != nil {
			return nil, n.m.errno(n.tree, p, err)
		}
		defer release()
	}
	if err := n.tree.FS.Exists(opCtx, p); err != nil {
		return nil, n.m.errno(n.tree, p, err)
	}
	return n.child(ctx, n.tree, p, out)
}

// below reports whether p's existence is read from a directory below an
// object, whose listing is a request.
func below(p model.Path) bool {
	switch p.Kind {
	case model.KindLog, model.KindPodLogsDir, model.KindRevision:
		return true
	}
	return false
}

func (n *node) child(ctx context.Context, t *Tree, p model.Path, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	c := newNode(n.m, t, p)
	mode := uint32(syscall.S_IFDIR)
	switch {
	case c.isLink():
		mode = syscall.S_IFLNK
	case !c.isDir():
		mode = syscall.S_IFREG
	}
	in := n.NewInode(ctx, c, fs.StableAttr{Mode: mode, Ino: n.m.ino(t, p)})
	// The inode may be one looked up before: its node holds the state.
	if existing, ok := in.Operations().(*node); ok {
		c = existing
	}
	c.fill(&out.Attr)
	if c.isDir() {
		out.SetAttrTimeout(time.Second)
	}
	// A leaf's attributes are not kept (the mount's default): its size
	// is known only once it is fetched, so the kernel must ask Getattr.
	out.SetEntryTimeout(time.Second)
	return in, 0
}

// fill writes what is known without a request: a directory's attributes,
// or a leaf's as far as its file knows them now.
func (n *node) fill(a *fuse.Attr) {
	a.Owner = fuse.Owner{Uid: n.m.uid, Gid: n.m.gid}
	if n.isLink() {
		a.Mode = syscall.S_IFLNK | 0o777
		a.Nlink = 1
		a.Size = uint64(len(linkTarget(n.path)))
		setTimes(a, n.m.started)
		return
	}
	if n.isDir() {
		a.Mode = syscall.S_IFDIR | 0o555
		a.Nlink = 2
		setTimes(a, n.m.started)
		return
	}
	size, mtime := n.file.known()
	n.m.fileAttr(a, size, mtime)
}

// fileAttr writes a leaf's attributes.
func (m *mounter) fileAttr(a *fuse.Attr, size int64, mtime time.Time) {
	a.Owner = fuse.Owner{Uid: m.uid, Gid: m.gid}
	a.Mode = syscall.S_IFREG | 0o444
	a.Nlink = 1
	if mtime.IsZero() {
		mtime = m.started
	}
	a.Size = uint64(size)
	a.Blocks = (a.Size + 511) / 512
	a.Blksize = 4096
	setTimes(a, mtime)
}

func setTimes(a *fuse.Attr, t time.Time) {
	sec, nsec := uint64(t.Unix()), uint32(t.Nanosecond())
	a.Mtime, a.Mtimensec = sec, nsec
	a.Ctime, a.Ctimensec = sec, nsec
	a.Atime, a.Atimensec = sec, nsec
}

// Getattr: a leaf's size is that of the text its open readers share, or
// of a text fetched now and kept for the open that usually follows.
func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if h, ok := f.(handle); ok {
		return h.Getattr(ctx, out)
	}
	if n.isDir() || n.isLink() {
		out.SetTimeout(time.Second)
	} else if errno := n.file.stat(); errno != 0 {
		return errno
	}
	n.fill(&out.Attr)
	return 0
}

// Readdir lists the directory from the listings, waiting for the first
// complete list of one not yet running.
func (n *node) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	if n.tree == nil {
		entries := make([]fuse.DirEntry, len(n.m.trees))
		for i := range n.m.trees {
			t := &n.m.trees[i]
			entries[i] = fuse.DirEntry{Name: t.Name, Mode: syscall.S_IFDIR, Ino: n.m.ino(t, model.Root)}
		}
		return fs.NewListDirStream(entries), 0
	}
	if n.isLink() {
		return nil, syscall.ENOTDIR
	}
	opCtx, cancel := n.m.opContext()
	defer cancel()
	fsys := n.tree.FS
	if err := fsys.Sync(opCtx, n.path); err != nil {
		return nil, n.m.errno(n.tree, n.path, err)
	}
	switch n.path.Kind {
	case model.KindLogsDir, model.KindPodLogsDir, model.KindRevisionsDir:
		release, err := n.m.acquire(opCtx)
		if err != nil {
			return nil, n.m.errno(n.tree, n.path, err)
		}
		defer release()
	}
	d, err := fsys.ReadDir(opCtx, n.path)
	if err == nil && d.Err != nil && len(d.Entries) == 0 {
		err = d.Err
	}
	if err != nil {
		return nil, n.m.errno(n.tree, n.path, err)
	}
	if d.Err != nil {
		// Some of it is known (a failed aggregated API): list that, and
		// say what is missing.
		n.m.tell(n.tree, n.path, d.Err)
	}
	entries := make([]fuse.DirEntry, len(d.Entries))
	for i, e := range d.Entries {
		mode := uint32(syscall.S_IFREG)
		switch {
		case e.Dir:
			mode = syscall.S_IFDIR
		case e.Path.Kind == model.KindLink:
			mode = syscall.S_IFLNK
		}
		entries[i] = fuse.DirEntry{Name: e.Name, Mode: mode, Ino: n.m.ino(n.tree, e.Path)}
	}
	return fs.NewListDirStream(entries), 0
}

// Open gives a reader the leaf's text, fetched once and shared with every
// other reader while any holds it; a log keeps growing. Writing is EROFS.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if n.isLink() {
		return nil, 0, syscall.ELOOP // the kernel follows links; this is O_NOFOLLOW
	}
	if n.isDir() {
		return nil, 0, syscall.EISDIR
	}
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&(syscall.O_TRUNC|syscall.O_APPEND|syscall.O_CREAT) != 0 {
		return nil, 0, syscall.EROFS
	}
	h, errno := n.file.open()
	if errno != 0 {
		return nil, 0, errno
	}
	// Direct I/O: reads come here rather than from the page cache, so a
	// reader sees the text its handle holds and a log's new lines.
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// Statfs answers df: a filesystem with no blocks to give.
func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	out.Bsize, out.Frsize, out.NameLen = 4096, 4096, 253
	return 0
}
