package model

import (
	"testing"

	"github.com/kfsui/kfsui/k8s"
)

func cols(names ...string) []k8s.Column {
	out := make([]k8s.Column, len(names))
	for i, n := range names {
		out[i] = k8s.Column{Name: n, Type: "string"}
	}
	out[0].Format = "name"
	return out
}

func row(cells ...string) k8s.Row {
	r := k8s.Row{Name: cells[0]}
	for _, c := range cells {
		r.Cells = append(r.Cells, k8s.Cell{Text: c})
	}
	return r
}

func TestRowHealth(t *testing.T) {
	pods := cols("Name", "Ready", "Status", "Restarts", "Age")
	deploys := cols("Name", "Ready", "Up-to-date", "Available", "Age")
	daemonsets := cols("Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age")
	jobs := cols("Name", "Status", "Completions", "Duration", "Age")
	oldJobs := cols("Name", "Completions", "Duration", "Age")
	nodes := cols("Name", "Status", "Roles", "Age", "Version")
	events := cols("Last Seen", "Type", "Reason", "Object", "Message")
	metered := cols("Name", "Ready", "Status", "Restarts", "CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "Age")
	helm := cols("Name", "Revision", "Updated", "Status", "Chart", "App Version")
	for _, tc := range []struct {
		columns []k8s.Column
		row     k8s.Row
		want    Health
	}{
		// Helm releases: failed, and stuck pending, are failing.
		{helm, row("web", "2", "5m", "deployed", "app-1.0.0", "1"), HealthFine},
		{helm, row("web", "2", "5m", "failed", "app-1.0.0", "1"), HealthFailing},
		{helm, row("web", "2", "5m", "pending-install", "app-1.0.0", "1"), HealthFailing},
		{helm, row("web", "2", "5m", "pending-upgrade", "app-1.0.0", "1"), HealthFailing},
		{helm, row("web", "2", "5m", "pending-rollback", "app-1.0.0", "1"), HealthFailing},
		{helm, row("web", "2", "5m", "uninstalling", "app-1.0.0", "1"), HealthInProgress},
		{helm, row("web", "1", "5m", "superseded", "app-1.0.0", "1"), HealthFine},
		{pods, row("a", "1/1", "Running", "0", "5m"), HealthFine},
		// Over 90% of its memory limit: about to be OOM-killed.
		{metered, row("a", "1/1", "Running", "0", "5m", "950Mi", "200", "n/a", "190", "92", "1h"), HealthFailing},
		{metered, row("a", "1/1", "Running", "0", "5m", "900Mi", "200", "n/a", "180", "89", "1h"), HealthFine},
		{metered, row("a", "1/1", "Running", "0", "5m", "900Mi", "200", "n/a", "180", "n/a", "1h"), HealthFine},
		{pods, row("a", "0/1", "CrashLoopBackOff", "17 (5m ago)", "1h"), HealthFailing},
		{pods, row("a", "0/2", "Init:CrashLoopBackOff", "3", "1h"), HealthFailing},
		{pods, row("a", "0/1", "ImagePullBackOff", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "ErrImagePull", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "OOMKilled", "1", "1h"), HealthFailing},
		{pods, row("a", "0/1", "CreateContainerConfigError", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "Evicted", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "Error", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "Unknown", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "Signal:9", "0", "1h"), HealthFailing},
		{pods, row("a", "0/1", "Pending", "0", "1h"), HealthInProgress},
		{pods, row("a", "0/1", "ContainerCreating", "0", "1h"), HealthInProgress},
		{pods, row("a", "0/1", "PodInitializing", "0", "1h"), HealthInProgress},
		{pods, row("a", "0/1", "Init:0/2", "0", "1h"), HealthInProgress},
		{pods, row("a", "1/1", "Terminating", "0", "1h"), HealthInProgress},
		{pods, row("a", "1/2", "Running", "0", "1h"), HealthInProgress},
		{pods, row("a", "0/1", "Completed", "0", "1h"), HealthDone},
		{pods, row("a", "0/1", "Succeeded", "0", "1h"), HealthDone},
		{deploys, row("web", "2/3", "3", "2", "1h"), HealthInProgress},
		{deploys, row("web", "3/3", "3", "3", "1h"), HealthFine},
		{daemonsets, row("ds", "3", "3", "2", "3", "2", "<none>", "1h"), HealthInProgress},
		{daemonsets, row("ds", "3", "3", "3", "3", "3", "<none>", "1h"), HealthFine},
		{jobs, row("j", "Complete", "1/1", "5s", "1h"), HealthDone},
		{jobs, row("j", "Failed", "0/1", "5s", "1h"), HealthFailing},
		{jobs, row("j", "Running", "0/1", "5s", "1h"), HealthFine},
		{oldJobs, row("j", "1/1", "5s", "1h"), HealthDone},
		{oldJobs, row("j", "0/1", "5s", "1h"), HealthFine},
		{nodes, row("n", "NotReady", "<none>", "1d", "v1.36.3"), HealthFailing},
		{nodes, row("n", "Ready,SchedulingDisabled", "<none>", "1d", "v1.36.3"), HealthInProgress},
		{nodes, row("n", "Ready", "<none>", "1d", "v1.36.3"), HealthFine},
		{events, row("5m", "Warning", "BackOff", "pod/a", "Back-off"), HealthFailing},
		{events, row("5m", "Normal", "Pulled", "pod/a", "Pulled"), HealthFine},
		{cols("Name", "Data", "Age"), row("cm", "3", "1h"), HealthFine},
		{pods, k8s.Row{Name: "short", Cells: []k8s.Cell{{Text: "short"}}}, HealthFine},
	} {
		if got := RowHealth(tc.columns, tc.row); got != tc.want {
			t.Errorf("%v %v: %v, want %v", tc.columns[1].Name, tc.row.Cells, got, tc.want)
		}
	}
}
