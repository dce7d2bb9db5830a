package model

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/kfsui/kfsui/k8s"
)

type bytesSource struct{ data []byte }

func (s bytesSource) Logs(context.Context, string, string, k8s.LogOptions) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(s.data)), nil
}

// kubeletLines makes n lines as the kubelet sends them with timestamps,
// about 120 bytes each.
func kubeletLines(n int) []byte {
	var b bytes.Buffer
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s 10.0.0.%d - - \"GET /api/v1/items/%d HTTP/1.1\" 200 %d \"-\" \"curl/8.5\" rt=0.%03d\n",
			t.Add(time.Duration(i)*time.Microsecond).Format(time.RFC3339Nano), i%255, i, 1000+i%9000, i%1000)
	}
	return b.Bytes()
}

// BenchmarkLogIngest measures the path a log pane's lines take: stream bytes
// → line splitting and timestamp parsing → the pane's pending slice (under
// its mutex, as the follower's goroutine does) → the bounded buffer, in
// batches as the 50 ms flush takes them.
func BenchmarkLogIngest(b *testing.B) {
	const lines = 100000
	data := kubeletLines(lines)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf := NewLogBuffer(DefaultLogBuffer, false)
		var mu sync.Mutex
		var pending []k8s.LogLine
		flushed := make(chan struct{})
		done := make(chan struct{})
		// The flush side takes batches as fast as it can, not every 50 ms:
		// the worst case for contention on the pending slice.
		go func() {
			defer close(flushed)
			for {
				mu.Lock()
				batch := pending
				pending = nil
				mu.Unlock()
				buf.Append(batch)
				select {
				case <-done:
					mu.Lock()
					buf.Append(pending)
					mu.Unlock()
					return
				default:
				}
			}
		}()
		s := k8s.NewStream(bytesSource{data}, k8s.LogTarget{Container: "app"}, k8s.LogOptions{}, func(l k8s.LogLine) {
			mu.Lock()
			pending = append(pending, l)
			mu.Unlock()
		})
		s.Start(context.Background())
		<-s.Done()
		close(done)
		<-flushed
		if got := buf.Len() + int(buf.Evicted()); got != lines {
			b.Fatalf("ingested %d lines, want %d", got, lines)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
