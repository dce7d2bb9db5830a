package testcluster

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxRecordedRequests bounds Requests' memory in a long-running demo
// cluster; tests see far fewer.
const maxRecordedRequests = 10000

// Kubelet is the cluster's fake kubelet: an HTTPS server on 127.0.0.1 that
// serves /containerLogs/{namespace}/{pod}/{container} the way a real
// kubelet does, for the apiserver to proxy pods/log requests to, and
// /metrics/resource, the CPU and memory each running container uses
// (scripted with SetUsage), for metrics-server to scrape. Its Node
// is the cluster's NodeName; pods bound to it (see Cluster.CreatePod) have
// logs that tests script with Write and friends.
//
// The apiserver authenticates to it with its kubelet client certificate,
// and verifies its serving certificate against the cluster CA, so the TLS
// path is the one a real cluster uses.
//
// Like the real kubelet, it sends response headers only with the first
// byte of log: a follow request for an empty log leaves
// GetLogs(...).Stream waiting until something is written (or the stream
// ends). Tests that open such a stream do it in a goroutine and wait for
// OpenStreams.
//
// Containers are known to the kubelet once CreatePod registered their pod
// or once a log method names them; for others it answers 404 with the
// kubelet's message, which the apiserver replaces with its generic
// NotFound ("the server could not find the requested resource").
//
// Every method is safe from any goroutine.
type Kubelet struct {
	port  int
	srv   *http.Server
	clock logClock
	// done is closed by stop; follow streams watch it, because closing
	// the server does not end the handlers.
	done     chan struct{}
	stopOnce sync.Once
	metrics  *resourceMetrics

	mu       sync.Mutex
	pods     map[podKey]map[string]*containerLog
	requests []LogRequest
}

// podKey names a pod on the node.
type podKey struct{ namespace, name string }

