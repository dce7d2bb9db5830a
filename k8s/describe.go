package k8s

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/describe"

	"github.com/kfsui/kfsui/internal/readclose"
)

// describeChunkSize is kubectl's --chunk-size default: a describer's lists
// (a node's pods, a namespace's quotas) come in pages of this many, so
// describing a node of a big cluster is no single huge request.
const describeChunkSize = 500

// Describe returns what `kubectl describe` prints for the object name of
// t in ns, produced by kubectl's own describers (k8s.io/kubectl's
// describe package): the type's describer where kubectl has one, else the
// generic one, as kubectl chooses. It goes through kfsui's clients, so
// through the read-only guard. The describers take no context; ctx still
// ends their requests, as every request they make is made with it. Safe
// from any goroutine.
func (c *Conn) Describe(ctx context.Context, t Type, ns, name string) (string, error) {
	if !t.Namespaced {
		ns = ""
	}
	cfg := &rest.Config{
		Host:      c.describe.host,
		APIPath:   c.describe.apiPath,
		Timeout:   c.describe.timeout,
		QPS:       c.describe.qps,
		Burst:     c.describe.burst,
		UserAgent: c.describe.userAgent,
		// The connection's transport, authentication and read-only guard
		// included, shared by every describe: no new connection each
		// time.
		Transport: &contextTransport{next: c.describe.transport, ctx: ctx},
	}
	mapping := &meta.RESTMapping{
		Resource:         t.GVR,
		GroupVersionKind: schema.GroupVersionKind{Group: t.GVR.Group, Version: t.GVR.Version, Kind: t.Kind},
		Scope:            meta.RESTScopeRoot,
	}
	if t.Namespaced {
		mapping.Scope = meta.RESTScopeNamespace
	}
	d, ok := describe.DescriberFor(mapping.GroupVersionKind.GroupKind(), cfg)
	if !ok {
		if d, ok = describe.GenericDescriberFor(mapping, cfg); !ok {
			return "", fmt.Errorf("no description has been implemented for %s", mapping.GroupVersionKind)
		}
	}
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		text, err := d.Describe(ns, name, describe.DescriberSettings{ShowEvents: true, ChunkSize: describeChunkSize})
		done <- result{text, err}
	}()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		// Its requests end with ctx; the goroutine finishes by itself.
		return "", ctx.Err()
	}
}

// describeClient is what Describe builds its per-call configs from.
type describeClient struct {
	transport     http.RoundTripper
	host, apiPath string
	timeout       time.Duration
	qps           float32
	burst         int
	userAgent     string
}

// contextTransport ends every request when ctx ends, as well as when the
// request's own context does, so that requests made by code that takes no
// context (kubectl's describers) still end with ctx. The request's own
// context is kept: it carries the client's timeout.
type contextTransport struct {
	next http.RoundTripper
	ctx  context.Context
}

// RoundTrip implements http.RoundTripper.
func (t *contextTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(t.ctx, func() { cancel(context.Cause(t.ctx)) })
	done := func() {
		stop()
		cancel(nil)
	}
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		done()
		return nil, err
	}
	// The body is read after RoundTrip returns: the merged context lives
	// until it is closed.
	resp.Body = readclose.OnClose(resp.Body, done)
	return resp, nil
}
