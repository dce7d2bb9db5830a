package testcluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeAdminKubeconfig writes KubeconfigPath for the system:masters admin.
func (c *Cluster) writeAdminKubeconfig() error {
	return writeKubeconfig(c.KubeconfigPath, c.Server, c.ca.certPEM, adminUser, c.adminCertPEM, c.adminKeyPEM)
}

// WriteUserKubeconfig signs a client certificate for user (its CN) in
// groups (its O entries) with the cluster CA and writes a kubeconfig for it
// into Dir, with context "dev" and the same server and CA as the admin's.
// It returns the new file's path; each call writes a new file, so parallel
// tests never share one. The user starts with no RBAC permissions beyond
// what the bootstrap policy grants every authenticated user: a test grants
// the rest with RoleBindings to the user or its groups. Safe from any
// goroutine.
func (c *Cluster) WriteUserKubeconfig(user string, groups []string) (string, error) {
	if user == "" {
		return "", fmt.Errorf("writing user kubeconfig: empty user name")
	}
	certPEM, keyPEM, err := c.ca.issue(certRequest{commonName: user, orgs: groups})
	if err != nil {
		return "", fmt.Errorf("writing kubeconfig for %q: %w", user, err)
	}
	f, err := os.CreateTemp(c.Dir, "kubeconfig-"+fileSafe(user)+"-*")
	if err != nil {
		return "", fmt.Errorf("writing kubeconfig for %q: %w", user, err)
	}
	path := f.Name()
	f.Close()
	if err := writeKubeconfig(path, c.Server, c.ca.certPEM, user, certPEM, keyPEM); err != nil {
		return "", err
	}
	return path, nil
}

// writeKubeconfig writes a kubeconfig with one cluster, one user and one
// context, all credentials inline so the file still works if copied
// elsewhere.
func writeKubeconfig(path, server string, caPEM []byte, user string, certPEM, keyPEM []byte) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[clusterName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: certPEM, ClientKeyData: keyPEM}
	cfg.Contexts[contextName] = &clientcmdapi.Context{Cluster: clusterName, AuthInfo: user}
	cfg.CurrentContext = contextName
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	// WriteToFile keeps an existing file's mode; the file holds a key.
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}

// fileSafe maps a user name such as "system:serviceaccount:a:b" to
// something usable in a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// Kubectl runs the pinned kubectl as the admin against the cluster and
// returns its stdout. On failure the error includes stderr. kubectl's
// discovery cache lives in Dir, so it neither reads nor litters the user's
// ~/.kube. Safe from any goroutine.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) ([]byte, error) {
	full := append([]string{
		"--kubeconfig=" + c.KubeconfigPath,
		"--context=" + c.Context,
		"--cache-dir=" + filepath.Join(c.Dir, "kubectl-cache"),
	}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "kubectl"), full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
