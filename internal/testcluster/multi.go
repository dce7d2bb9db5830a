package testcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The contexts WriteContexts names.
const (
	// ContextDev is the shared cluster's admin.
	ContextDev = "dev"
	// ContextProd is the second cluster's admin.
	ContextProd = "prod"
	// ContextARN is the second cluster's admin again, under a name shaped
	// like an EKS context's, which holds ':' and '/'.
	ContextARN = "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu"
	// ContextDown is a server that accepts connections and never answers.
	ContextDown = "down"
	// ContextRestricted is a user of the shared cluster with no RBAC
	// permissions beyond what every authenticated user has.
	ContextRestricted = "restricted"
	// RestrictedUser is ContextRestricted's user name.
	RestrictedUser = "kfsui-restricted"
)

// second is the package's second cluster, started by Second on first use
// and stopped by RunMain after the tests.
var second struct {
	once    sync.Once
	cluster *Cluster
	err     error
	silent  *silentServer
}

// Second returns a second cluster for this test package, "prod" beside the
// shared "dev", started the first time a test asks (about as long as the
// first) and stopped after the package's tests. It skips and fails as
// Shared does. Safe from any goroutine.
func Second(t testing.TB) *Cluster {
	t.Helper()
	Shared(t)
	second.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		began := time.Now()
		second.cluster, second.err = Start(ctx, Options{})
		if second.err == nil {
			fmt.Fprintf(os.Stderr, "testcluster: second kube-apiserver ready at %s in %s\n",
				second.cluster.Server, time.Since(began).Round(time.Millisecond))
		}
	})
	if second.err != nil {
		t.Fatalf("testcluster: cannot start the second cluster: %v", second.err)
	}
	return second.cluster
}

// stopSecond stops what Second and WriteContexts started, if anything.
func stopSecond() {
	if second.cluster != nil {
		if err := second.cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testcluster: second cluster: %v\n", err)
		}
	}
	if second.silent != nil {
		second.silent.close()
	}
}

// WriteContexts writes a kubeconfig into t's temporary directory with the
// contexts ContextDev (the shared cluster's admin, current),
// ContextProd and ContextARN (the second cluster's admin),
// ContextRestricted (a user of the shared cluster without permissions)
// and ContextDown (a server that never answers), each with its own
// cluster and user entry, credentials inline. It returns the file's path.
func WriteContexts(t testing.TB) string {
	t.Helper()
	dev, prod := Shared(t), Second(t)
	silent, err := silentAddress()
	if err != nil {
		t.Fatal(err)
	}
	restrictedCert, restrictedKey, err := dev.ca.issue(certRequest{commonName: RestrictedUser})
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["dev-cluster"] = &clientcmdapi.Cluster{Server: dev.Server, CertificateAuthorityData: dev.ca.certPEM}
	cfg.Clusters["prod-cluster"] = &clientcmdapi.Cluster{Server: prod.Server, CertificateAuthorityData: prod.ca.certPEM}
	cfg.Clusters["down-cluster"] = &clientcmdapi.Cluster{Server: "https://" + silent, CertificateAuthorityData: dev.ca.certPEM}
	cfg.AuthInfos["dev-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: dev.adminCertPEM, ClientKeyData: dev.adminKeyPEM}
	cfg.AuthInfos["prod-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: prod.adminCertPEM, ClientKeyData: prod.adminKeyPEM}
	cfg.AuthInfos["restricted"] = &clientcmdapi.AuthInfo{ClientCertificateData: restrictedCert, ClientKeyData: restrictedKey}
	cfg.Contexts[ContextDev] = &clientcmdapi.Context{Cluster: "dev-cluster", AuthInfo: "dev-admin"}
	cfg.Contexts[ContextProd] = &clientcmdapi.Context{Cluster: "prod-cluster", AuthInfo: "prod-admin"}
	cfg.Contexts[ContextARN] = &clientcmdapi.Context{Cluster: "prod-cluster", AuthInfo: "prod-admin"}
	cfg.Contexts[ContextRestricted] = &clientcmdapi.Context{Cluster: "dev-cluster", AuthInfo: "restricted"}
	cfg.Contexts[ContextDown] = &clientcmdapi.Context{Cluster: "down-cluster", AuthInfo: "dev-admin"}
	cfg.CurrentContext = ContextDev
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// silentAddress returns the address of the package's silent server,
// starting it on first use.
func silentAddress() (string, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if second.silent == nil {
		s, err := newSilentServer()
		if err != nil {
			return "", err
		}
		second.silent = s
	}
	return second.silent.ln.Addr().String(), nil
}

// silentServer accepts TCP connections and never writes a byte: a server
// that hangs, so that only timeouts end requests to it.
type silentServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newSilentServer() (*silentServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("silent server: %w", err)
	}
	s := &silentServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
		}
	}()
	return s, nil
}

func (s *silentServer) close() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}
