package app

import (
	"errors"
	"testing"
	"time"
)

// tail's history flags check as kubectl logs checks them.
func TestTailFollowOptions(t *testing.T) {
	for _, tc := range []struct {
		s       tailSettings
		bad     bool
		noHist  bool
		lines   int64
		since   time.Duration
		sinceAt bool
	}{
		{s: tailSettings{tail: -1}},
		{s: tailSettings{tail: 0}, noHist: true},
		{s: tailSettings{tail: 20}, lines: 20},
		{s: tailSettings{tail: -2}, bad: true},
		{s: tailSettings{tail: -1, since: time.Hour}, since: time.Hour},
		{s: tailSettings{tail: -1, since: -time.Hour}, bad: true},
		{s: tailSettings{tail: -1, sinceTime: "2026-12-04T06:00:00Z"}, sinceAt: true},
		{s: tailSettings{tail: -1, sinceTime: "2026-12-04T06:00:00.123456789+01:00"}, sinceAt: true},
		{s: tailSettings{tail: -1, sinceTime: "yesterday"}, bad: true},
		{s: tailSettings{tail: -1, since: time.Hour, sinceTime: "2026-12-04T06:00:00Z"}, bad: true},
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