// startKubelet serves on a port of 127.0.0.1 the kernel picks, so it
// cannot lose a port race, with a serving certificate from ca (IP SAN
// 127.0.0.1, the Node's InternalIP) and requiring client certificates
// from ca, as a kubelet with --client-ca-file does.
func startKubelet(ca *authority) (*Kubelet, error) {
	certPEM, keyPEM, err := ca.issue(certRequest{
		commonName: nodeName,
		server:     true,
		ips:        []net.IP{net.ParseIP("127.0.0.1")},
		dnsNames:   []string{nodeName, "localhost"},
	})
	if err != nil {
		return nil, fmt.Errorf("starting fake kubelet: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("starting fake kubelet: %w", err)
	}
	clients := x509.NewCertPool()
	clients.AddCert(ca.cert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting fake kubelet: %w", err)
	}
	k := &Kubelet{
		port:    ln.Addr().(*net.TCPAddr).Port,
		done:    make(chan struct{}),
		pods:    make(map[podKey]map[string]*containerLog),
		metrics: newResourceMetrics(time.Now()),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", k.serveContainerLogs)
	mux.HandleFunc("GET /metrics/resource", k.serveResourceMetrics)
	k.srv = &http.Server{
		Handler: mux,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    clients,
			MinVersion:   tls.VersionTLS12,
		},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		// ServeTLS returns ErrServerClosed after stop; any other error
		// shows up as failing log requests, which name the cause better.
		_ = k.srv.ServeTLS(ln, "", "")
	}()
	return k, nil
}

// stop closes the server and every connection and ends follow streams.
// Safe more than once and on a nil Kubelet.
func (k *Kubelet) stop() error {
	if k == nil {
		return nil
	}
	var err error
	k.stopOnce.Do(func() {
		close(k.done)
		if closeErr := k.srv.Close(); closeErr != nil && !errors.Is(closeErr, http.ErrServerClosed) {
			err = fmt.Errorf("stopping fake kubelet: %w", closeErr)
		}
	})
	return err
}

// Port returns the port the kubelet serves on at 127.0.0.1, which the Node
// advertises as status.daemonEndpoints.kubeletEndpoint.Port. Safe from any
// goroutine.
func (k *Kubelet) Port() int {
	return k.port
}

// registerPod makes the kubelet run a pod with these containers, each with
// an empty log; init containers count as completed, so following their
// log ends at once. A container a test wrote to before the node got to
// the pod keeps what it wrote. (A pod deleted and created anew starts
// over: the node agent forgets the old one first.) Safe from any
// goroutine.
func (k *Kubelet) registerPod(namespace, pod string, containers, initContainers []string) {
	k.metrics.run(namespace, pod, containers, time.Now())
	k.mu.Lock()
	defer k.mu.Unlock()
	key := podKey{namespace, pod}
	logs := k.pods[key]
	if logs == nil {
		logs = make(map[string]*containerLog, len(containers)+len(initContainers))
		k.pods[key] = logs
	}
	for _, name := range initContainers {
		if logs[name] == nil {
			logs[name] = newContainerLog(true)
		}
	}
	for _, name := range containers {
		if logs[name] == nil {
			logs[name] = newContainerLog(false)
		}
	}
}

// forgetPod removes a pod the node no longer runs: its containers' follow
// streams get what is left of their logs and end, and later log requests
// are answered 404. Safe from any goroutine.
func (k *Kubelet) forgetPod(namespace, pod string) {
	k.metrics.forget(namespace, pod)
	k.mu.Lock()
	old := k.pods[podKey{namespace, pod}]
	delete(k.pods, podKey{namespace, pod})
	k.mu.Unlock()
	for _, c := range old {
		c.end()
	}
}

// lookup returns a container's log, or a 404 message in the kubelet's
// words when the kubelet does not know the pod or the container.
func (k *Kubelet) lookup(namespace, pod, container string) (*containerLog, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	containers, ok := k.pods[podKey{namespace, pod}]
	if !ok {
		return nil, fmt.Sprintf("pod %q does not exist", pod)
	}
	c, ok := containers[container]
	if !ok {
		return nil, fmt.Sprintf("container %q not found in pod %q", container, pod)
	}
	return c, ""
}

// container returns a container's log, creating the pod and container
// (running, with an empty log) if needed, so tests can script logs for
// pods they created themselves.
func (k *Kubelet) container(namespace, pod, container string) *containerLog {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := podKey{namespace, pod}
	containers, ok := k.pods[key]
	if !ok {
		containers = make(map[string]*containerLog)
		k.pods[key] = containers
	}
	c, ok := containers[container]
	if !ok {
		c = newContainerLog(false)
		containers[container] = c
	}
	return c
}

// record keeps req for Requests.
func (k *Kubelet) record(req LogRequest) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.requests) == maxRecordedRequests {
		k.requests = append(k.requests[:0], k.requests[maxRecordedRequests/2:]...)
	}
	k.requests = append(k.requests, req)
}

// Requests returns every container log request the kubelet has received,
// oldest first (in a very long-running cluster, only the newest few
// thousand), including ones it answered with an error. Safe from any
// goroutine.
func (k *Kubelet) Requests() []LogRequest {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]LogRequest(nil), k.requests...)
}

// Write appends complete lines to a container's current log, each
// timestamped now with a timestamp distinct from and later than every one
// Write, WriteRaw and Flood handed out before, and wakes followers at once.
// A line holding newlines becomes several lines, as a container runtime
// splits output. Safe from any goroutine.
func (k *Kubelet) Write(namespace, pod, container string, lines ...string) {
	if len(lines) == 0 {
		return
	}
	k.WriteRaw(namespace, pod, container, strings.Join(lines, "\n")+"\n")
}

// WriteRaw appends data to a container's current log exactly as given:
// it may end in the middle of a line (the kubelet then serves the line
// without a newline, and a later write continues it) or hold invalid
// UTF-8. Each line gets its own timestamp, as in Write. Safe from any
// goroutine.
func (k *Kubelet) WriteRaw(namespace, pod, container string, data string) {
	if data == "" {
		return
	}
	k.container(namespace, pod, container).appendNow(&k.clock, splitEntries(data, 0))
}

// writeRunning is Write for a container the kubelet runs now: lines for a
// pod it has forgotten (deleted) are dropped rather than bringing it back.
func (k *Kubelet) writeRunning(namespace, pod, container string, lines ...string) {
	c, _ := k.lookup(namespace, pod, container)
	if c == nil || len(lines) == 0 {
		return
	}
	c.appendNow(&k.clock, splitEntries(strings.Join(lines, "\n")+"\n", 0))
}

