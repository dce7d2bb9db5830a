package model

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kfsui/kfsui/k8s"
)

// DefaultContainerAnnotation names the container kubectl picks by default;
// its log is listed first.
const DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// Read fetches leaf p with a GET (never from a cache) and renders it.
// Safe from any goroutine; it blocks for the requests.
func (fs *FS) Read(ctx context.Context, p Path) (Leaf, error) {
	switch {
	case p.IsHelm() && p.Kind == KindLeaf:
		return fs.readHelmLeaf(ctx, p)
	case p.IsHelm() && p.Kind == KindRevision:
		return fs.readHelmDiff(ctx, p)
	case p.Kind == KindLeaf:
	case p.Kind == KindLog:
		return fs.readLog(ctx, p)
	case p.Kind == KindRevision:
		return fs.readRevision(ctx, p)
	default:
		return Leaf{}, fmt.Errorf("%s: is a directory", p)
	}
	t, err := fs.TypeOf(p)
	if err != nil {
		return Leaf{}, err
	}
	switch p.Leaf {
	case LeafDescribe:
		return fs.describe(ctx, p, t)
	case LeafTree:
		return fs.ownerTree(ctx, p, t)
	}
	obj, err := fs.src.Get(ctx, t, p.Namespace, p.Name)
	if err != nil {
		return Leaf{}, err
	}
	if p.Leaf == LeafEvents {
		events, err := fs.src.EventsFor(ctx, obj, t.Kind)
		if err != nil {
			return Leaf{}, err
		}
		return Leaf{Path: p, Format: FormatEvents, Text: EventsTable(events, fs.now()), ModTime: ObjectTime(obj)}, nil
	}
	return fs.RenderLeaf(p, t, obj)
}

// FromObject lists the leaves RenderLeaf makes from an object alone,
// with no request of their own.
var FromObject = []string{LeafManifestYAML, LeafManifestNeat, LeafManifestJSON, LeafStatus}

// RenderLeaf renders leaf p (one of FromObject) of obj, an object of
// type t as a GET or a LIST returned it: a Secret's values are masked
// unless revealed. Safe from any goroutine; obj is not changed.
func (fs *FS) RenderLeaf(p Path, t k8s.Type, obj *unstructured.Unstructured) (Leaf, error) {
	leaf := Leaf{Path: p, ModTime: ObjectTime(obj)} // the object's, which Neat takes away
	if p.Leaf == LeafManifestNeat {
		obj = Neat(obj) // before masking: the defaults are checked on the values as stored
	}
	if t.IsCore("secrets") {
		obj = maskSecret(obj, fs.revealSecrets.Load())
	}
	var err error
	switch p.Leaf {
	case LeafManifestYAML, LeafManifestNeat:
		leaf.Text, err = ManifestYAML(obj)
	case LeafManifestJSON:
		leaf.Format = FormatJSON
		leaf.Text, err = ManifestJSON(obj)
	case LeafStatus:
		leaf.Text, err = StatusYAML(obj)
	default:
		return Leaf{}, fmt.Errorf("%s: not made from the object alone", p)
	}
	if err != nil {
		return Leaf{}, err
	}
	return leaf, nil
}

// ObjectTime is when obj last changed as far as it tells: the latest of
// its creation, its managed fields' times and its deletion. Zero when it
// tells nothing.
func ObjectTime(obj *unstructured.Unstructured) time.Time {
	t := obj.GetCreationTimestamp().Time
	for _, m := range obj.GetManagedFields() {
		if m.Time != nil && m.Time.After(t) {
			t = m.Time.Time
		}
	}
	if d := obj.GetDeletionTimestamp(); d != nil && d.After(t) {
		t = d.Time
	}
	return t
}

// pod reads the pod whose logs p is about: the pod p is below, or, below
// a workload, the pod p.Pod, which the workload must own now.
func (fs *FS) pod(ctx context.Context, p Path) (*corev1.Pod, error) {
	t, err := fs.TypeOf(p)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Pod != "":
		if err := fs.checkOwned(ctx, p); err != nil {
			return nil, err
		}
		if t, _ = fs.servedType("", "pods"); !t.IsCore("pods") {
			return nil, fmt.Errorf("%s: the server serves no pods", p)
		}
	case !t.IsCore("pods"):
		return nil, fmt.Errorf("%w: %s: only pods have logs", ErrNoSuchPath, p)
	}
	obj, err := fs.src.Get(ctx, t, p.Namespace, p.PodName())
	if err != nil {
		return nil, err
	}
	var pod corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &pod); err != nil {
		return nil, fmt.Errorf("%s: reading pod: %w", p, err)
	}
	return &pod, nil
}

