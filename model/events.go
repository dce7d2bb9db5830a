package model

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

// NoEvents is the whole text of events.txt for an object without events.
const NoEvents = "No events.\n"

// eventsHeader lists the columns of events.txt.
var eventsHeader = []string{"LAST SEEN", "TYPE", "REASON", "FROM", "COUNT", "MESSAGE"}

// EventsTable renders events as the aligned table of events.txt, oldest
// first by last-seen time. Columns and cell values follow kubectl: LAST SEEN
// and COUNT as `kubectl get events` computes them (a recurring event's series
// count and last observed time), FROM and MESSAGE as `kubectl describe` shows
// them. now is the reference for ages. events is not modified.
func EventsTable(events []corev1.Event, now time.Time) string {
	if len(events) == 0 {
		return NoEvents
	}
	sorted := append([]corev1.Event(nil), events...)
	// kubectl describe orders by lastTimestamp alone, which puts events of
	// the events.k8s.io API (no lastTimestamp) first whatever their age.
	// Sorting on the same last-seen value the column shows keeps kubectl's
	// order for classic events and places the others where they belong.
	sort.SliceStable(sorted, func(i, j int) bool {
		return lastSeen(sorted[i]).Before(lastSeen(sorted[j]))
	})

	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, strings.Join(eventsHeader, "\t"))
	for _, e := range sorted {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n",
			age(lastSeen(e), now),
			cell(e.Type),
			cell(e.Reason),
			cell(eventSource(e)),
			eventCount(e),
			cell(eventMessage(e)),
		)
	}
	_ = tw.Flush()
	return b.String()
}

// lastSeen is when an event last happened, as kubectl's LAST SEEN column
// tells it: a series' last observation, else lastTimestamp, else the first
// occurrence (firstTimestamp, or eventTime for the newer API).
func lastSeen(e corev1.Event) time.Time {
	switch {
	case e.Series != nil:
		return e.Series.LastObservedTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.FirstTimestamp.IsZero():
		return e.FirstTimestamp.Time
	}
	return e.EventTime.Time
}

func age(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}

func eventCount(e corev1.Event) int32 {
	if e.Series != nil {
		return e.Series.Count
	}
	if e.Count == 0 {
		// Events of the newer API that happened once carry no count.
		return 1
	}
	return e.Count
}

func eventSource(e corev1.Event) string {
	if e.Source.Component != "" {
		return e.Source.Component
	}
	return e.ReportingController
}

func eventMessage(e corev1.Event) string {
	msg := strings.TrimSpace(e.Message)
	if e.InvolvedObject.FieldPath != "" {
		msg = e.InvolvedObject.FieldPath + ": " + msg
	}
	return msg
}

// cell makes cluster text safe for one table cell: line breaks and tabs
// become spaces so rows stay aligned, and other control characters
// (terminal escapes among them) become U+FFFD so `kfsui cat` cannot drive
// the terminal it prints to.
func cell(s string) string {
	clean := func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return '\uFFFD'
		}
		return r
	}
	return strings.Map(clean, s)
}
