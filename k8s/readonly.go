package k8s

import (
	"fmt"
	"net/http"
)

// ErrWriteRefused is returned for any request kfsui's clients would send with
// a method other than GET.
var ErrWriteRefused = fmt.Errorf("kfsui is read-only: refused to send a request that is not a GET")

// readOnlyTransport refuses every request whose method is not GET before it
// reaches the network. Every client kfsui builds goes through it, so no code
// path, present or future, can change the cluster: get, list, watch and log
// streams are all GETs.
type readOnlyTransport struct {
	next http.RoundTripper
}

// ReadOnly wraps rt so that only GET requests pass.
func ReadOnly(rt http.RoundTripper) http.RoundTripper {
	return &readOnlyTransport{next: rt}
}

// RoundTrip implements http.RoundTripper.
func (t *readOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s %s", ErrWriteRefused, req.Method, req.URL.Path)
	}
	return t.next.RoundTrip(req)
}
