// Package early supervises the terminal UI before the rest of kfsui has
// initialised: only main.go imports it, for that side effect.
//
// Every package a Go program links is initialised before main runs, and
// kfsui links Kubernetes' API machinery, whose scheme registrations cost
// tens of milliseconds at every start (GODEBUG=inittrace=1 shows them). A
// supervisor only starts a child and waits for it: none of that is of any
// use to it. This package depends on nothing but internal/supervise and
// the standard library, so Go initialises it before client-go and kubectl
// (packages are initialised as soon as their imports are, in import-path
// order), and its init never returns when it supervises: the parent
// process runs the UI's child and exits with its code without having
// initialised the rest. When the command line is not plainly the UI's
// (supervise.UIInvocation), or there is no terminal, init returns and the
// command line decides, supervising the UI itself if it is one.
//
// Concurrency: all of it happens in init, before any goroutine of kfsui's.
package early

import (
	"os"

	"github.com/kfsui/kfsui/internal/supervise"
)

func init() {
	args := os.Args[1:]
	if supervise.IsChild(supervise.UIEnv) || !supervise.UIInvocation(args) {
		return
	}
	if code, ok := supervise.Terminal(args, os.Stderr, nil); ok {
		os.Exit(code)
	}
}
