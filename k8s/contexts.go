package k8s

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Contexts is the kubeconfig's contexts and a connection to each one in
// use, made the first time it is asked for. The starting context is the
// one kubectl's flags choose (--context, else the current context), and
// kubectl's connection flags (--namespace, --user, --cluster, --server,
// --token, certificates, impersonation) apply to it alone: every other
// context connects as the kubeconfig describes it, with its own user and
// credentials. --kubeconfig and --request-timeout apply to all.
//
// Concurrency: safe from any goroutine.
type Contexts struct {
	flags *genericclioptions.ConfigFlags
	opts  Options
	start string
	names []string // sorted

	ctx    context.Context // ends with Close
	cancel context.CancelFunc

	mu     sync.Mutex
	conns  map[string]*contextConn
	closed bool
}

// contextConn is one context's connection, or the attempt under way.
type contextConn struct {
	done chan struct{} // closed once conn or err is set
	conn *Conn
	err  error
}

// ErrContextsClosed is returned for a connection asked for after Close.
var ErrContextsClosed = errors.New("kfsui is closing")

// LoadContexts reads the kubeconfig kubectl's flags point at. It sends
// nothing; its errors (a broken kubeconfig, an unknown --context) are one
// line a person can act on. opts apply to every connection made.
func LoadContexts(flags *genericclioptions.ConfigFlags, opts Options) (*Contexts, error) {
	raw, err := flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	start := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		start = *flags.Context
	}
	names := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		names = append(names, name)
	}
	slices.Sort(names)
	if start != "" && !slices.Contains(names, start) {
		return nil, fmt.Errorf("unknown context %q (the kubeconfig has: %s)", start, joinNames(names))
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Contexts{flags: flags, opts: opts, start: start, names: names, ctx: ctx, cancel: cancel,
		conns: map[string]*contextConn{}}, nil
}

// Start is the starting context's name; "" when the kubeconfig has no
// current context and none was asked for (kubectl's flags alone then say
// where the server is).
func (c *Contexts) Start() string { return c.start }

// Names returns the kubeconfig's context names, sorted.
func (c *Contexts) Names() []string { return slices.Clone(c.names) }

// Has reports whether the kubeconfig has context name.
func (c *Contexts) Has(name string) bool {
	_, ok := slices.BinarySearch(c.names, name)
	return ok
}

// Target resolves context name ("" for the starting one) without sending
// anything.
func (c *Contexts) Target(name string) (Target, error) {
	if name == "" || name == c.start {
		return Resolve(c.flags)
	}
	if !c.Has(name) {
		return Target{}, fmt.Errorf("unknown context %q (the kubeconfig has: %s)", name, joinNames(c.names))
	}
	return Resolve(c.flagsFor(name))
}

// flagsFor is kubectl's flags for context name other than the starting
// one: only the kubeconfig's location and the request timeout carry over.
func (c *Contexts) flagsFor(name string) *genericclioptions.ConfigFlags {
	f := genericclioptions.NewConfigFlags(true)
	f.KubeConfig = c.flags.KubeConfig
	f.Timeout = c.flags.Timeout
	f.Context = &name
	return f
}

// Conn returns the connection to context name ("" for the starting one),
// connecting first if no connection is open: at most one attempt at a
// time per context, which every caller asking meanwhile waits for. A
// failed attempt is not kept, so asking again tries again. ctx bounds
// the wait, not the attempt, which others may be waiting for too.
func (c *Contexts) Conn(ctx context.Context, name string) (*Conn, error) {
	if name == "" {
		name = c.start
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrContextsClosed
	}
	e, ok := c.conns[name]
	if !ok {
		e = &contextConn{done: make(chan struct{})}
		c.conns[name] = e
		go c.connect(name, e)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.conn, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Connected returns the connection to context name if one is open,
// without connecting.
func (c *Contexts) Connected(name string) (*Conn, bool) {
	if name == "" {
		name = c.start
	}
	c.mu.Lock()
	e, ok := c.conns[name]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	select {
	case <-e.done:
		return e.conn, e.err == nil
	default:
		return nil, false
	}
}

func (c *Contexts) connect(name string, e *contextConn) {
	target, err := c.Target(name)
	var conn *Conn
	if err == nil {
		conn, err = target.Connect(c.ctx, c.opts)
	}
	c.mu.Lock()
	switch {
	case err != nil:
		delete(c.conns, name)
	case c.closed:
		// Closed while connecting: nobody will close it otherwise.
		conn.Close()
		conn, err = nil, ErrContextsClosed
	}
	e.conn, e.err = conn, err
	c.mu.Unlock()
	close(e.done)
}

// Close closes every connection and ends attempts under way.
func (c *Contexts) Close() {
	c.mu.Lock()
	c.closed = true
	conns := c.conns
	c.conns = nil
	c.mu.Unlock()
	c.cancel()
	for _, e := range conns {
		select {
		case <-e.done:
			if e.conn != nil {
				e.conn.Close()
			}
		default: // connect closes it
		}
	}
}

// joinNames lists sorted context names as errors name them.
func joinNames(names []string) string {
	if len(names) == 0 {
		return "no contexts"
	}
	return strings.Join(names, ", ")
}