// WriteAt appends one complete line with the timestamp t, for tests of
// sinceTime and of merging logs by time. t does not move the clock Write
// uses, and the log keeps the order of writes whatever the timestamps say,
// as a log file would. Safe from any goroutine.
func (k *Kubelet) WriteAt(namespace, pod, container string, t time.Time, line string) {
	k.container(namespace, pod, container).append(splitEntries(line+"\n", t.UnixNano()))
}

// SetPrevious sets the log of the container's previous, terminated run,
// which previous=true returns. Its lines are timestamped a millisecond
// apart ending a millisecond before the current run's first line (or now,
// if the current run has no lines yet), since a previous run ended before
// the current one began. It changes no pod status: see
// Cluster.RestartContainer for what a real restart also shows. Safe from
// any goroutine.
func (k *Kubelet) SetPrevious(namespace, pod, container string, lines ...string) {
	c := k.container(namespace, pod, container)
	end := time.Now().UnixNano()
	if first, ok := c.firstTime(); ok {
		end = first - int64(time.Millisecond)
	}
	entries := make([]logEntry, 0, len(lines))
	for i, line := range lines {
		at := end - int64(len(lines)-1-i)*int64(time.Millisecond)
		entries = append(entries, splitEntries(line+"\n", at)...)
	}
	c.setPrevious(entries)
}

// Restart does to a container's logs what a container restart does: the
// current log becomes the previous one, the current starts empty, and
// follow streams of the old run get what is left of it and then end
// normally. It changes no pod status; Cluster.RestartContainer does both.
// Safe from any goroutine.
func (k *Kubelet) Restart(namespace, pod, container string) {
	k.container(namespace, pod, container).restart()
}

// DropStreams abruptly aborts the connections of every open follow stream
// of the container, as a network failure or a kubelet crash would, leaving
// the log as it is. It returns how many it aborted; OpenStreams no longer
// counts them once it returns. Safe from any goroutine.
func (k *Kubelet) DropStreams(namespace, pod, container string) int {
	c, _ := k.lookup(namespace, pod, container)
	if c == nil {
		return 0
	}
	return c.dropStreams()
}

// OpenStreams returns how many follow streams of the container's current
// run are open. A stream counts from the moment the kubelet received its
// request, before any log is sent. Safe from any goroutine.
func (k *Kubelet) OpenStreams(namespace, pod, container string) int {
	c, _ := k.lookup(namespace, pod, container)
	if c == nil {
		return 0
	}
	return c.openStreams()
}

// floodBatch is how many lines Flood appends at a time: enough that
// locking and waking followers cost next to nothing per line, few enough
// that followers start receiving while a long flood is still being
// written.
const floodBatch = 4096

// Flood appends n generated lines to a container's current log as fast as
// it can, for throughput tests: line i (counting from 1) is i zero-padded
// to 9 digits, then a space and filler up to lineLen bytes (a lineLen
// under 10 gets just the number), then a newline. Timestamps are distinct
// and increasing, as in Write. Followers receive the lines while Flood is
// still writing. Safe from any goroutine.
func (k *Kubelet) Flood(namespace, pod, container string, n, lineLen int) {
	c := k.container(namespace, pod, container)
	padded := lineLen >= 10
	filler := strings.Repeat("x", max(lineLen-10, 0))
	var digits [20]byte
	for done := 0; done < n; {
		m := min(floodBatch, n-done)
		// One string per batch, cut into the lines: one allocation
		// instead of thousands.
		var b strings.Builder
		b.Grow(m * (max(lineLen, 9) + 1))
		ends := make([]int, m)
		for i := range m {
			num := strconv.AppendInt(digits[:0], int64(done+i+1), 10)
			for range 9 - len(num) {
				b.WriteByte('0')
			}
			b.Write(num)
			if padded {
				b.WriteByte(' ')
				b.WriteString(filler)
			}
			b.WriteByte('\n')
			ends[i] = b.Len()
		}
		text := b.String()
		entries := make([]logEntry, m)
		start := 0
		for i, end := range ends {
			entries[i] = logEntry{text: text[start:end]}
			start = end
		}
		c.appendNow(&k.clock, entries)
		done += m
	}
}
