package testcluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"
)

// controllersTimeout bounds the wait for kube-controller-manager and
// kube-scheduler to pass /healthz: they start in a second or two, after
// the apiserver is ready, but a loaded two-core runner is slower.
const controllersTimeout = 60 * time.Second

// controlPlaneComponent is one of the components that run against the
// apiserver with a kubeconfig of their own.
type controlPlaneComponent struct {
	name string // binary and log name
	user string // client certificate CN
	port int    // secure port, serving /healthz
	args func(c *Cluster, kubeconfig string, port int) []string
}

// controlPlane lists kube-controller-manager and kube-scheduler. Both run
// as members of system:masters under their usual user names, so audit
// logs read as on a real cluster while RBAC never gets in their way;
// without service-account credentials every controller acts as the
// controller-manager itself.
var controlPlane = []controlPlaneComponent{
	{name: "kube-controller-manager", user: "system:kube-controller-manager", args: controllerManagerArgs},
	{name: "kube-scheduler", user: "system:kube-scheduler", args: schedulerArgs},
}

// controllerManagerArgs runs every default controller. The service account
// key lets the token controller work, the CA signs CSRs, and leader
// election is off so the controllers start at once.
func controllerManagerArgs(c *Cluster, kubeconfig string, port int) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + c.path("kube-controller-manager-certs"),
		"--leader-elect=false",
		"--service-account-private-key-file=" + c.path("sa.key"),
		"--root-ca-file=" + c.caFile,
		"--cluster-signing-cert-file=" + c.caFile,
		"--cluster-signing-key-file=" + c.caKeyFile,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--profiling=false",
	}
}

func schedulerArgs(c *Cluster, kubeconfig string, port int) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + c.path("kube-scheduler-certs"),
		"--leader-elect=false",
		"--profiling=false",
	}
}

// startControlPlane writes a kubeconfig for each of kube-controller-manager
// and kube-scheduler and starts them on the ports given.
func (c *Cluster) startControlPlane(ports []int) error {
	for i, comp := range controlPlane {
		certPEM, keyPEM, err := c.ca.issue(certRequest{commonName: comp.user, orgs: []string{"system:masters"}})
		if err != nil {
			return fmt.Errorf("certificate for %s: %w", comp.name, err)
		}
		kubeconfig := c.path(comp.name + ".kubeconfig")
		if err := writeKubeconfig(kubeconfig, c.Server, c.ca.certPEM, comp.user, certPEM, keyPEM); err != nil {
			return err
		}
		comp.port = ports[i]
		p, err := startProcess(comp.name, c.path(comp.name+".log"), filepath.Join(c.binDir, comp.name), comp.args(c, kubeconfig, comp.port))
		if err != nil {
			return err
		}
		c.controllers = append(c.controllers, p)
		c.controllerPorts = append(c.controllerPorts, comp.port)
	}
	return nil
}

// waitControlPlane polls each component's /healthz until it passes.
// /healthz is open to anonymous clients on both, as the probes of a
// kubeadm cluster rely on.
func (c *Cluster) waitControlPlane(ctx context.Context) error {
	for i, p := range c.controllers {
		url := "https://127.0.0.1:" + strconv.Itoa(c.controllerPorts[i]) + "/healthz"
		if err := waitHealthy(ctx, p, controllersTimeout, url); err != nil {
			return err
		}
	}
	return nil
}

// waitHealthy polls a component's anonymous health endpoint url until it
// answers OK, failing early if the process exits. The components serve
// it with self-signed certificates.
func waitHealthy(ctx context.Context, p *process, timeout time.Duration, url string) error {
	client := &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // loopback health probe of a component the harness started
			MinVersion:         tls.VersionTLS12,
		}},
	}
	defer client.CloseIdleConnections()
	last := "no answer yet"
	return poll(ctx, p, timeout, func() bool {
		ok, detail := get(ctx, client, url)
		last = detail
		return ok
	}, func() string { return "last answer of " + url + ": " + last })
}
