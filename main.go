// Command kfsui is a read-only terminal browser for Kubernetes. Installed as
// kubectl-kfsui it also runs as the kubectl plugin `kubectl kfsui`.
package main

import (
	"os"

	"github.com/kfsui/kfsui/app"
)

func main() {
	os.Exit(app.Main(os.Args[0], os.Args[1:], os.Stdout, os.Stderr))
}
