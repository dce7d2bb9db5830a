// Command kfsui is a read-only terminal browser for Kubernetes. Installed as
// kubectl-kfsui it also runs as the kubectl plugin `kubectl kfsui`.
package main

import (
	"os"

	"github.com/kfsui/kfsui/app"
)

func main() {
	// The real program runs its UI under a supervisor process that
	// restores the terminal whatever way the UI ends; see app.Supervise.
	app.Supervise = true
	os.Exit(app.Main(os.Args[0], os.Args[1:], os.Stdout, os.Stderr))
}