func (fs *FS) readLogsDir(ctx context.Context, p Path) (Dir, error) {
	d := Dir{Path: p}
	pod, err := fs.pod(ctx, p)
	if err != nil {
		return d, err
	}
	for _, c := range Containers(pod) {
		d.Entries = append(d.Entries, fileEntry(p, c+logSuffix))
	}
	return d, nil
}

// Containers returns the names of pod's containers in the order its logs
// are listed: spec.containers with the default container (by annotation)
// first, then init containers, then ephemeral containers.
func Containers(pod *corev1.Pod) []string {
	var out []string
	def := pod.Annotations[DefaultContainerAnnotation]
	for _, c := range pod.Spec.Containers {
		if c.Name == def {
			out = append(out, c.Name)
		}
	}
	for _, c := range pod.Spec.Containers {
		if c.Name != def {
			out = append(out, c.Name)
		}
	}
	for _, c := range pod.Spec.InitContainers {
		out = append(out, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		out = append(out, c.Name)
	}
	valid := out[:0]
	for _, c := range out {
		if CheckSegment(c) == nil {
			valid = append(valid, c)
		}
	}
	return valid
}

// LogTarget checks that log leaf p names a container of a pod that
// exists (and, below a workload, that the workload owns the pod) and
// returns whose log it is. Safe from any goroutine; it GETs the pod.
func (fs *FS) LogTarget(ctx context.Context, p Path) (k8s.LogTarget, error) {
	if p.Kind != KindLog {
		return k8s.LogTarget{}, fmt.Errorf("%s: not a log", p)
	}
	pod, err := fs.pod(ctx, p)
	if err != nil {
		return k8s.LogTarget{}, err
	}
	if !slices.Contains(Containers(pod), p.Container) {
		return k8s.LogTarget{}, fmt.Errorf("%w: %s: pod %q has no container %q", ErrNoSuchPath, p, p.PodName(), p.Container)
	}
	return k8s.LogTarget{Namespace: p.Namespace, Pod: p.PodName(), Container: p.Container}, nil
}

// LogTailLines is how many lines a log leaf reads.
func (fs *FS) LogTailLines() int64 { return fs.logTailLines }

// readLog reads the last lines of a container's log once. Live following is
// the log pane's job; this is what `kfsui cat` prints.
func (fs *FS) readLog(ctx context.Context, p Path) (Leaf, error) {
	target, err := fs.LogTarget(ctx, p)
	if err != nil {
		return Leaf{}, err
	}
	rc, err := fs.src.Logs(ctx, target.Namespace, target.Pod, k8s.LogOptions{Container: target.Container, TailLines: fs.logTailLines})
	if err != nil {
		return Leaf{}, err
	}
	defer rc.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, rc); err != nil {
		return Leaf{}, err
	}
	return Leaf{Path: p, Text: b.String(), Format: FormatLog}, nil
}

// describe reads describe.txt: kubectl describe's text, with a
// service-account token masked as kubectl masks every other Secret
// value ("N bytes"), unless Secrets are revealed.
func (fs *FS) describe(ctx context.Context, p Path, t k8s.Type) (Leaf, error) {
	text, err := fs.src.Describe(ctx, t, p.Namespace, p.Name)
	if err != nil {
		return Leaf{}, err
	}
	if t.IsCore("secrets") && !fs.revealSecrets.Load() {
		text = maskDescribedToken(text)
	}
	return Leaf{Path: p, Text: text, Format: FormatText}, nil
}

// describedToken is the line kubectl's Secret describer prints a
// service-account token on, in the clear: the only value it shows.
var (
	describedToken = regexp.MustCompile(`(?m)^(token:\s+)(\S+)$`)
	saTokenType    = regexp.MustCompile(`(?m)^Type:\s+kubernetes\.io/service-account-token$`)
)

// maskDescribedToken replaces the token of a described
// kubernetes.io/service-account-token Secret with its size.
func maskDescribedToken(text string) string {
	if !saTokenType.MatchString(text) {
		return text
	}
	return describedToken.ReplaceAllStringFunc(text, func(line string) string {
		m := describedToken.FindStringSubmatch(line)
		return m[1] + fmt.Sprintf("%d bytes", len(m[2]))
	})
}
