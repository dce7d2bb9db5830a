package testcluster

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape writes r as of now and returns each series' value by its line's
// name and labels, checking that every series carries now's timestamp.
func scrape(t *testing.T, r *resourceMetrics, now time.Time) map[string]float64 {
	t.Helper()
	var b bytes.Buffer
	if err := r.write(&b, now); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for line := range strings.SplitSeq(strings.TrimSpace(b.String()), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if fields[0] != "scrape_error" && (len(fields) != 3 || fields[2] != strconv.FormatInt(now.UnixMilli(), 10)) {
			t.Errorf("line %q lacks the scrape's timestamp", line)
		}
		out[fields[0]] = v
	}
	return out
}

// The counter grows at the scripted rate, keeps what it counted when the
// rate changes, and the node's totals include every container; a
// forgotten pod is no longer served.
func TestResourceMetricsFollowScriptedUsage(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	r := newResourceMetrics(t0)
	r.run("ns", "web", []string{"app"}, t0)
	app := containerKey{"ns", "web", "app"}
	r.set(app, Usage{MilliCPU: 500, Memory: 64 << 20}, t0)
	cpu := `container_cpu_usage_seconds_total{container="app",namespace="ns",pod="web"}`
	mem := `container_memory_working_set_bytes{container="app",namespace="ns",pod="web"}`
	start := `container_start_time_seconds{container="app",namespace="ns",pod="web"}`

	got := scrape(t, r, t0.Add(10*time.Second))
	if got[cpu] != 5 || got[mem] != 64<<20 || got[start] != 1_800_000_000 {
		t.Errorf("after 10 s at 500m: cpu %v, memory %v, start %v", got[cpu], got[mem], got[start])
	}
	if want := 0.25*10 + 5; got["node_cpu_usage_seconds_total"] != want {
		t.Errorf("node cpu %v, want %v", got["node_cpu_usage_seconds_total"], want)
	}
	if want := float64(nodeSystemMemory + 64<<20); got["node_memory_working_set_bytes"] != want {
		t.Errorf("node memory %v, want %v", got["node_memory_working_set_bytes"], want)
	}
	r.set(app, Usage{MilliCPU: 100, Memory: 32 << 20}, t0.Add(10*time.Second))
	if got := scrape(t, r, t0.Add(20*time.Second)); got[cpu] != 6 || got[mem] != 32<<20 {
		t.Errorf("10 s more at 100m: cpu %v, memory %v", got[cpu], got[mem])
	}
	r.forget("ns", "web")
	if got := scrape(t, r, t0.Add(30*time.Second)); len(got) != 3 {
		t.Errorf("a forgotten pod is still served: %v", got)
	}
}

// A container nobody scripted uses something of its own, never nothing
// (metrics-server drops a container with zero CPU or memory).
func TestResourceMetricsDefaultUsage(t *testing.T) {
	for _, name := range []string{"a", "b", "web-7c9f-x2x", ""} {
		u := defaultUsage(containerKey{"ns", name, "app"})
		if u.MilliCPU < 1 || u.MilliCPU > 200 || u.Memory < 4<<20 || u.Memory > 131<<20 {
			t.Errorf("default usage of %q: %+v", name, u)
		}
	}
}
