package testcluster

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// withMetrics is the package's cluster with metrics-server, started by
// WithMetrics on first use and stopped by RunMain after the tests.
var withMetrics struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// WithMetrics returns a cluster of its own for this test package with
// metrics-server running and v1beta1.metrics.k8s.io Available, started the
// first time a test asks. It is not the shared cluster: metrics.k8s.io
// adds types to discovery, and tests that take the API away and bring it
// back would change what every other test of the package sees. It skips
// and fails as Shared does. Safe from any goroutine.
func WithMetrics(t testing.TB) *Cluster {
	t.Helper()
	Shared(t)
	withMetrics.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout+metricsAPITimeout)
		defer cancel()
		began := time.Now()
		c, err := Start(ctx, Options{})
		if err == nil {
			if err = c.StartMetricsServer(ctx); err != nil {
				err = fmt.Errorf("%w (and stopping: %v)", err, c.Stop())
				c = nil
			}
		}
		withMetrics.cluster, withMetrics.err = c, err
		if err == nil {
			fmt.Fprintf(os.Stderr, "testcluster: kube-apiserver with metrics-server ready at %s in %s\n",
				c.Server, time.Since(began).Round(time.Millisecond))
		}
	})
	if withMetrics.err != nil {
		t.Fatalf("testcluster: cannot start the cluster with metrics-server: %v", withMetrics.err)
	}
	return withMetrics.cluster
}

// stopWithMetrics stops what WithMetrics started, if anything.
func stopWithMetrics() {
	if withMetrics.cluster != nil {
		if err := withMetrics.cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testcluster: cluster with metrics-server: %v\n", err)
		}
	}
}
