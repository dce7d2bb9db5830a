package model

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestEventsTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }
	events := []corev1.Event{
		{
			Type: "Warning", Reason: "BackOff", Message: "restarting\nfailed container",
			Source: corev1.EventSource{Component: "kubelet"}, Count: 3,
			FirstTimestamp: ago(time.Hour), LastTimestamp: ago(2 * time.Minute),
			InvolvedObject: corev1.ObjectReference{FieldPath: "spec.containers{web}"},
		},
		{
			Type: "Normal", Reason: "Scheduled", Message: "assigned",
			ReportingController: "default-scheduler",
			EventTime:           metav1.NewMicroTime(now.Add(-10 * time.Minute)),
		},
		{
			Type: "Normal", Reason: "Pulled", Message: "image \x1b]52;c;aGk=\x07 pulled",
			Source:        corev1.EventSource{Component: "kubelet"},
			EventTime:     metav1.NewMicroTime(now.Add(-3 * time.Hour)),
			Series:        &corev1.EventSeries{Count: 7, LastObservedTime: metav1.NewMicroTime(now.Add(-30 * time.Second))},
			LastTimestamp: metav1.Time{},
		},
	}
	got := EventsTable(events, now)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines:\n%s", len(lines), got)
	}
	if !strings.HasPrefix(lines[0], "LAST SEEN   TYPE") || !strings.Contains(lines[0], "COUNT   MESSAGE") {
		t.Errorf("header = %q", lines[0])
	}
	// Oldest last-seen first: Scheduled (10m), BackOff (2m), Pulled (30s).
	wantOrder := []string{"Scheduled", "BackOff", "Pulled"}
	for i, reason := range wantOrder {
		if !strings.Contains(lines[i+1], reason) {
			t.Errorf("row %d = %q, want %s", i+1, lines[i+1], reason)
		}
	}
	for _, want := range []string{
		"10m ", "default-scheduler", // reporting controller when no source
		"2m ", "kubelet", "spec.containers{web}: restarting failed container", // fieldPath prefix, newline flattened
		"30s ", "7", // series count and last observed time
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("control characters reached the table: %q", got)
	}
	// Columns align: every row's TYPE cell starts where the header's does.
	col := strings.Index(lines[0], "TYPE")
	for _, l := range lines[1:] {
		if cell := l[col:]; !strings.HasPrefix(cell, "Normal") && !strings.HasPrefix(cell, "Warning") {
			t.Errorf("row not aligned at %d: %q", col, l)
		}
	}
	if strings.Contains(lines[1], " 0 ") {
		t.Errorf("a singleton event of the new API shows count 0: %q", lines[1])
	}
}

func TestEventsTableEmpty(t *testing.T) {
	if got := EventsTable(nil, time.Now()); got != NoEvents {
		t.Errorf("EventsTable(nil) = %q", got)
	}
}
