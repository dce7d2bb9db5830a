package k8s

import "sync"

// subscribers is a set of callbacks told about values of type T: the
// listings' changes, new catalogs, the server's reachability. The zero
// value is ready to use.
//
// Concurrency: safe from any goroutine. Callbacks run on the notifying
// goroutine, outside the lock, so they may subscribe or unsubscribe.
type subscribers[T any] struct {
	mu   sync.Mutex
	fns  map[int]func(T)
	next int
}

// add registers fn and returns a function that removes it.
func (s *subscribers[T]) add(fn func(T)) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fns == nil {
		s.fns = map[int]func(T){}
	}
	id := s.next
	s.next++
	s.fns[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.fns, id)
	}
}

// notify calls every callback with v.
func (s *subscribers[T]) notify(v T) {
	s.mu.Lock()
	fns := make([]func(T), 0, len(s.fns))
	for _, fn := range s.fns {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(v)
	}
}
