package k8s

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

type recordingTransport struct{ seen []string }

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.seen = append(r.seen, req.Method)
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
}

func TestReadOnlyTransport(t *testing.T) {
	next := &recordingTransport{}
	rt := ReadOnly(next)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions} {
		req, _ := http.NewRequest(m, "https://example.invalid/api/v1/namespaces/x/pods", strings.NewReader("{}"))
		if _, err := rt.RoundTrip(req); !errors.Is(err, ErrWriteRefused) {
			t.Errorf("%s: err = %v, want ErrWriteRefused", m, err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "https://example.invalid/api/v1/pods", nil)
	if _, err := rt.RoundTrip(req); err != nil {
		t.Errorf("GET refused: %v", err)
	}
	if len(next.seen) != 1 || next.seen[0] != http.MethodGet {
		t.Errorf("reached the server: %v, want only GET", next.seen)
	}
}
