package k8s

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// pager lists and watches collections as the server's tables: for every
// object the cells `kubectl get` prints, and nothing else
// (includeObject=None). A table of 10,000 pods is smaller than their
// metadata in protobuf, so a listing's columns cost what its names cost.
//
// Concurrency: safe from any goroutine.
type pager struct {
	rest rest.Interface
	now  func() time.Time // when an answer arrived, for its ages
}

// newPager returns a pager that asks through client, set up as
// client-go's metadata client sets up its own (metadata.NewForConfigAndClient),
// so that the two can share client.
func newPager(config *rest.Config, client *http.Client) (*pager, error) {
	cfg := metadata.ConfigFor(config)
	// Every request gives its absolute path; these only satisfy
	// RESTClientFor.
	cfg.GroupVersion = &schema.GroupVersion{}
	cfg.APIPath = "/"
	rc, err := rest.RESTClientForConfigAndClient(cfg, client)
	if err != nil {
		return nil, err
	}
	return &pager{rest: rc, now: time.Now}, nil
}

// includeFor is what a table of ns carries of each row's object: nothing,
// but, across namespaces, the metadata, where each row's namespace is.
func includeFor(ns string) metav1.IncludeObjectPolicy {
	if ns == AllNamespaces {
		return metav1.IncludeMetadata
	}
	return metav1.IncludeNone
}

func (p *pager) request(gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions, include metav1.IncludeObjectPolicy) *rest.Request {
	return p.rest.Get().AbsPath(collectionPath(gvr, ns)...).
		SetHeader("Accept", tableAccept).
		Param("includeObject", string(include)).
		SpecificallyVersionedParams(&opts, metav1.ParameterCodec, metav1.SchemeGroupVersion)
}

// list fetches one page of gvr in ns ("" for cluster-wide) as a table.
func (p *pager) list(ctx context.Context, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions) (*rowList, error) {
	return p.listWith(ctx, gvr, ns, opts, includeFor(ns))
}

// listBare fetches one page of a table without the rows' objects, even
// across namespaces, where the rows then have no namespace (see
// nameRows).
func (p *pager) listBare(ctx context.Context, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions) (*rowList, error) {
	return p.listWith(ctx, gvr, ns, opts, metav1.IncludeNone)
}

func (p *pager) listWith(ctx context.Context, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions, include metav1.IncludeObjectPolicy) (*rowList, error) {
	result := p.request(gvr, ns, opts, include).Do(ctx)
	// Error, not Raw's error: it reads the server's Status (403, 404...)
	// into an API error, as the typed clients do.
	body, _ := result.Raw()
	if err := result.Error(); err != nil {
		return nil, err
	}
	return decodeTable(body, ns, p.now())
}

// get fetches one object of gvr in ns as a one-row table.
func (p *pager) get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*rowList, error) {
	result := p.rest.Get().AbsPath(append(collectionPath(gvr, ns), name)...).
		SetHeader("Accept", tableAccept).
		Param("includeObject", string(metav1.IncludeNone)).
		Do(ctx)
	body, _ := result.Raw()
	if err := result.Error(); err != nil {
		return nil, err
	}
	return decodeTable(body, ns, p.now())
}

// watch watches gvr in ns as tables: every event's object is a one-row
// table, or a Status for an error. Bookmarks are not asked for: a table
// of one has no row to carry them. columns are the listing's: the
// server sends them with a watch's first event only.
func (p *pager) watch(ctx context.Context, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions, columns []Column) (watch.Interface, error) {
	opts.Watch = true
	opts.AllowWatchBookmarks = false
	body, err := p.request(gvr, ns, opts, includeFor(ns)).Stream(ctx)
	if err != nil {
		return nil, err
	}
	return watch.NewStreamWatcher(&tableEvents{body: body, dec: json.NewDecoder(body), ns: ns, columns: columns, now: p.now},
		// As client-go reports a stream it cannot decode.
		apierrors.NewClientErrorReporter(http.StatusInternalServerError, "GET", "ClientWatchDecoding")), nil
}

// sameContinue fails a paged list whose server answered with the continue
// token it was sent: asking on would never end.
func sameContinue(sent, got string) error {
	if got != "" && got == sent {
		return errors.New("the API server answered a paged list with the continue token it was sent; listing stopped")
	}
	return nil
}

// tableEvents decodes a table watch stream: JSON events, one after the
// other.
type tableEvents struct {
	body    io.ReadCloser
	dec     *json.Decoder
	ns      string
	columns []Column // the last columns an event brought, else the listing's
	now     func() time.Time
}

// Decode implements watch.Decoder.
func (d *tableEvents) Decode() (watch.EventType, runtime.Object, error) {
	var ev struct {
		Type   watch.EventType `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	if err := d.dec.Decode(&ev); err != nil {
		return "", nil, err
	}
	obj, err := decodeWatchObject(ev.Object, d.ns, d.columns, d.now())
	if err != nil {
		return "", nil, err
	}
	if row, ok := obj.(*tableRow); ok && row.columns != nil {
		d.columns = row.columns
	}
	return ev.Type, obj, nil
}

// Close implements watch.Decoder.
func (d *tableEvents) Close() { d.body.Close() }
