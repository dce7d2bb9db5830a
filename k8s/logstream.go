package k8s

import (
	"context"
	"errors"
	"io"
	"sync"
)

// LogSource opens container logs. *Conn implements it; tests may fake it.
type LogSource interface {
	Logs(ctx context.Context, ns, pod string, o LogOptions) (io.ReadCloser, error)
}

var _ LogSource = (*Conn)(nil)

// LogTarget names one container's log.
type LogTarget struct {
	Namespace, Pod, Container string
}

// Stream reads one container's log from one request and hands each line to
// a sink. It always asks for timestamps, so that a reconnect can resume
// where it stopped; whether they are shown is the viewer's choice.
// Reconnecting is not its business: see Follower.
//
// Concurrency: Start, Close, Done and Err are safe from any goroutine.
type Stream struct {
	src    LogSource
	target LogTarget
	opts   LogOptions
	sink   func(LogLine)
	done   chan struct{}

	mu     sync.Mutex
	cancel context.CancelFunc
	err    error
}

// NewStream returns a stream of target's log with opts, delivering lines to
// sink from the stream's own goroutine. sink must not block for long.
func NewStream(src LogSource, target LogTarget, opts LogOptions, sink func(LogLine)) *Stream {
	opts.Container = target.Container
	opts.Timestamps = true
	return &Stream{src: src, target: target, opts: opts, sink: sink, done: make(chan struct{})}
}

// Start opens the log and reads it in a goroutine of its own until the log
// ends (the container stopped, or without Follow the end of what there
// is), the connection fails, ctx ends or Close is called. Call it once.
func (s *Stream) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	go func() {
		err := s.run(ctx)
		cancel()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.done)
	}()
}

// Done is closed when the stream has ended and its goroutine is gone.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Err tells why the stream ended: nil for a log that ended, the context's
// error after Close or cancellation, else the error that ended it. Only
// meaningful after Done.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the stream and waits until its goroutine and connection are
// gone. A no-op before Start.
func (s *Stream) Close() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-s.done
}

func (s *Stream) run(ctx context.Context) error {
	rc, err := s.src.Logs(ctx, s.target.Namespace, s.target.Pod, s.opts)
	if err != nil {
		return err
	}
	defer rc.Close()
	// Closing the body is what unblocks a Read waiting on a quiet stream.
	stop := context.AfterFunc(ctx, func() { rc.Close() })
	defer stop()

	split := NewLineSplitter(s.target.Container)
	buf := make([]byte, 64<<10)
	for {
		n, err := rc.Read(buf)
		if n > 0 {
			split.Write(buf[:n], s.sink)
		}
		switch {
		case err == nil:
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, io.EOF):
			split.Flush(s.sink)
			return nil
		default:
			split.Flush(s.sink)
			return err
		}
	}
}
