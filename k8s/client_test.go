package k8s

import (
	"testing"

	"k8s.io/client-go/rest"
)

// A config with a QPS and no burst, as a kubeconfig-less caller may give,
// lists: client-go takes its default burst for a limiter it makes, and so
// does the listings' shared one. (A burst of 0 refused every request.)
func TestListingLimiterWithoutBurstLetsRequestsThrough(t *testing.T) {
	cfg := listingConfig(&rest.Config{Host: "https://example.invalid", QPS: 5})
	if cfg.RateLimiter == nil {
		t.Fatal("no shared rate limiter")
	}
	if !cfg.RateLimiter.TryAccept() {
		t.Error("the first request was refused")
	}
	if got := listingConfig(&rest.Config{QPS: 5, Burst: 3}); !got.RateLimiter.TryAccept() {
		t.Error("with a burst set, the first request was refused")
	}
}
