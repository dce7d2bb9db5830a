package e2e

import (
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/internal/testcluster"
)

// BenchmarkE2ELogThroughput runs a container that writes as fast as it can
// (the fake kubelet's Flood) through the real kube-apiserver into an open
// log pane of the real app on a simulation screen, and reports end-to-end
// lines/s and how often the log panes redrew. Run it with:
//
//	go test -run '^$' -bench E2ELogThroughput -benchtime 3x ./internal/e2e/
func BenchmarkE2ELogThroughput(b *testing.B) {
	const lines, lineLen = 200000, 100
	c := testcluster.Shared(b)
	k := c.Kubelet()
	var totalSecs float64
	var totalRedraws int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ns := newNamespace(b, "bench")
		runningPod(b, ns, "flood", "app")
		logs := "/namespaces/" + ns + "/pods/flood/logs"
		d := startApp(b, logs)
		d.openLogPane(logs + "/app.log")
		before := d.app.Redraws()
		b.StartTimer()

		start := time.Now()
		go k.Flood(ns, "flood", "app", lines, lineLen)
		for arrived := int64(0); arrived < lines; {
			if time.Since(start) > 2*time.Minute {
				b.Fatalf("only %d of %d lines arrived in 2 minutes", arrived, lines)
			}
			time.Sleep(5 * time.Millisecond)
			d.app.QueueUpdateDraw(func() {
				for _, p := range d.app.LogPanes() {
					arrived = int64(p.Lines) + p.Evicted
				}
			})
		}
		secs := time.Since(start).Seconds()
		b.StopTimer()
		totalSecs += secs
		totalRedraws += d.app.Redraws() - before
		d.quit()
	}
	b.ReportMetric(float64(lines*b.N)/totalSecs, "lines/s")
	b.ReportMetric(float64(totalRedraws)/totalSecs, "redraws/s")
}

// BenchmarkE2EWorkloadLogThroughput is BenchmarkE2ELogThroughput for a
// Deployment's 20 pods writing at once into the one pane of its logs/,
// which merges them by time: end-to-end lines/s over all 20. Run it with:
//
//	go test -run '^$' -bench E2EWorkloadLogThroughput -benchtime 3x ./internal/e2e/
func BenchmarkE2EWorkloadLogThroughput(b *testing.B) {
	const pods, linesEach, lineLen = 20, 20000, 100
	c := testcluster.Shared(b)
	k := c.Kubelet()
	var totalSecs float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ns := newNamespace(b, "wbench")
		rollOut(b, ns, "flood", "busybox:1.36", pods, "bench")
		names := podsOf(b, ns, "flood", false)
		logs := "/namespaces/" + ns + "/deployments/flood/logs"
		d := startApp(b, logs)
		d.waitSelected(logs, 10*time.Second)
		d.key(tcell.KeyEnter)
		eventually(b, "every pod followed", 30*time.Second, func() bool {
			for _, n := range names {
				if k.OpenStreams(ns, n, "app") != 1 {
					return false
				}
			}
			return true
		}, d.text)
		b.StartTimer()

		start := time.Now()
		for _, n := range names {
			go k.Flood(ns, n, "app", linesEach, lineLen)
		}
		const total = pods * linesEach
		for arrived := int64(0); arrived < total; {
			if time.Since(start) > 2*time.Minute {
				b.Fatalf("only %d of %d lines arrived in 2 minutes", arrived, total)
			}
			time.Sleep(5 * time.Millisecond)
			d.app.QueueUpdateDraw(func() {
				for _, p := range d.app.LogPanes() {
					arrived = int64(p.Lines) + p.Evicted
				}
			})
		}
		totalSecs += time.Since(start).Seconds()
		b.StopTimer()
		d.quit()
	}
	b.ReportMetric(float64(pods*linesEach*b.N)/totalSecs, "lines/s")
}
