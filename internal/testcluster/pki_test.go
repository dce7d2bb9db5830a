package testcluster

import (
	"crypto/x509"
	"encoding/pem"
	"net"
	"slices"
	"testing"
)

func TestIssuedCertificatesChainToCA(t *testing.T) {
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)

	tests := []struct {
		name   string
		req    certRequest
		usage  x509.ExtKeyUsage
		dnsFor string // server certificates: a name that must verify
	}{
		{
			name:  "client",
			req:   certRequest{commonName: "alice", orgs: []string{"qa", "devs"}},
			usage: x509.ExtKeyUsageClientAuth,
		},
		{
			name:   "serving by name",
			req:    certRequest{commonName: "kube-apiserver", server: true, dnsNames: []string{"localhost"}, ips: []net.IP{net.ParseIP("127.0.0.1")}},
			usage:  x509.ExtKeyUsageServerAuth,
			dnsFor: "localhost",
		},
		{
			name:   "serving by IP",
			req:    certRequest{commonName: "kube-apiserver", server: true, dnsNames: []string{"localhost"}, ips: []net.IP{net.ParseIP("127.0.0.1")}},
			usage:  x509.ExtKeyUsageServerAuth,
			dnsFor: "127.0.0.1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPEM, keyPEM, err := ca.issue(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if block, _ := pem.Decode(keyPEM); block == nil || block.Type != "PRIVATE KEY" {
				t.Fatalf("key is not a PKCS#8 PEM block")
			}
			block, _ := pem.Decode(certPEM)
			if block == nil {
				t.Fatal("certificate is not PEM")
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			opts := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{tt.usage}, DNSName: tt.dnsFor}
			if _, err := cert.Verify(opts); err != nil {
				t.Errorf("certificate does not verify against the CA: %v", err)
			}
			// The apiserver takes the user from CN and the groups from O.
			if cert.Subject.CommonName != tt.req.commonName || !slices.Equal(cert.Subject.Organization, tt.req.orgs) {
				t.Errorf("subject = %v, want CN=%s O=%v", cert.Subject, tt.req.commonName, tt.req.orgs)
			}
		})
	}
}
