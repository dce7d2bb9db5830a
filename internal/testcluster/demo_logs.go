package testcluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// demoLogPod is a demo pod that runs on the fake node and has logs.
type demoLogPod struct {
	namespace, name string
	containers      []string
	initContainers  []string
	// history is how many lines each container logged before SeedDemo.
	history int
	// crashed names a container that crashed once, so it has a previous
	// run's log and a restart in its status.
	crashed string
}

// demoLogPods are the pods SeedDemo runs on the fake node; RunDemoChatter
// keeps their containers logging.
var demoLogPods = []demoLogPod{
	{namespace: "team-a", name: "chatty-0", containers: []string{"app", "sidecar"}, initContainers: []string{"init"}, history: 300, crashed: "app"},
	{namespace: "team-b", name: "api-0", containers: []string{"api"}, history: 250},
}

// demoHistorySpan is how far back the seeded history reaches, so that
// sinceSeconds and sinceTime have something to cut.
const demoHistorySpan = time.Hour

// logPods creates the demo's log pods with a history of lines spread over
// the last hour, and gives chatty-0's app container a crashed previous run.
// A pod that already exists got all that when it was created.
func (s seeder) logPods(ctx context.Context) error {
	// A fixed seed: the same demo every time, for screenshots and for
	// anyone comparing two runs.
	g := demoLines{r: rand.New(rand.NewPCG(1, 2))}
	k := s.cluster.Kubelet()
	start := time.Now().Add(-demoHistorySpan)
	for _, p := range demoLogPods {
		_, err := s.cluster.CreatePod(ctx, p.namespace, p.name, p.containers, p.initContainers)
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("creating Pod %s/%s: %w", p.namespace, p.name, err)
		}
		for _, c := range p.initContainers {
			for i, line := range []string{"waiting for db.team-a:5432", "db is up", "applying migrations 0001..0042", "migrations done"} {
				k.WriteAt(p.namespace, p.name, c, start.Add(time.Duration(i)*700*time.Millisecond), line)
			}
		}
		step := demoHistorySpan / time.Duration(p.history)
		for _, c := range p.containers {
			for i := range p.history {
				at := start.Add(5*time.Second + time.Duration(i)*step + time.Duration(g.r.Int64N(int64(step/2))))
				k.WriteAt(p.namespace, p.name, c, at, g.line(c, at))
			}
		}
		if p.crashed == "" {
			continue
		}
		// SetPrevious stamps the crash just before the current run's
		// first line; the lines' own times say about the same.
		k.SetPrevious(p.namespace, p.name, p.crashed, g.crash(start.Add(-30*time.Second))...)
		if err := s.cluster.markRestarted(ctx, p.namespace, p.name, p.crashed); err != nil {
			return err
		}
	}
	return nil
}

// RunDemoChatter keeps the containers of the pods SeedDemo runs on the
// fake node logging, as live services would: every 300 to 700 ms each
// writes a line or a short burst (access log lines, JSON, lines with ANSI
// colours, now and then a very long one). Pods the Deployments of the
// demo namespaces start later (a rollout, a scale-up) log too, from a
// moment after they run until they are deleted. It returns when ctx ends
// or the cluster stops. Call it after SeedDemo; tests that want a quiet
// cluster simply don't. Safe from any goroutine.
func RunDemoChatter(ctx context.Context, c *Cluster) {
	seed := uint64(time.Now().UnixNano())
	var wg sync.WaitGroup
	fixed := map[string]bool{}
	for i, p := range demoLogPods {
		fixed[p.namespace+"/"+p.name] = true
		for j, container := range p.containers {
			g := demoLines{r: rand.New(rand.NewPCG(seed, uint64(i*16+j)))}
			wg.Go(func() { chatter(ctx, c.kubelet, p.namespace, p.name, container, g) })
		}
	}
	wg.Go(func() { c.node.chatterOwned(ctx, c.kubelet, seed, fixed) })
	wg.Wait()
}

// demoNamespaces are the namespaces whose pods RunDemoChatter keeps busy.
var demoNamespaces = map[string]bool{"team-a": true, "team-b": true}

// chatterOwned runs chatter for every container of every pod the node runs
// in the demo namespaces that a controller owns, from when it appears
// until it is gone; fixed names the pods chattering already.
func (a *nodeAgent) chatterOwned(ctx context.Context, k *Kubelet, seed uint64, fixed map[string]bool) {
	type talker struct {
		uid    types.UID
		cancel context.CancelFunc
	}
	talking := map[string]talker{}
	var wg sync.WaitGroup
	defer func() {
		for _, t := range talking {
			t.cancel()
		}
		wg.Wait()
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := uint64(1 << 20); ; {
		seen := map[string]bool{}
		for _, obj := range a.pods.GetStore().List() {
			pod := obj.(*corev1.Pod)
			key := pod.Namespace + "/" + pod.Name
			if !demoNamespaces[pod.Namespace] || fixed[key] || metav1.GetControllerOf(pod) == nil ||
				pod.DeletionTimestamp != nil || !started(pod) {
				continue
			}
			seen[key] = true
			if t, ok := talking[key]; ok && t.uid == pod.UID {
				continue
			} else if ok {
				t.cancel()
			}
			podCtx, cancel := context.WithCancel(ctx)
			talking[key] = talker{pod.UID, cancel}
			for _, container := range pod.Spec.Containers {
				n++
				g := demoLines{r: rand.New(rand.NewPCG(seed, n))}
				wg.Go(func() { chatter(podCtx, k, pod.Namespace, pod.Name, container.Name, g) })
			}
		}
		for key, t := range talking {
			if !seen[key] {
				t.cancel()
				delete(talking, key)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-k.done:
			return
		case <-tick.C:
		}
	}
}

// chatter is RunDemoChatter for one container.
func chatter(ctx context.Context, k *Kubelet, ns, pod, container string, g demoLines) {
	next := func() time.Duration {
		return 300*time.Millisecond + time.Duration(g.r.Int64N(int64(400*time.Millisecond)))
	}
	timer := time.NewTimer(next())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.done:
			return
		case <-timer.C:
		}
		burst := 1
		if g.r.IntN(10) == 0 {
			burst += 1 + g.r.IntN(3)
		}
		lines := make([]string, burst)
		for i := range lines {
			lines[i] = g.line(container, time.Now())
		}
		k.writeRunning(ns, pod, container, lines...)
		timer.Reset(next())
	}
}
