// Package k8s is kfsui's only door to the cluster: it builds the clients,
// discovers types, keeps informer-fed listings and fetches objects, events
// and logs. It imports no UI package.
//
// Concurrency: Conn, Lists and the catalog are safe from any goroutine.
// Subscribers' callbacks run on client goroutines and must not block.
package k8s

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/client-go/util/flowcontrol"
)

// DefaultRequestTimeout bounds one-shot requests (the startup check,
// discovery, GETs) when --request-timeout is not set. Watches and log
// streams are never bounded by it.
const DefaultRequestTimeout = 10 * time.Second

// Info describes where kfsui is connected, for the header and for errors.
type Info struct {
	Context   string
	Cluster   string
	User      string
	Server    string
	Namespace string // from --namespace or the context; "" if neither
	// NamespaceExplicit is true when Namespace came from --namespace or the
	// context rather than the "default" fallback.
	NamespaceExplicit bool
	ServerVersion     string
}

// Conn is a connection to one cluster.
type Conn struct {
	Info Info

	dynamic   dynamic.Interface
	core      kubernetes.Interface // one-shot requests
	streams   kubernetes.Interface // log streams: no overall timeout
	discovery discovery.DiscoveryInterface
	// relations reads metadata for tree.txt: bursts of hundreds of small
	// lists, bounded by how many are in flight rather than by a rate.
	relations metadata.Interface
	lists     *Lists
	health    *Health
	describe  describeClient

	catalog atomic.Pointer[Catalog]
	catSubs subscribers[*Catalog]
	stop    context.CancelFunc
	ctx     context.Context
}

// Options tune Connect.
type Options struct {
	// RequestTimeout bounds one-shot requests; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// UserAgent identifies kfsui to the API server.
	UserAgent string
	// WrapTransport, if set, wraps the transport inside the read-only
	// guard, e.g. to count the requests that reach the server.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// MetricsInterval, when above 0, gives pods and nodes listings
	// metrics-server's figures as columns, read this often (see
	// DefaultMetricsInterval); 0 leaves them out, as kubectl get does.
	MetricsInterval time.Duration
}

// Target is where kubectl's flags and the kubeconfig point, read before
// any request is sent: enough to say where kfsui is connecting.
type Target struct {
	Info   Info
	config *rest.Config // unexported: clients come only from Connect, behind the read-only guard
}

// Resolve reads kubectl's standard flags and the kubeconfig. It sends
// nothing, so its errors (an unknown context, a broken kubeconfig) come at
// once. Every error is one line a person can act on.
func Resolve(flags *genericclioptions.ConfigFlags) (Target, error) {
	info, err := describeConfig(flags)
	if err != nil {
		return Target{}, err
	}
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return Target{}, fmt.Errorf("kubeconfig: %w", err)
	}
	if info.Server == "" {
		info.Server = cfg.Host
	}
	return Target{config: cfg, Info: info}, nil
}

// Interactive reports whether connecting may ask the user something: the
// kubeconfig names a login plugin (exec) that may prompt, as an OIDC or
// MFA plugin does. Such a connection needs the terminal to itself.
func (t Target) Interactive() bool {
	e := t.config.ExecProvider
	return e != nil && e.InteractiveMode != clientcmdapi.NeverExecInteractiveMode
}

// Connect builds kfsui's clients from kubectl's standard flags, checks that
// the server answers within the request timeout, and discovers its types.
// Every error it returns is one line a person can act on.
func Connect(ctx context.Context, flags *genericclioptions.ConfigFlags, opts Options) (*Conn, error) {
	t, err := Resolve(flags)
	if err != nil {
		return nil, err
	}
	return t.Connect(ctx, opts)
}

// Connect connects to the target; see Connect.
func (t Target) Connect(ctx context.Context, opts Options) (*Conn, error) {
	if opts.RequestTimeout <= 0 {
		// --request-timeout lands here.
		opts.RequestTimeout = t.config.Timeout
	}
	return ConnectConfig(ctx, t.config, t.Info, opts)
}

