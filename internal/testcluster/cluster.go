package testcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Names inside every kubeconfig the harness writes.
const (
	contextName = "dev"
	clusterName = "kfsui-dev"
	adminUser   = "admin"
)

// startAttempts bounds how often Start retries after a component lost a
// port race (see freePorts).
const startAttempts = 3

// Options configures Start.
type Options struct {
	// Dir is the working directory for certificates, kubeconfigs, logs and
	// (unless /dev/shm has room) etcd's data. Empty means a fresh temporary
	// directory that Stop removes. A given Dir is kept, but every Start
	// still makes a fresh, empty cluster in it.
	Dir string
	// APIServerArgs are extra kube-apiserver flags, appended after the
	// harness's own: a repeated flag takes its last value, so these win
	// (list flags such as --disable-admission-plugins accumulate instead).
	APIServerArgs []string
}

// Cluster is a running etcd and kube-apiserver on 127.0.0.1, with one Node
// whose kubelet is a fake one running in this process (see Kubelet). Its
// exported fields are set by Start and must not be changed.
type Cluster struct {
	// Dir is the working directory (see Options.Dir).
	Dir string
	// KubeconfigPath names a kubeconfig whose current context is Context:
	// cluster "kfsui-dev", user "admin" with a client certificate in group
	// system:masters, which RBAC lets do anything.
	KubeconfigPath string
	// Context is the kubeconfig context of every kubeconfig the cluster
	// writes: "dev".
	Context string
	// Server is the apiserver's URL, https://127.0.0.1:<port>.
	Server string
	// Version is the Kubernetes version of the control plane and kubectl.
	Version string

	binDir        string
	removeDir     bool // Dir is temporary: Stop removes it
	etcdDataDir   string
	removeEtcdDir bool // etcd's data is outside Dir: Stop removes it

	ca           *authority
	caFile       string
	caKeyFile    string
	adminCertPEM []byte
	adminKeyPEM  []byte
	clientset    kubernetes.Interface
	etcd         *process
	apiserver    *process
	apiserverLog string
	apiArgs      []string // kube-apiserver's command line, for StartAPIServer
	// controllers are kube-controller-manager and kube-scheduler, serving
	// /healthz on controllerPorts.
	controllers     []*process
	controllerPorts []int
	kubelet         *Kubelet
	// metricsServer runs once StartMetricsServer is called, serving on
	// metricsPort.
	metricsMu     sync.Mutex
	metricsServer *process
	metricsPort   int
	node          *nodeAgent
	podIPs        atomic.Uint32 // pod IPs handed out by CreatePod
	stopMu        sync.Mutex
	stopped       bool
}

// Start starts the fake kubelet, etcd and then kube-apiserver, waits until
// the apiserver's /readyz passes, writes the admin kubeconfig, and
// registers the Node NodeName for the fake kubelet. If anything fails it
// stops what it started and returns an error that quotes the end of the
// failing component's log. ctx bounds the start only; the cluster runs until
// Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	binDir, err := BinDir()
	if err != nil {
		return nil, err
	}
	etcdBin, err := EtcdPath()
	if err != nil {
		return nil, err
	}
	removeLeftovers()

	dir, temporary, err := makeWorkDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		Dir:            dir,
		KubeconfigPath: filepath.Join(dir, "kubeconfig"),
		Context:        contextName,
		Version:        Version,
		binDir:         binDir,
		removeDir:      temporary,
		apiserverLog:   filepath.Join(dir, "kube-apiserver.log"),
	}
	if err := c.start(ctx, etcdBin, opts.APIServerArgs); err != nil {
		if stopErr := c.Stop(); stopErr != nil {
			err = fmt.Errorf("%w (and stopping: %v)", err, stopErr)
		}
		return nil, err
	}
	return c, nil
}

// start does Start's work after the working directory exists.
func (c *Cluster) start(ctx context.Context, etcdBin string, extraArgs []string) error {
	if err := c.writePKI(); err != nil {
		return err
	}
	// The kubelet's port must be known before the Node that advertises
	// it can be created; the kubelet itself needs nothing else running.
	kubelet, err := startKubelet(c.ca)
	if err != nil {
		return err
	}
	c.kubelet = kubelet
	for attempt := 1; ; attempt++ {
		err := c.launch(ctx, etcdBin, extraArgs)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == startAttempts {
			return err
		}
		if err := c.stopProcesses(); err != nil {
			return err
		}
	}
	if err := c.writeAdminKubeconfig(); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return fmt.Errorf("building admin clientset: %w", err)
	}
	c.clientset = cs
	if err := c.registerNode(ctx); err != nil {
		return err
	}
	c.node, err = startNodeAgent(ctx, c)
	return err
}

