package app

import (
	"sync"

	"github.com/kfsui/kfsui/internal/config"
)

// configWriter writes to config.yaml what the user changes in the UI for
// kfsui to remember (the tree's width), off the UI goroutine: a slow or
// network home directory never holds a key press up. One write runs at a time, and a field set
// again before its write began is written once, with its latest value.
type configWriter struct {
	mu      sync.Mutex
	pending map[string]string // field → value, not yet written
	order   []string          // the fields of pending, in the order set
	running bool
	idle    *sync.Cond // signalled when a run ends; see wait
}

// set writes field: value to the config file at path, soon. fail is
// called, on the writer's goroutine, with each write's error.
func (s *configWriter) set(path, field, value string, fail func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		s.pending = map[string]string{}
	}
	if _, queued := s.pending[field]; !queued {
		s.order = append(s.order, field)
	}
	s.pending[field] = value
	if s.running {
		return
	}
	s.running = true
	go s.run(path, fail)
}

func (s *configWriter) run(path string, fail func(error)) {
	s.mu.Lock()
	for len(s.order) > 0 {
		field := s.order[0]
		value := s.pending[field]
		s.order = s.order[1:]
		delete(s.pending, field)
		s.mu.Unlock()
		if err := config.Set(path, field, value); err != nil {
			fail(err)
		}
		s.mu.Lock()
	}
	s.running = false
	if s.idle != nil {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// wait returns once nothing is being written: at exit, so that what the
// user set just before quitting is not lost.
func (s *configWriter) wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle == nil {
		s.idle = sync.NewCond(&s.mu)
	}
	for s.running {
		s.idle.Wait()
	}
}
