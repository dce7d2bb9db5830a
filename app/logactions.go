package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
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
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		dir, err := fs.ReadDir(ctx, logs)
		a.ui.Do(func() {
			if err != nil {
				a.flash(err.Error(), true)
				return
			}
			var targets []k8s.LogTarget
			for _, e := range dir.Entries {
				targets = append(targets, k8s.LogTarget{Namespace: p.Namespace, Pod: p.PodName(), Container: e.Path.Container})
			}
			if len(targets) == 0 {
				a.flash("the pod has no containers", true)
				return
			}
			a.logs.open(label, conn, targets)
		})
	}()
}

// openWorkloadLogs opens one pane merging the logs of every container of
// every pod workload p owns, prefixed pod/container. The pane follows the
// workload's pods: a pod that comes is followed from then on; one that
// goes leaves a line saying its stream ended. UI goroutine only.
func (a *App) openWorkloadLogs(s *session, p model.Path) {
	logs := model.Path{Kind: model.KindLogsDir, Namespace: p.Namespace, Type: p.Type, Name: p.Name}
	label := a.key(s, logs) + "/*"
	fs, conn := s.fs, s.conn
	resolve := workloadTargets(fs, logs)
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		targets, err := resolve(ctx)
		a.ui.Do(func() {
			if err != nil {
				a.flash(err.Error(), true)
				return
			}
			a.logs.openPane(label, conn, targets, func(pane *logPane) {
				pane.multiPod = true
				pane.buf = model.NewLogBuffer(a.opts.LogBuffer, true)
				pane.view.SetPrefix(true)
				pane.unwatch = pane.watchPods(fs, logs, resolve)
			})
		})
	}()
}

