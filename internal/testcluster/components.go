package testcluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// How long each component may take to become healthy. etcd is up in well
// under a second; kube-apiserver needs a few seconds on a fast machine to
// install its bootstrap RBAC policy and priority levels, and much longer on
// a loaded two-core CI runner.
const (
	etcdTimeout      = 30 * time.Second
	apiserverTimeout = 90 * time.Second
	pollInterval     = 200 * time.Millisecond
)

// frontProxyUser is the CN of the certificate the aggregation layer
// presents to extension API servers.
const frontProxyUser = "front-proxy-client"

// serviceCIDR is the cluster's service IP range. Nothing allocates from it
// beyond the apiserver's own "kubernetes" Service, but the flag is required.
const serviceCIDR = "10.96.0.0/16"

// errPortTaken marks a start failure caused by another process binding a
// port between freePorts choosing it and the component binding it.
var errPortTaken = errors.New("port already in use")

// writePKI creates the CA and every certificate and key the apiserver
// needs, and keeps the CA and admin credentials for clients.
func (c *Cluster) writePKI() error {
	ca, err := newAuthority()
	if err != nil {
		return err
	}
	serving, servingKey, err := ca.issue(certRequest{
		commonName: "kube-apiserver",
		server:     true,
		ips:        []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback, net.ParseIP("10.96.0.1")},
		dnsNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
	})
	if err != nil {
		return err
	}
	admin, adminKey, err := ca.issue(certRequest{commonName: "kfsui-admin", orgs: []string{"system:masters"}})
	if err != nil {
		return err
	}
	// The apiserver presents this certificate to kubelets for logs and
	// exec; a fake kubelet trusting the same CA can then authenticate it.
	kubelet, kubeletKey, err := ca.issue(certRequest{
		commonName: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"},
	})
	if err != nil {
		return err
	}
	// The aggregation layer presents this certificate to extension API
	// servers (metrics-server) when it proxies a request to them, with the
	// user in request headers they trust because of it.
	frontProxy, frontProxyKey, err := ca.issue(certRequest{commonName: frontProxyUser})
	if err != nil {
		return err
	}
	saKey, saPub, err := newServiceAccountKeys()
	if err != nil {
		return err
	}
	c.ca = ca
	c.caFile = filepath.Join(c.Dir, "ca.crt")
	c.caKeyFile = filepath.Join(c.Dir, "ca.key")
	c.adminCertPEM, c.adminKeyPEM = admin, adminKey
	return writeFiles(map[string][]byte{
		c.caFile:                     c.ca.certPEM,
		c.caKeyFile:                  c.ca.keyPEM,
		c.path("apiserver.crt"):      serving,
		c.path("apiserver.key"):      servingKey,
		c.path("admin.crt"):          admin,
		c.path("admin.key"):          adminKey,
		c.path("kubelet-client.crt"): kubelet,
		c.path("kubelet-client.key"): kubeletKey,
		c.path("front-proxy.crt"):    frontProxy,
		c.path("front-proxy.key"):    frontProxyKey,
		c.path("sa.key"):             saKey,
		c.path("sa.pub"):             saPub,
	})
}

// path returns name inside the working directory.
func (c *Cluster) path(name string) string {
	return filepath.Join(c.Dir, name)
}

// etcdArgs configures a single-member etcd on loopback. Logging is kept to
// warnings so that the log a failure quotes is mostly the failure.
func etcdArgs(dataDir string, clientPort, peerPort int) []string {
	client := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peer := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	return []string{
		"--name=default",
		"--data-dir=" + dataDir,
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=default=" + peer,
		// etcd 3.4 defaults to the deprecated capnslog logger, which
		// ignores --log-level.
		"--logger=zap",
		"--log-level=warn",
	}
}

