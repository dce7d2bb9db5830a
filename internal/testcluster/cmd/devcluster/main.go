// Command devcluster runs a local kube-apiserver for trying kfsui out: it
// starts a test cluster, fills it with demo objects, prints the path of an
// admin kubeconfig, and runs until interrupted. The demo pods that run on
// the cluster's fake node keep writing logs, which kfsui reads through the
// apiserver as on a real cluster (--chatter=false keeps them quiet).
//
//	go run ./internal/testcluster/cmd/devcluster --dir /tmp/kfsui-dev
//	kfsui --kubeconfig /tmp/kfsui-dev/kubeconfig
//
// --ready-file lets a script wait for the cluster: the file appears, holding
// the kubeconfig path, only once the cluster is up and seeded, and is
// removed again before the cluster stops. A script that stops devcluster
// with SIGTERM should build it first: "go run" does not pass SIGTERM on to
// the program it runs. --scale adds the scale bench's objects, to look at
// a big cluster by hand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kfsui/kfsui/internal/testcluster"
)

func main() {
	dir := flag.String("dir", "", "working directory for certificates, kubeconfig and logs (default: a temporary directory removed on exit)")
	seed := flag.Bool("seed", true, "create the demo namespaces and objects")
	chatter := flag.Bool("chatter", true, "with --seed, keep the demo pods writing logs")
	readyFile := flag.String("ready-file", "", "once ready, write the kubeconfig path to this file")
	metrics := flag.Bool("metrics", true, "run metrics-server (scripts/metrics-server.sh builds it), so kubectl top and kfsui's metrics columns work")
	scale := flag.Bool("scale", false, "also create the scale bench's objects (30,000 pods and more; about a minute)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "devcluster: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*dir, *seed, *seed && *chatter, *metrics, *scale, *readyFile); err != nil {
		fmt.Fprintf(os.Stderr, "devcluster: %v\n", err)
		os.Exit(1)
	}
}

// run starts, seeds and announces the cluster, then serves until SIGINT or
// SIGTERM.
func run(dir string, seed, chatter, metrics, scale bool, readyFile string) (err error) {
	// Listen before starting so that a signal during the start is not lost
	// and still stops the cluster.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// A ready file left by an earlier run would announce this one too early.
	if readyFile != "" {
		if err := os.Remove(readyFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing old ready file: %w", err)
		}
	}

	began := time.Now()
	c, err := testcluster.Start(ctx, testcluster.Options{Dir: dir})
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := c.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	// metrics-server starts beside the seeding: it takes a few seconds to
	// serve and be registered.
	metricsDone := make(chan error, 1)
	if metrics {
		go func() { metricsDone <- c.StartMetricsServer(ctx) }()
	} else {
		metricsDone <- nil
	}
	if seed {
		if err := testcluster.SeedDemo(ctx, c); err != nil {
			return err
		}
	}
	if scale {
		if err := testcluster.SeedScale(ctx, c, testcluster.DefaultScale); err != nil {
			return err
		}
	}
	if err := <-metricsDone; err != nil {
		return err
	}
	if chatter {
		// It ends with ctx, or at the latest when the deferred Stop
		// stops the fake kubelet.
		go testcluster.RunDemoChatter(ctx, c)
	}
	if readyFile != "" {
		if err := writeAtomically(readyFile, c.KubeconfigPath+"\n"); err != nil {
			return err
		}
		defer os.Remove(readyFile)
	}
	fmt.Printf("kube-apiserver %s ready at %s in %s (logs in %s)\n",
		c.Version, c.Server, time.Since(began).Round(time.Millisecond), c.Dir)
	fmt.Printf("kubeconfig: %s\n", c.KubeconfigPath)

	<-ctx.Done()
	fmt.Println("stopping")
	return nil
}

// writeAtomically writes data to path through a rename, so that a script
// polling for path never reads it half-written.
func writeAtomically(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready-*")
	if err != nil {
		return fmt.Errorf("writing ready file: %w", err)
	}
	_, writeErr := tmp.WriteString(data)
	closeErr := tmp.Close()
	if err := errors.Join(writeErr, closeErr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing ready file: %w", err)
	}
	return nil
}