// ConnectConfig is Connect for a ready rest.Config, as tests and benchmarks
// have one. info describes the connection for display.
func ConnectConfig(ctx context.Context, cfg *rest.Config, info Info, opts Options) (*Conn, error) {
	timeout := opts.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	base := rest.CopyConfig(cfg)
	if opts.UserAgent != "" {
		base.UserAgent = opts.UserAgent
	}
	if base.QPS == 0 {
		// client-go's default of 5 QPS makes opening a few directories
		// queue; a read-only browser can afford more.
		base.QPS, base.Burst = 50, 100
	}
	base.WarningHandler = rest.NoWarnings{}
	if opts.WrapTransport != nil {
		base.Wrap(opts.WrapTransport)
	}
	health := &Health{}
	// Lives as long as the connection; on failure below, ends at once.
	cctx, cancel := context.WithCancel(context.Background())
	connected := false
	defer func() {
		if !connected {
			cancel()
		}
	}()
	server, _, err := rest.DefaultServerUrlFor(base)
	if err != nil {
		return nil, fmt.Errorf("server %q: %w", base.Host, err)
	}
	base.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return &healthTransport{next: rt, health: health, ctx: cctx, version: path.Join("/", server.Path, "version")}
	})
	// Outermost, so nothing added above can bypass it.
	base.Wrap(ReadOnly)

	oneShot := rest.CopyConfig(base)
	oneShot.Timeout = timeout
	stream := rest.CopyConfig(base)
	stream.Timeout = 0

	oneShotClient, err := rest.HTTPClientFor(oneShot)
	if err != nil {
		return nil, err
	}
	describe := describeClient{transport: oneShotClient.Transport, host: oneShot.Host, apiPath: oneShot.APIPath,
		timeout: oneShot.Timeout, qps: oneShot.QPS, burst: oneShot.Burst, userAgent: oneShot.UserAgent}
	dc, err := discovery.NewDiscoveryClientForConfig(oneShot)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(oneShot)
	if err != nil {
		return nil, err
	}
	core, err := kubernetes.NewForConfig(oneShot)
	if err != nil {
		return nil, err
	}
	streams, err := kubernetes.NewForConfig(stream)
	if err != nil {
		return nil, err
	}
	// Listings list through the pager and watch through the metadata
	// client: one HTTP client and one rate limit for both, as when one
	// client did both.
	listings := listingConfig(stream)
	hc, err := rest.HTTPClientFor(listings)
	if err != nil {
		return nil, err
	}
	md, err := metadata.NewForConfigAndClient(listings, hc)
	if err != nil {
		return nil, err
	}
	pages, err := newPager(listings, hc)
	if err != nil {
		return nil, err
	}
	// tree.txt lists the metadata of every type of a namespace, a few
	// hundred on a cluster with many CRDs, at most 8 at a time: behind
	// a 50-per-second limiter those would take seconds.
	unlimited := rest.CopyConfig(oneShot)
	unlimited.QPS, unlimited.RateLimiter = -1, nil
	relations, err := metadata.NewForConfigAndClient(metadata.ConfigFor(unlimited), oneShotClient)
	if err != nil {
		return nil, err
	}
	// Helm's CHART column GETs a release record for each release shown,
	// hundreds at once in a namespace of many; helmDecoders bounds them.
	// In protobuf, the Secret's tens of kilobytes are read as bytes
	// rather than as a base64 string inside JSON.
	releaseConfig := rest.CopyConfig(unlimited)
	releaseConfig.ContentType = "application/vnd.kubernetes.protobuf"
	releaseConfig.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	releases, err := kubernetes.NewForConfigAndClient(releaseConfig, oneShotClient)
	if err != nil {
		return nil, err
	}

	// The version check and discovery are independent: run them side by
	// side so start-up costs one round trip, not two.
	type versionResult struct {
		v   string
		err error
	}
	vch := make(chan versionResult, 1)
	go func() {
		v, err := dc.ServerVersion()
		if err != nil {
			vch <- versionResult{err: err}
			return
		}
		vch <- versionResult{v: v.GitVersion}
	}()
	cat, discErr := discover(dc)
	var vr versionResult
	select {
	case vr = <-vch:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if vr.err != nil {
		return nil, fmt.Errorf("cannot reach the API server at %s (context %q): %w", base.Host, info.Context, unwrapURLError(vr.err))
	}
	if discErr != nil {
		return nil, fmt.Errorf("discovery failed at %s: %w", base.Host, discErr)
	}
	info.ServerVersion = vr.v
	if info.Server == "" {
		info.Server = base.Host
	}

	var objects kubernetes.Interface
	if opts.MetricsInterval > 0 {
		// Whole pods and nodes, for requests, limits and allocatable:
		// protobuf decodes several times faster than JSON.
		cfg := rest.CopyConfig(listings)
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
		if objects, err = kubernetes.NewForConfig(cfg); err != nil {
			return nil, err
		}
	}

	connected = true
	c := &Conn{
		Info:      info,
		dynamic:   dyn,
		core:      core,
		streams:   streams,
		discovery: dc,
		relations: relations,
		lists:     newLists(md, pages),
		describe:  describe,
		health:    health,
		stop:      cancel,
		ctx:       cctx,
	}
	c.catalog.Store(cat)
	c.lists.helm = newHelmDecoder(releases)
	if objects != nil {
		c.lists.usage = &usageSource{interval: opts.MetricsInterval, conn: c, objects: objects}
	}
	return c, nil
}

