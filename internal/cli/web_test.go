package cli

import (
	"strings"
	"testing"
)

// kfsui web listens on loopback freely; elsewhere only with TLS, or with
// --insecure-listen and a warning that says what it exposes.
func TestWebListenNeedsTLSBeyondLoopback(t *testing.T) {
	for _, tc := range []struct {
		f       webFlags
		refused string
		warns   bool
	}{
		{f: webFlags{listen: "127.0.0.1:8080"}},
		{f: webFlags{listen: "localhost:0"}},
		{f: webFlags{listen: "[::1]:8080"}},
		{f: webFlags{listen: "0.0.0.0:8080"}, refused: "--tls-cert and --tls-key"},
		{f: webFlags{listen: ":8080"}, refused: "reachable from other hosts"},
		{f: webFlags{listen: "10.0.0.5:8080"}, refused: "--insecure-listen"},
		{f: webFlags{listen: "10.0.0.5:8080", tlsCert: "c.pem", tlsKey: "k.pem"}},
		{f: webFlags{listen: "10.0.0.5:8080", tlsCert: "c.pem"}, refused: "go together"},
		{f: webFlags{listen: "10.0.0.5:8080", insecureListen: true}, warns: true},
		{f: webFlags{listen: "8080"}, refused: "want host:port"},
	} {
		warning, err := checkListen(tc.f)
		switch {
		case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
			t.Errorf("%+v: %v, want refused with %q", tc.f, err, tc.refused)
		case tc.refused == "" && err != nil:
			t.Errorf("%+v: %v", tc.f, err)
		case tc.warns != (warning != "") || tc.warns && !strings.Contains(warning, "clear") && !strings.Contains(warning, "plain HTTP"):
			t.Errorf("%+v: warning %q", tc.f, warning)
		}
	}
}
