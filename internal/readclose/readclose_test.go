package readclose

import (
	"io"
	"strings"
	"testing"
)

func TestOnCloseCallsDoneOnce(t *testing.T) {
	n := 0
	rc := OnClose(io.NopCloser(strings.NewReader("x")), func() { n++ })
	if b, _ := io.ReadAll(rc); string(b) != "x" || n != 0 {
		t.Fatalf("read %q, done called %d times before Close", b, n)
	}
	_ = rc.Close()
	_ = rc.Close()
	if n != 1 {
		t.Errorf("done called %d times, want once", n)
	}
}
