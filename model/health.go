package model

import (
	"strconv"
	"strings"

	"github.com/kfsui/kfsui/k8s"
)

// Health is the state of an object as its row tells it, for the tree to
// color it. The rules read the columns the server prints, by name, so
// they apply to every type that prints such a column, CRDs included.
type Health int

// The states, from the least to the most urgent; a row takes the most
// urgent one a rule gives it.
const (
	// HealthFine: nothing to look at.
	HealthFine Health = iota
	// HealthDone: finished as it should (a Completed pod, a Job done).
	HealthDone
	// HealthInProgress: on its way (Pending, ContainerCreating, READY
	// 1/3, a workload below its desired replicas, Terminating).
	HealthInProgress
	// HealthFailing: broken (CrashLoopBackOff, Error, ImagePullBackOff,
	// a node NotReady, a Warning event, a Job Failed).
	HealthFailing
)

// failingStates are STATUS words that mean something is broken: pods'
// container waiting and terminated reasons and phases, nodes', volumes'
// and jobs' failures.
var failingStates = map[string]bool{
	"crashloopbackoff": true, "error": true, "imagepullbackoff": true, "errimagepull": true,
	"oomkilled": true, "createcontainerconfigerror": true, "createcontainererror": true,
	"invalidimagename": true, "runcontainererror": true, "starterror": true,
	"containercannotrun": true, "evicted": true, "failed": true, "unknown": true,
	"nodelost": true, "containerstatusunknown": true, "unexpectedadmissionerror": true,
	"notready": true, "lost": true, "backofflimitexceeded": true, "deadlineexceeded": true,
	"errimageneverpull": true, "preemptionbyscheduler": true, "outofcpu": true, "outofmemory": true,
	// Helm releases stuck on their way are as broken as a failed one.
	"pending-install": true, "pending-upgrade": true, "pending-rollback": true,
}

// progressStates are STATUS words of something on its way.
var progressStates = map[string]bool{
	"pending": true, "containercreating": true, "podinitializing": true, "terminating": true,
	"schedulinggated": true, "schedulingdisabled": true, "suspended": true, "uninstalling": true,
}

// doneStates are STATUS words of something that finished well.
var doneStates = map[string]bool{
	"completed": true, "succeeded": true, "complete": true, "successcriteriamet": true,
}

// healthRules are where a listing's rules look: the index of each column
// they read, -1 where the type has none.
type healthRules struct {
	status, ready, desired, completions, typ int
	// memLimit is a pod's metrics column of memory used against its
	// limit (%MEM/L).
	memLimit int
}

// memLimitFailing is the share of its memory limit at which a pod is
// marked as failing: close to being OOM-killed.
const memLimitFailing = 90

func rulesFor(columns []k8s.Column) healthRules {
	r := healthRules{status: -1, ready: -1, desired: -1, completions: -1, typ: -1, memLimit: -1}
	for i, c := range columns {
		switch strings.ToLower(c.Name) {
		case "status", "phase":
			if r.status < 0 {
				r.status = i
			}
		case "ready":
			r.ready = i
		case "desired":
			r.desired = i
		case "completions":
			r.completions = i
		case "type":
			r.typ = i
		case "%mem/l":
			r.memLimit = i
		}
	}
	return r
}

// RowHealth decides a row's state from its cells; see Health and the
// README's rules.
func RowHealth(columns []k8s.Column, row k8s.Row) Health {
	return rulesFor(columns).health(row.Cells)
}

func (r healthRules) health(cells []k8s.Cell) Health {
	cell := func(i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return cells[i].Text
	}
	h := HealthFine
	raise := func(to Health) {
		h = max(h, to)
	}
	if s := cell(r.status); s != "" {
		raise(statusHealth(s))
	}
	if cell(r.typ) == "Warning" {
		raise(HealthFailing) // an event
	}
	if pct, ok := leadingInt(cell(r.memLimit)); ok && pct >= memLimitFailing {
		raise(HealthFailing) // about to be OOM-killed
	}
	if h == HealthFailing || h == HealthDone {
		return h
	}
	// READY a/b (pods, deployments, statefulsets) or READY against
	// DESIRED (replicasets, daemonsets): fewer ready than wanted.
	if ready := cell(r.ready); ready != "" {
		if a, b, ok := fraction(ready); ok && a < b {
			raise(HealthInProgress)
		} else if want, ok := leadingInt(cell(r.desired)); ok {
			if have, ok := leadingInt(ready); ok && have < want {
				raise(HealthInProgress)
			}
		}
	}
	// A Job of a server without its STATUS column: COMPLETIONS a/b.
	if r.status < 0 {
		if a, b, ok := fraction(cell(r.completions)); ok && a >= b && b > 0 {
			raise(HealthDone)
		}
	}
	return h
}

// statusHealth reads a STATUS cell: "CrashLoopBackOff", "Init:0/2",
// "Init:ErrImagePull", "Ready,SchedulingDisabled", "Terminating".
func statusHealth(s string) Health {
	h := HealthFine
	for _, part := range strings.Split(s, ",") {
		word := strings.ToLower(strings.TrimSpace(part))
		if rest, ok := strings.CutPrefix(word, "init:"); ok {
			word = rest
			if _, _, ok := fraction(rest); ok {
				h = max(h, HealthInProgress)
				continue
			}
			if !failingStates[word] {
				h = max(h, HealthInProgress) // another init reason: still starting
				continue
			}
		}
		switch {
		case failingStates[word], strings.HasPrefix(word, "signal:"), strings.HasPrefix(word, "exitcode:"):
			h = max(h, HealthFailing)
		case progressStates[word]:
			h = max(h, HealthInProgress)
		case doneStates[word]:
			h = max(h, HealthDone)
		}
	}
	return h
}

// fraction reads "a/b".
func fraction(s string) (a, b int, ok bool) {
	x, y, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.Atoi(x)
	b, err2 := strconv.Atoi(y)
	return a, b, err1 == nil && err2 == nil
}

// leadingInt reads the number a cell starts with: "17 (5m ago)" is 17.
func leadingInt(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 18 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:i])
	return n, err == nil
}
