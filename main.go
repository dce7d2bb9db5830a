// Command kfsui is a read-only terminal browser for Kubernetes. Installed as
// kubectl-kfsui it also runs as the kubectl plugin `kubectl kfsui`.
package main

import (
	"os"

	"github.com/kfsui/kfsui/internal/cli"
	// Supervises the UI as the program starts, before Kubernetes'
	// packages initialise: the supervisor needs none of them.
	_ "github.com/kfsui/kfsui/internal/supervise/early"
)

func main() {
	// The real program runs its UI and its mount's server under a
	// supervisor process that restores the terminal or unmounts whatever
	// way they end (internal/supervise).
	os.Exit(cli.Main(os.Args[0], os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Supervise: true}))
}