// apiserverArgs configures kube-apiserver for a cluster with one fake node
// and no controllers.
func (c *Cluster) apiserverArgs(etcdURL string, port int) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + c.path("apiserver-certs"),
		"--tls-cert-file=" + c.path("apiserver.crt"),
		"--tls-private-key-file=" + c.path("apiserver.key"),
		"--client-ca-file=" + c.caFile,
		"--kubelet-client-certificate=" + c.path("kubelet-client.crt"),
		"--kubelet-client-key=" + c.path("kubelet-client.key"),
		"--kubelet-preferred-address-types=InternalIP",
		// Verify the fake kubelet's serving certificate as a hardened
		// cluster does; without it the apiserver skips verification.
		"--kubelet-certificate-authority=" + c.caFile,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.path("sa.pub"),
		"--service-account-signing-key-file=" + c.path("sa.key"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=RBAC",
		// The controller-manager gives each namespace its default
		// ServiceAccount only a moment after the namespace exists; this
		// plugin would reject pods created in that moment, which tests
		// do all the time, and would add a token volume to every pod
		// that the fake kubelet has no use for.
		"--disable-admission-plugins=ServiceAccount",
		// No endpoints to keep for the "kubernetes" Service: nothing runs
		// in the cluster to reach the apiserver through it.
		"--endpoint-reconciler-type=none",
		// The aggregation layer, for metrics-server's metrics.k8s.io: the
		// apiserver proxies to it as frontProxyUser and names the caller
		// in these headers. Cheap when no APIService is registered.
		"--requestheader-client-ca-file=" + c.caFile,
		"--requestheader-allowed-names=" + frontProxyUser,
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + c.path("front-proxy.crt"),
		"--proxy-client-key-file=" + c.path("front-proxy.key"),
		"--profiling=false",
	}
}

// waitEtcd polls etcd's /health until it reports a leader.
func waitEtcd(ctx context.Context, p *process, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	last := "no answer yet"
	return poll(ctx, p, etcdTimeout, func() bool {
		ok, detail := get(ctx, client, url+"/health")
		last = detail
		return ok && strings.Contains(detail, `"health":"true"`)
	}, func() string { return "last /health answer: " + last })
}

// waitReady polls the apiserver's /readyz, as the admin, until it passes.
// The verbose form names the failing checks for the timeout error.
func (c *Cluster) waitReady(ctx context.Context) error {
	cert, err := tls.X509KeyPair(c.adminCertPEM, c.adminKeyPEM)
	if err != nil {
		return fmt.Errorf("loading admin certificate: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(c.ca.cert)
	client := &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs:      roots,
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
		}},
	}
	defer client.CloseIdleConnections()
	last := "no answer yet"
	return poll(ctx, c.apiserver, apiserverTimeout, func() bool {
		ok, detail := get(ctx, client, c.Server+"/readyz?verbose")
		last = detail
		return ok
	}, func() string { return "last /readyz answer:\n" + last })
}

// poll calls ready every pollInterval until it returns true, failing early
// if the process exits or ctx ends and after timeout otherwise. Every
// failure quotes the end of the process's log, and lastAnswer says what the
// health endpoint said most recently.
func poll(ctx context.Context, p *process, timeout time.Duration, ready func() bool, lastAnswer func() string) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if ready() {
			return nil
		}
		select {
		case <-p.done:
			err := p.exitError()
			if strings.Contains(p.logTail(), "address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w; last lines of %s:\n%s", p.name, ctx.Err(), p.logPath, p.logTail())
		case <-deadline.C:
			return fmt.Errorf("%s not ready after %s; %s\nlast lines of %s:\n%s",
				p.name, timeout, lastAnswer(), p.logPath, p.logTail())
		case <-tick.C:
		}
	}
}

// get fetches url and reports whether it answered 200, with the status and
// body (or the error) as detail.
func get(ctx context.Context, client *http.Client, url string) (ok bool, detail string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	return resp.StatusCode == http.StatusOK, resp.Status + ": " + strings.TrimSpace(string(body))
}
