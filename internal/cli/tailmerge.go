package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// tailDir prints every log below logs directory p (a pod's: its
// containers; a workload's: its pods' containers), merged by time, each
// line prefixed by where it came from (container, or pod/container). With
// -f it follows, picking up a workload's new pods and saying on stderr
// when one's stream ends; it ends at Ctrl-C, or when the pod or the
// workload is deleted. The merging is model's, which kfsui web's log
// sockets share.
func tailDir(ctx context.Context, conn *k8s.Conn, fs *model.FS, p model.Path, opts k8s.FollowOptions, timestamps bool, stdout, stderr io.Writer) error {
	out := bufio.NewWriter(stdout)
	clean := cleanFor(stdout)
	var mu sync.Mutex // out, between the sink's functions and the end
	err := fs.FollowLogsDir(ctx, conn, p, opts, model.MergeSink{
		Lines: func(lines []model.MergedLine) {
			mu.Lock()
			defer mu.Unlock()
			for _, l := range lines {
				out.WriteString(l.Source + " ")
				if timestamps && !l.Line.Time.IsZero() {
					out.WriteString(k8s.FormatTimestamp(l.Line.Time) + " ")
				}
				out.WriteString(clean(l.Line.Text))
				out.WriteByte('\n')
			}
			out.Flush()
		},
		State: func(source string, st k8s.FollowState, detail string) {
			if st == k8s.StateEnded && detail == "pod deleted" {
				mu.Lock()
				defer mu.Unlock()
				out.Flush()
				fmt.Fprintf(stderr, "kfsui: %s: stream ended: %s\n", source, detail)
			}
		},
		Gone: func(p model.Path) {
			mu.Lock()
			defer mu.Unlock()
			out.Flush()
			fmt.Fprintf(stderr, "kfsui: %s/%s: deleted\n", p.Type, p.Name)
		},
	})
	mu.Lock()
	defer mu.Unlock()
	if ferr := out.Flush(); ferr != nil && err == nil {
		return ferr
	}
	return err
}
