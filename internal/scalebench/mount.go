package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kfsui/kfsui/internal/mount"
	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// mountFigures are the mount's and kfsui grep's figures on the scale
// cluster.
type mountFigures struct {
	lsKfsui   []time.Duration // kfsui ls of the big directory, a fresh process each
	lsCold    []time.Duration // ls -l of it through a fresh mount
	lsWarm    []time.Duration // ls -l of it through a mount that listed it already
	lsEntries int

	grepMount     time.Duration // grep -rl through the mount over one namespace's deployments
	grepMountReqs int64
	grepMountHits int
	nsDeployments int

	deployments          int             // in the whole cluster
	grepDeploys          []time.Duration // kfsui grep over every Deployment
	grepDeploysReqs      int64
	kubectlDeploys       []time.Duration // kubectl get deploy -A -o yaml | grep
	grepDeploysHits      int
	grepPods, kubectlPod []time.Duration // the same over every pod
	grepPodsRSS          int64           // kfsui grep's peak RSS over every pod
	kubectlPodRSS        int64
	grepPodsReqs         int64
}

// countingConn connects to c with every request counted in n.
func countingConn(ctx context.Context, c *testcluster.Cluster, n *atomic.Int64) (*k8s.Conn, error) {
	return k8s.ConnectConfig(ctx, c.RESTConfig(), k8s.Info{Context: "bench"}, k8s.Options{WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			n.Add(1)
			return rt.RoundTrip(r)
		})
	}})
}

// timed runs a command line with bash through peakrss (see there), output
// thrown away, and returns how long it took and the peak RSS of its
// largest process.
func timed(peakrss, script string) (time.Duration, int64, error) {
	cmd := exec.Command(peakrss, script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%s: %v: %s", script, err, errb.String())
	}
	var ns, rss int64
	if _, err := fmt.Sscanf(out.String(), "%d %d", &ns, &rss); err != nil {
		return 0, 0, fmt.Errorf("%s: %q: %v", script, out.String(), err)
	}
	return time.Duration(ns), rss, nil
}

// measureMount times ls -l of the big directory through the mount
// against kfsui ls, grep -rl through the mount over one namespace's
// Deployments, and kfsui grep over every Deployment and every pod of
// the cluster against kubectl get -A -o yaml | grep, runs times each.
func measureMount(ctx context.Context, c *testcluster.Cluster, bin string, scale testcluster.Scale, runs int) (mountFigures, error) {
	var f mountFigures
	peakrss := filepath.Join(filepath.Dir(bin), "peakrss")
	if out, err := exec.Command("go", "build", "-o", peakrss, "github.com/kfsui/kfsui/internal/scalebench/peakrss").CombinedOutput(); err != nil {
		return f, fmt.Errorf("go build peakrss: %v: %s", err, out)
	}
	big := "/namespaces/" + testcluster.BigNamespace + "/pods"
	kfsui := fmt.Sprintf("%s --kubeconfig %s", bin, c.KubeconfigPath)
	kubectl := filepath.Join(os.Getenv("KFSUI_KUBE_BIN_DIR"), "kubectl") + " --kubeconfig " + c.KubeconfigPath

	// ls: kfsui ls and a fresh mount's ls -l, alternately, then the same
	// mount again.
	var last *benchMount
	for i := range runs {
		d, _, err := timed(peakrss, kfsui+" ls "+big+" >/dev/null")
		if err != nil {
			return f, err
		}
		f.lsKfsui = append(f.lsKfsui, d)
		if last != nil {
			last.close()
		}
		if last, err = newBenchMount(ctx, c); err != nil {
			return f, err
		}
		d, _, err = timed(peakrss, "ls -l "+last.dir+big+" >/dev/null")
		if err != nil {
			return f, err
		}
		f.lsCold = append(f.lsCold, d)
		if i == 0 {
			out, err := exec.Command("bash", "-c", "ls "+last.dir+big+" | wc -l").Output()
			if err != nil {
				return f, err
			}
			fmt.Sscan(string(out), &f.lsEntries)
		}
	}
	defer last.close()
	for range runs {
		d, _, err := timed(peakrss, "ls -l "+last.dir+big+" >/dev/null")
		if err != nil {
			return f, err
		}
		f.lsWarm = append(f.lsWarm, d)
	}

	// grep -rl through the mount: every leaf a GET (or more).
	nsDeploys := "/namespaces/" + testcluster.ScaleNamespace(0) + "/deployments"
	f.nsDeployments = scale.DeploymentsEach
	before := last.requests.Load()
	start := time.Now()
	out, err := exec.Command("bash", "-c", "grep -rl 'image: nginx' "+last.dir+nsDeploys+" --include=manifest.yaml; true").Output()
	if err != nil {
		return f, err
	}
	f.grepMount, f.grepMountReqs = time.Since(start), last.requests.Load()-before
	f.grepMountHits = strings.Count(string(out), "\n")

	// kfsui grep against kubectl, alternately; requests counted in process.
	f.deployments = scale.Namespaces * scale.DeploymentsEach
	f.grepDeploysReqs, f.grepDeploysHits, err = countGrep(ctx, c, "/namespaces/*/deployments", "image: nginx")
	if err != nil {
		return f, err
	}
	f.grepPodsReqs, _, err = countGrep(ctx, c, "/namespaces/*/pods", "image: nginx")
	if err != nil {
		return f, err
	}
	for range runs {
		for _, step := range []struct {
			script string
			into   *[]time.Duration
			rss    *int64
		}{
			{kfsui + " grep -c 'image: nginx' '/namespaces/*/deployments' >/dev/null", &f.grepDeploys, nil},
			{kubectl + " get deployments -A -o yaml | grep -c 'image: nginx' >/dev/null", &f.kubectlDeploys, nil},
			{kfsui + " grep -c 'image: nginx' '/namespaces/*/pods' >/dev/null; true", &f.grepPods, &f.grepPodsRSS},
			{kubectl + " get pods -A -o yaml | grep -c 'image: nginx' >/dev/null; true", &f.kubectlPod, &f.kubectlPodRSS},
		} {
			d, rss, err := timed(peakrss, step.script)
			if err != nil {
				return f, err
			}
			*step.into = append(*step.into, d)
			if step.rss != nil {
				*step.rss = max(*step.rss, rss)
			}
		}
	}
	for _, s := range [][]time.Duration{f.lsKfsui, f.lsCold, f.lsWarm, f.grepDeploys, f.kubectlDeploys, f.grepPods, f.kubectlPod} {
		slices.Sort(s)
	}
	return f, nil
}