// workloadTargets returns a function that lists the containers of the
// pods of the workload whose logs directory is logs. Containers are read
// once per pod.
func workloadTargets(fs *model.FS, logs model.Path) func(context.Context) ([]k8s.LogTarget, error) {
	var mu sync.Mutex
	known := map[string][]string{} // pod → containers
	return func(ctx context.Context) ([]k8s.LogTarget, error) {
		pods, err := fs.OwnedPods(ctx, logs)
		if err != nil {
			return nil, err
		}
		var out []k8s.LogTarget
		for _, pod := range pods {
			mu.Lock()
			containers, ok := known[pod]
			mu.Unlock()
			if !ok {
				dir, err := fs.ReadDir(ctx, model.Path{Kind: model.KindPodLogsDir, Namespace: logs.Namespace, Type: logs.Type, Name: logs.Name, Pod: pod})
				if err != nil {
					continue // gone meanwhile
				}
				for _, e := range dir.Entries {
					containers = append(containers, e.Path.Container)
				}
				mu.Lock()
				known[pod] = containers
				mu.Unlock()
			}
			for _, c := range containers {
				out = append(out, k8s.LogTarget{Namespace: logs.Namespace, Pod: pod, Container: c})
			}
		}
		return out, nil
	}
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

// logActions returns what each action does in a log pane.
func (a *App) logActions() map[keymap.Action]func() {
	on := func(f func(p *logPane)) func() {
		return func() {
			if p := a.logs.focused(); p != nil {
				f(p)
			}
		}
	}
	window := func(i int) func() {
		return on(func(p *logPane) {
			p.window = i
			p.restart()
		})
	}
	return map[keymap.Action]func(){
		keymap.Up:          on(func(p *logPane) { p.view.ScrollBy(-1) }),
		keymap.Down:        on(func(p *logPane) { p.view.ScrollBy(1) }),
		keymap.PageUp:      on(func(p *logPane) { p.view.Page(-1) }),
		keymap.PageDown:    on(func(p *logPane) { p.view.Page(1) }),
		keymap.Top:         on(func(p *logPane) { p.view.Top() }),
		keymap.Bottom:      on(func(p *logPane) { p.view.Bottom() }),
		keymap.ScrollLeft:  on(func(p *logPane) { p.view.ScrollSideways(-8) }),
		keymap.ScrollRight: on(func(p *logPane) { p.view.ScrollSideways(8) }),
		keymap.Back: func() {
			// A maximised pane is all there is on screen: Esc restores
			// the layout first, or the keys would drive a hidden tree.
			if a.logs.maximised != nil {
				a.toggleMaximise(a.logs.maximised)
				return
			}
			a.focus(a.tree)
		},
		keymap.Follow:     on(func(p *logPane) { p.view.SetFollow(!p.view.Following()) }),
		keymap.Timestamps: on(func(p *logPane) { p.view.ToggleTimestamps() }),
		keymap.Wrap:       on(func(p *logPane) { p.view.ToggleWrap() }),
		keymap.Previous: on(func(p *logPane) {
			p.previous = !p.previous
			p.restart()
		}),
		keymap.SinceTail: window(0),
		keymap.Since1m:   window(1),
		keymap.Since5m:   window(2),
		keymap.Since15m:  window(3),
		keymap.Since1h:   window(4),
		keymap.SinceAll:  window(5),
		keymap.MoreLines: on(func(p *logPane) {
			p.tail, p.window = min(p.tail*2, int64(p.buf.Max())), 0
			p.restart()
		}),
		keymap.FewerLines: on(func(p *logPane) {
			p.tail, p.window = max(p.tail/2, 10), 0
			p.restart()
		}),
		keymap.Search: on(func(p *logPane) {
			a.prompt("search: ", func(text string) {
				if text == "" {
					p.view.SetSearch(nil)
					return
				}
				re, err := compilePattern(text)
				if err != nil {
					a.flash(err.Error(), true)
					return
				}
				p.view.SetSearch(re)
				if !p.view.NextMatch(false) {
					a.flash("no match for "+text, true)
				}
			})
		}),
		keymap.NextMatch: on(func(p *logPane) { p.view.NextMatch(false) }),
		keymap.PrevMatch: on(func(p *logPane) { p.view.NextMatch(true) }),
		keymap.Filter: on(func(p *logPane) {
			a.prompt("filter: ", func(text string) {
				if err := p.setFilter(text); err != nil {
					a.flash(err.Error(), true)
				}
				p.view.SetStatus(p.status())
			})
		}),
		keymap.ClearLog: on(func(p *logPane) {
			p.buf.Clear()
			p.matches = nil
			p.view.Reset()
			p.view.SetStatus(p.status())
		}),
		keymap.SaveLog: on(a.saveLog),
		keymap.Yank: on(func(p *logPane) {
			a.yank(fmt.Sprintf("%d lines of %s", rows{p}.Len(), p.label), p.lines(p.view.Timestamps()))
		}),
		keymap.YankPath:  on(func(p *logPane) { a.yankPath(p.label) }),
		keymap.Maximise:  on(a.toggleMaximise),
		keymap.ClosePane: on(a.logs.close),
	}
}

func (a *App) toggleMaximise(p *logPane) {
	if a.logs.maximised == p {
		a.logs.maximised = nil
	} else {
		a.logs.maximised = p
	}
	a.layout()
	a.focus(p.view)
}

// saveLog writes the pane's lines to a new file and says where.
func (a *App) saveLog(p *logPane) {
	dir := a.opts.SaveDir
	if dir == "" {
		dir = defaultSaveDir()
	}
	name := strings.Trim(unsafeFileChars.ReplaceAllString(p.label, "_"), "_")
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.log", name, time.Now().Format("20060102-150405")))
	text := p.lines(p.view.Timestamps())
	go func() {
		err := os.MkdirAll(dir, 0o700)
		if err == nil {
			err = os.WriteFile(path, []byte(text), 0o600)
		}
		a.ui.Do(func() {
			if err != nil {
				a.flash("save: "+err.Error(), true)
				return
			}
			a.flash(fmt.Sprintf("saved %d lines to %s", strings.Count(text, "\n"), path), false)
		})
	}()
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
