// Package readclose wraps response bodies to learn when they are closed.
package readclose

import (
	"io"
	"sync"
)

// OnClose returns rc, calling done once when it is first closed: a stream
// counted as open until then, or a context kept until the body is read.
func OnClose(rc io.ReadCloser, done func()) io.ReadCloser {
	return &onClose{ReadCloser: rc, done: done}
}

type onClose struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (c *onClose) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.done)
	return err
}