// countGrep searches as kfsui grep does, through a fresh connection, and
// returns the requests the search sent (not connecting's) and the leaves
// with a match.
func countGrep(ctx context.Context, c *testcluster.Cluster, path, text string) (int64, int, error) {
	var n atomic.Int64
	conn, err := countingConn(ctx, c, &n)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	fs := model.NewFS(conn, model.Options{})
	n.Store(0)
	scopes, err := fs.ExpandGrep(ctx, path)
	if err != nil {
		return 0, 0, err
	}
	hits := 0
	for _, s := range scopes {
		err := fs.GrepLeaves(ctx, s, nil, func(l model.Leaf) error {
			if strings.Contains(l.Text, text) {
				hits++
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
	}
	return n.Load(), hits, nil
}

// benchMount is the cluster mounted in this process, its requests counted.
type benchMount struct {
	dir      string
	conn     *k8s.Conn
	srv      *mount.Server
	requests *atomic.Int64
}

func newBenchMount(ctx context.Context, c *testcluster.Cluster) (*benchMount, error) {
	m := &benchMount{requests: new(atomic.Int64)}
	var err error
	if m.conn, err = countingConn(ctx, c, m.requests); err != nil {
		return nil, err
	}
	if m.dir, err = os.MkdirTemp("", "kfsui-bench-mnt-"); err != nil {
		return nil, err
	}
	fs := model.NewFS(m.conn, model.Options{})
	if m.srv, err = mount.Mount(m.dir, []mount.Tree{{Name: "bench", FS: fs, Logs: m.conn}}, mount.Options{}); err != nil {
		m.conn.Close()
		return nil, err
	}
	return m, nil
}

func (m *benchMount) close() {
	_ = m.srv.Unmount()
	m.srv.Wait()
	m.conn.Close()
	os.Remove(m.dir)
}

// mountOnly skips the UI's figures (--mount-only).
var mountOnly bool

// printMount prints the mount's and grep's figures as rows.
func printMount(row func(what, got, target string, ok bool), spread func([]time.Duration) string, f mountFigures) {
	ratio := func(a, b []time.Duration) float64 { return float64(pct(a, 50)) / float64(pct(b, 50)) }
	row(fmt.Sprintf("kfsui ls of the %d-pod directory, a fresh process", f.lsEntries), spread(f.lsKfsui), "", true)
	row("ls -l of it through a fresh mount (listing it first)", spread(f.lsCold), "≤ 2 × kfsui ls", ratio(f.lsCold, f.lsKfsui) <= 2)
	row("  ratio to kfsui ls (medians)", fmt.Sprintf("%.2f×", ratio(f.lsCold, f.lsKfsui)), "≤ 2×", ratio(f.lsCold, f.lsKfsui) <= 2)
	row("ls -l of it again through the same mount", spread(f.lsWarm), "", true)
	row(fmt.Sprintf("grep -rl through the mount over a namespace's %d Deployments", f.nsDeployments),
		fmt.Sprintf("%s, %d requests", ms(f.grepMount), f.grepMountReqs), "", true)
	row(fmt.Sprintf("kfsui grep over all %d Deployments (%d match)", f.deployments, f.grepDeploysHits),
		fmt.Sprintf("%s, %d requests", spread(f.grepDeploys), f.grepDeploysReqs), "", true)
	row("kubectl get deployments -A -o yaml | grep", spread(f.kubectlDeploys), "slower than kfsui", ratio(f.grepDeploys, f.kubectlDeploys) < 1)
	row("  ratio kfsui / kubectl (medians)", fmt.Sprintf("%.2f×", ratio(f.grepDeploys, f.kubectlDeploys)), "< 1×", ratio(f.grepDeploys, f.kubectlDeploys) < 1)
	row("kfsui grep over all pods; peak RSS",
		fmt.Sprintf("%s, %d requests; %d MB", spread(f.grepPods), f.grepPodsReqs, f.grepPodsRSS>>20), "", true)
	row("kubectl get pods -A -o yaml | grep; kubectl's peak RSS", fmt.Sprintf("%s; %d MB", spread(f.kubectlPod), f.kubectlPodRSS>>20), "slower than kfsui", ratio(f.grepPods, f.kubectlPod) < 1)
	row("  ratio kfsui / kubectl (medians)", fmt.Sprintf("%.2f×", ratio(f.grepPods, f.kubectlPod)), "< 1×", ratio(f.grepPods, f.kubectlPod) < 1)
}
