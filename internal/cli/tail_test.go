package cli

import (
	"errors"
	"testing"
	"time"
)

// tail's history flags check as kubectl logs checks them.
func TestTailFollowOptions(t *testing.T) {
	for _, tc := range []struct {
		s       tailFlags
		bad     bool
		noHist  bool
		lines   int64
		since   time.Duration
		sinceAt bool
	}{
		{s: tailFlags{tail: -1}},
		{s: tailFlags{tail: 0}, noHist: true},
		{s: tailFlags{tail: 20}, lines: 20},
		{s: tailFlags{tail: -2}, bad: true},
		{s: tailFlags{tail: -1, since: time.Hour}, since: time.Hour},
		{s: tailFlags{tail: -1, since: -time.Hour}, bad: true},
		{s: tailFlags{tail: -1, sinceTime: "2026-12-04T06:00:00Z"}, sinceAt: true},
		{s: tailFlags{tail: -1, sinceTime: "2026-12-04T06:00:00.123456789+01:00"}, sinceAt: true},
		{s: tailFlags{tail: -1, sinceTime: "yesterday"}, bad: true},
		{s: tailFlags{tail: -1, since: time.Hour, sinceTime: "2026-12-04T06:00:00Z"}, bad: true},
	} {
		o, err := tc.s.followOptions()
		var ue usageError
		if tc.bad {
			if !errors.As(err, &ue) {
				t.Errorf("%+v: err %v, want a usage error", tc.s, err)
			}
			continue
		}
		if err != nil || o.NoHistory != tc.noHist || o.TailLines != tc.lines || o.Since != tc.since || o.SinceTime.IsZero() == tc.sinceAt {
			t.Errorf("%+v: %+v, %v", tc.s, o, err)
		}
	}
}