// launch starts etcd and kube-apiserver on fresh ports and waits for both.
func (c *Cluster) launch(ctx context.Context, etcdBin string, extraArgs []string) error {
	ports, err := freePorts(3 + len(controlPlane))
	if err != nil {
		return err
	}
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]

	if err := c.resetEtcdDataDir(); err != nil {
		return err
	}
	c.etcd, err = startProcess("etcd", filepath.Join(c.Dir, "etcd.log"), etcdBin, etcdArgs(c.etcdDataDir, etcdClient, etcdPeer))
	if err != nil {
		return err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(etcdClient)
	if err := waitEtcd(ctx, c.etcd, etcdURL); err != nil {
		return err
	}

	c.Server = "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(apiPort))
	args := append(c.apiserverArgs(etcdURL, apiPort), extraArgs...)
	c.apiArgs = args
	c.apiserver, err = startProcess("kube-apiserver", c.apiserverLog, filepath.Join(c.binDir, "kube-apiserver"), args)
	if err != nil {
		return err
	}
	if err := c.waitReady(ctx); err != nil {
		return err
	}
	if err := c.startControlPlane(ports[3:]); err != nil {
		return err
	}
	return c.waitControlPlane(ctx)
}

// StopAPIServer stops kube-apiserver alone, as an outage would: etcd and the
// kubelet keep running, and StartAPIServer brings it back on the same
// address with the same data. Not safe to call concurrently with Stop.
func (c *Cluster) StopAPIServer() error {
	err := c.apiserver.stop()
	c.apiserver = nil
	return err
}

// StartAPIServer starts kube-apiserver again after StopAPIServer, on the
// same port, and waits until it is ready.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	var err error
	c.apiserver, err = startProcess("kube-apiserver", c.apiserverLog, filepath.Join(c.binDir, "kube-apiserver"), c.apiArgs)
	if err != nil {
		return err
	}
	return c.waitReady(ctx)
}

// resetEtcdDataDir gives the next etcd an empty data directory, dropping
// the one a failed attempt used.
func (c *Cluster) resetEtcdDataDir() error {
	if c.removeEtcdDir {
		if err := os.RemoveAll(c.etcdDataDir); err != nil {
			return fmt.Errorf("removing etcd data: %w", err)
		}
	}
	dir, inShm, err := makeEtcdDataDir(c.Dir)
	if err != nil {
		return err
	}
	c.etcdDataDir, c.removeEtcdDir = dir, inShm
	return nil
}

// Stop stops the fake kubelet, kube-apiserver and then etcd (SIGTERM, then
// SIGKILL after a few seconds) and removes what Start created outside a caller-given Dir. It is
// safe on a partly started cluster, more than once, and from any goroutine;
// calls after the first return nil.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	// The node goes first: that ends every proxied follow stream, so
	// the apiserver's shutdown does not wait on long-running log requests.
	c.node.stop()
	errs := []error{c.kubelet.stop(), c.stopProcesses()}
	if c.removeEtcdDir {
		errs = append(errs, os.RemoveAll(c.etcdDataDir))
	}
	if c.removeDir {
		errs = append(errs, os.RemoveAll(c.Dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stopping test cluster: %w", err)
	}
	return nil
}

// stopProcesses stops metrics-server and the controllers, then the apiserver before etcd, so
// that none spends its shutdown logging lost connections.
func (c *Cluster) stopProcesses() error {
	c.metricsMu.Lock()
	errs := []error{c.metricsServer.stop()}
	c.metricsServer = nil
	c.metricsMu.Unlock()
	for _, p := range c.controllers {
		errs = append(errs, p.stop())
	}
	c.controllers, c.controllerPorts = nil, nil
	errs = append(errs, c.apiserver.stop(), c.etcd.stop())
	c.apiserver, c.etcd = nil, nil
	return errors.Join(errs...)
}

// RESTConfig returns a fresh copy of the admin client configuration, which
// the caller may modify. Its rate limits are far above client-go's defaults
// so tests that create many objects are not throttled. Safe from any
// goroutine.
func (c *Cluster) RESTConfig() *rest.Config {
	return &rest.Config{
		Host: c.Server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   clone(c.ca.certPEM),
			CertData: clone(c.adminCertPEM),
			KeyData:  clone(c.adminKeyPEM),
		},
		// No Timeout: it would cut watches and log streams short.
		QPS:   200,
		Burst: 400,
	}
}

// Clientset returns the admin typed clientset. It is shared by all callers,
// which is safe: clientsets are safe for concurrent use.
func (c *Cluster) Clientset() kubernetes.Interface {
	return c.clientset
}

// CAFile returns the path of the cluster CA's certificate, which both the
// apiserver's serving certificate and every client certificate chain to.
// Safe from any goroutine.
func (c *Cluster) CAFile() string {
	return c.caFile
}

// APIServerLog returns the path of the kube-apiserver log file, for tests
// to point at when a server-side behaviour surprises them. Safe from any
// goroutine.
func (c *Cluster) APIServerLog() string {
	return c.apiserverLog
}

func clone(b []byte) []byte {
	return append([]byte(nil), b...)
}
