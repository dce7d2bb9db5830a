// Command peakrss runs one bash command line and prints its wall time in
// nanoseconds and the peak RSS, in bytes, of its largest process. The
// scale bench runs commands through it because Linux carries a process's
// peak RSS over fork and exec: a command started straight from the bench,
// which holds a big cluster's clients, would report the bench's size as
// its own. This program is small, so what it starts is measured as it is.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss 'COMMAND LINE'")
		os.Exit(2)
	}
	cmd := exec.Command("bash", "-c", os.Args[1])
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
		os.Exit(1)
	}
	elapsed := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10
	}
	fmt.Printf("%d %d\n", elapsed.Nanoseconds(), rss)
}
