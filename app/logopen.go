package app

import (
	"context"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// openLog opens a log pane following the container of .log leaf path.
// UI goroutine only.
func (a *App) openLog(path string) {
	s, p, err := a.resolve(path)
	if err != nil || p.Kind != model.KindLog {
		a.flash("not a log: "+path, true)
		return
	}
	a.logs.open(path, s.conn, []k8s.LogTarget{{Namespace: p.Namespace, Pod: p.Name, Container: p.Container}})
}

// openMergedLogs opens one pane merging every log below the selection:
// all containers of a pod (the pod's directory, its logs directory or one
// of its logs), or of every pod a workload owns (see openWorkloadLogs).
// The containers come from a GET of the pod, off the UI goroutine.
func (a *App) openMergedLogs() {
	sel, _ := a.tree.Selected()
	a.openLogsBelow(sel)
}

// openLogsBelow is openMergedLogs for the tree key sel. UI goroutine only.
func (a *App) openLogsBelow(sel string) {
	s, p, err := a.resolve(sel)
	p = p.Target() // an entry of /all/<type>: its object
	if err != nil || !p.HasType() || p.Kind == model.KindTypeDir || p.Cluster {
		a.flash("select a pod or a workload to see all its logs", true)
		return
	}
	if t, err := s.fs.TypeOf(p); err == nil && t.HasWorkloadLogs() && p.Kind != model.KindPodLogsDir && p.Pod == "" {
		a.openWorkloadLogs(s, p)
		return
	}
	logs := model.Path{Kind: model.KindLogsDir, Namespace: p.Namespace, Type: p.Type, Name: p.Name}
	if p.Pod != "" {
		logs = model.Path{Kind: model.KindPodLogsDir, Namespace: p.Namespace, Type: p.Type, Name: p.Name, Pod: p.Pod}
	}
	label := a.key(s, logs) + "/*"
	fs, conn := s.fs, s.conn
	background(a, func(ctx context.Context) ([]k8s.LogTarget, error) { return fs.PodLogTargets(ctx, logs) },
		func(targets []k8s.LogTarget) {
			if len(targets) == 0 {
				a.flash("the pod has no containers", true)
				return
			}
			a.logs.open(label, conn, targets)
		})
}

// openWorkloadLogs opens one pane merging the logs of every container of
// every pod workload p owns, prefixed pod/container. The pane follows the
// workload's pods: a pod that comes is followed from then on; one that
// goes leaves a line saying its stream ended. UI goroutine only.
func (a *App) openWorkloadLogs(s *session, p model.Path) {
	logs := model.Path{Kind: model.KindLogsDir, Namespace: p.Namespace, Type: p.Type, Name: p.Name}
	label := a.key(s, logs) + "/*"
	fs, conn := s.fs, s.conn
	resolve := fs.WorkloadLogTargets(logs)
	background(a, resolve, func(targets []k8s.LogTarget) {
		a.logs.openPane(label, conn, targets, func(pane *logPane) {
			pane.multiPod = true
			pane.buf = model.NewLogBuffer(a.opts.LogBuffer, true)
			pane.view.SetPrefix(true)
			pane.unwatch = pane.watchPods(fs, logs, resolve)
		})
	})
}

// podsSettle is how long a workload's pane waits after a change of pods
// before it looks for new ones: a rollout changes many at once.
const podsSettle = 250 * time.Millisecond

// watchPods keeps the pane's targets those of the workload whose logs
// directory is logs, as its pods change: it holds the namespace's pods
// listing and, at each change, lists the workload's pods again and
// follows the new ones. It returns the function that stops it.
func (p *logPane) watchPods(fs *model.FS, logs model.Path, resolve func(context.Context) ([]k8s.LogTarget, error)) func() {
	ctx, cancel := context.WithCancel(p.app.ctx)
	release := fs.Hold(logs)
	kick := make(chan struct{}, 1)
	podsKey, ok := fs.ListKeyOfPods(logs.Namespace)
	unsubscribe := func() {}
	if ok {
		unsubscribe = p.conn.Lists().Subscribe(func(key k8s.ListKey) {
			if key == podsKey {
				select {
				case kick <- struct{}{}:
				default:
				}
			}
		})
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(podsSettle):
			}
			targets, err := resolve(ctx)
			if err != nil {
				continue
			}
			p.app.ui.Do(func() {
				if ctx.Err() == nil {
					p.addTargets(targets)
				}
			})
		}
	}()
	return func() {
		cancel()
		unsubscribe()
		release()
	}
}
