package model

import (
	"context"
	"sync"

	"github.com/kfsui/kfsui/k8s"
)

// PodLogTargets returns the containers whose logs are below logs, a pod's
// logs directory (or one of a workload's pods'), in the directory's order.
// Safe from any goroutine; it makes a request.
func (fs *FS) PodLogTargets(ctx context.Context, logs Path) ([]k8s.LogTarget, error) {
	dir, err := fs.ReadDir(ctx, logs)
	if err != nil {
		return nil, err
	}
	out := make([]k8s.LogTarget, 0, len(dir.Entries))
	for _, e := range dir.Entries {
		out = append(out, k8s.LogTarget{Namespace: logs.Namespace, Pod: logs.PodName(), Container: e.Path.Container})
	}
	return out, nil
}

// WorkloadLogTargets returns a function that lists the containers of the
// pods the workload whose logs directory is logs owns at the time it is
// called: a log pane or kfsui tail -f calls it again as pods come and go.
// Each pod's containers are read once. The function is safe from any
// goroutine; it makes requests.
func (fs *FS) WorkloadLogTargets(logs Path) func(context.Context) ([]k8s.LogTarget, error) {
	var mu sync.Mutex
	known := map[string][]k8s.LogTarget{} // pod → its containers
	return func(ctx context.Context) ([]k8s.LogTarget, error) {
		pods, err := fs.OwnedPods(ctx, logs)
		if err != nil {
			return nil, err
		}
		var out []k8s.LogTarget
		for _, pod := range pods {
			mu.Lock()
			targets, ok := known[pod]
			mu.Unlock()
			if !ok {
				targets, err = fs.PodLogTargets(ctx, Path{Kind: KindPodLogsDir, Namespace: logs.Namespace, Type: logs.Type, Name: logs.Name, Pod: pod})
				if err != nil {
					continue // gone meanwhile
				}
				mu.Lock()
				known[pod] = targets
				mu.Unlock()
			}
			out = append(out, targets...)
		}
		return out, nil
	}
}
