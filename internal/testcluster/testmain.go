package testcluster

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// envSkip names the variable that skips end-to-end tests.
const envSkip = "KFSUI_SKIP_E2E"

// startTimeout bounds the whole of RunMain's Start, a little above the
// apiserver's own readiness timeout so that its more precise error wins.
const startTimeout = 2 * time.Minute

// shared is the one piece of package state: RunMain runs in TestMain, where
// nothing can be passed to the tests, so Shared must find the cluster here.
var shared struct {
	mu      sync.Mutex
	ran     bool // RunMain was called
	skipped bool
	cluster *Cluster
}

// RunMain runs a test package's tests against one cluster started for the
// package, and returns the exit code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(testcluster.RunMain(m)) }
//
// With KFSUI_SKIP_E2E=1 it starts nothing, says so loudly on stderr, and
// Shared skips every test that asks for the cluster. Otherwise a cluster
// that cannot start (binaries missing, etcd missing, a start failure)
// fails the whole package, because silently skipping would let a broken
// setup pass. The cluster is stopped after the tests, also when TestMain's
// goroutine panics or the binary is interrupted.
func RunMain(m *testing.M) int {
	if os.Getenv(envSkip) == "1" {
		shared.mu.Lock()
		shared.ran, shared.skipped = true, true
		shared.mu.Unlock()
		fmt.Fprint(os.Stderr, skipBanner())
		return m.Run()
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	began := time.Now()
	c, err := Start(ctx, Options{})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testcluster: FAIL: cannot start kube-apiserver %s for end-to-end tests: %v\n"+
			"testcluster: to run only the tests that need no cluster, set %s=1\n", Version, err, envSkip)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testcluster: %v\n", err)
		}
		stopSecond()
		stopWithMetrics()
	}()
	stopOnSignal(c)
	fmt.Fprintf(os.Stderr, "testcluster: kube-apiserver %s ready at %s in %s\n",
		c.Version, c.Server, time.Since(began).Round(time.Millisecond))

	shared.mu.Lock()
	shared.ran, shared.cluster = true, c
	shared.mu.Unlock()
	return m.Run()
}

// stopOnSignal stops the cluster and exits when the test binary is
// interrupted, so that Ctrl-C does not leave the working directory behind.
// (The components themselves would die anyway through Pdeathsig.)
func stopOnSignal(c *Cluster) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "testcluster: %v: stopping the cluster\n", sig)
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testcluster: %v\n", err)
		}
		stopSecond()
		stopWithMetrics()
		os.Exit(1)
	}()
}

// Shared returns the cluster RunMain started for this test package. When
// KFSUI_SKIP_E2E=1 it skips the test, loudly; when the package's TestMain
// does not call RunMain it fails the test. Safe from any goroutine.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	ran, skipped, c := shared.ran, shared.skipped, shared.cluster
	shared.mu.Unlock()
	switch {
	case skipped:
		t.Skipf("E2E TEST SKIPPED: %s=1, so no kube-apiserver was started; this test checked NOTHING", envSkip)
	case !ran || c == nil:
		t.Fatal("testcluster.Shared: no cluster; this package's TestMain must call os.Exit(testcluster.RunMain(m))")
	}
	return c
}

// skipBanner is printed when end-to-end tests are skipped. It is big on
// purpose: a green run that tested nothing against a server must not pass
// unnoticed in a CI log.
func skipBanner() string {
	line := strings.Repeat("!", 72)
	return strings.Join([]string{
		line,
		"!!! E2E TESTS SKIPPED: " + envSkip + "=1",
		"!!! No kube-apiserver was started. Every test that needs a cluster is",
		"!!! SKIPPED and checked NOTHING. Unset " + envSkip + " to run them; they",
		"!!! need the kube binaries " + Version + " (scripts/kube-binaries.sh)",
		"!!! and etcd (apt-get install etcd-server).",
		line,
		"",
	}, "\n")
}