// Close stops every cache and background task. Requests in flight end with
// a context error. Safe from any goroutine.
func (c *Conn) Close() {
	c.stop()
	c.lists.Stop()
}

// Lists returns the connection's informer-fed listings. Safe from any
// goroutine.
func (c *Conn) Lists() *Lists { return c.lists }

func describeConfig(flags *genericclioptions.ConfigFlags) (Info, error) {
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return Info{}, fmt.Errorf("kubeconfig: %w", err)
	}
	name := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		name = *flags.Context
	}
	info := Info{Context: name}
	if name != "" {
		kctx, ok := raw.Contexts[name]
		if !ok {
			return Info{}, fmt.Errorf("unknown context %q (the kubeconfig has: %s)", name, contextNames(raw.Contexts))
		}
		info.Cluster, info.User = kctx.Cluster, kctx.AuthInfo
		if cl, ok := raw.Clusters[kctx.Cluster]; ok {
			info.Server = cl.Server
		}
	}
	if flags.ClusterName != nil && *flags.ClusterName != "" {
		info.Cluster = *flags.ClusterName
	}
	if flags.AuthInfoName != nil && *flags.AuthInfoName != "" {
		info.User = *flags.AuthInfoName
	}
	if flags.APIServer != nil && *flags.APIServer != "" {
		info.Server = *flags.APIServer
	}
	ns, explicit, err := loader.Namespace()
	if err != nil {
		return Info{}, fmt.Errorf("kubeconfig: %w", err)
	}
	info.Namespace, info.NamespaceExplicit = ns, explicit
	return info, nil
}

func contextNames[V any](m map[string]V) string {
	if len(m) == 0 {
		return "no contexts"
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// unwrapURLError drops Go's `Get "https://...":` prefix, which repeats the
// server address the caller already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// listingConfig is stream with a rate limiter of its own, for the clients
// that list and watch to share. Its burst is client-go's default when none
// is set, as client-go does for a limiter it makes: a burst of 0 would
// refuse every request.
func listingConfig(stream *rest.Config) *rest.Config {
	listings := rest.CopyConfig(stream)
	if listings.RateLimiter == nil && listings.QPS > 0 {
		burst := listings.Burst
		if burst == 0 {
			burst = rest.DefaultBurst
		}
		listings.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(listings.QPS, burst)
	}
	return listings
}
