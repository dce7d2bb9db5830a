package web

import (
	"encoding/json"
	"testing"
)

// A frame written by appendFrame reads back as the same frame
// encoding/json writes, whatever bytes a log holds.
func TestAppendFrameIsJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rreturn", "\x00\x01\x1b[31mred\x1b[0m\x7f",
		"invalid \xff\xfe utf-8 \xc3", "line separator \u2028 and \u2029", "<b>&amp;</b>", "ünïcödé 日本語 🙂"} {
		f := logFrame{Src: s, TS: "2026-12-07T08:00:00.000000001Z", Line: s, Dropped: len(s), State: s, Detail: s}
		var got, want logFrame
		b := appendFrame(nil, f)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, b, err)
		}
		std, _ := json.Marshal(f)
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%q: reads back as %+v, want %+v", s, got, want)
		}
	}
}

func FuzzAppendFrame(f *testing.F) {
	f.Add("line \x1b[31m\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		var got, want logFrame
		if err := json.Unmarshal(appendFrame(nil, logFrame{TS: "t", Line: s}), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		std, _ := json.Marshal(logFrame{TS: "t", Line: s})
		_ = json.Unmarshal(std, &want)
		if got != want {
			t.Errorf("%q: %+v, want %+v", s, got, want)
		}
	})
}
