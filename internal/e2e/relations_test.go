package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/themes"
)

// rollOut creates (or updates to image) Deployment name in ns with
// replicas pods of one container "app", and waits until the controllers
// and the node have rolled it out: every replica updated and available,
// no old pod left. It returns the Deployment as stored then.
func rollOut(t testing.TB, ns, name, image string, replicas int32, cause string) *appsv1.Deployment {
	t.Helper()
	deps := testcluster.Shared(t).Clientset().AppsV1().Deployments(ns)
	dep, err := deps.Get(ctx(t), name, metav1.GetOptions{})
	labels := map[string]string{"app": name}
	switch {
	case err == nil:
		dep.Spec.Template.Spec.Containers[0].Image = image
		dep.Spec.Replicas = &replicas
		dep.Annotations["kubernetes.io/change-cause"] = cause
		_, err = deps.Update(ctx(t), dep, metav1.UpdateOptions{})
	default:
		_, err = deps.Create(ctx(t), &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: map[string]string{"kubernetes.io/change-cause": cause}},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
				},
			},
		}, metav1.CreateOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	var last string
	eventually(t, "Deployment "+name+" to roll out "+image, 60*time.Second, func() bool {
		dep, err = deps.Get(ctx(t), name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false
		}
		st := dep.Status
		last = fmt.Sprintf("generation %d, status %+v", dep.Generation, st)
		return st.ObservedGeneration >= dep.Generation && st.UpdatedReplicas == replicas &&
			st.Replicas == replicas && st.AvailableReplicas == replicas && len(podsOf(t, ns, name, false)) == int(replicas)
	}, func() string { return last })
	return dep
}

// podsOf returns the names of the pods of Deployment app in ns, those
// being deleted too if all.
func podsOf(t testing.TB, ns, app string, all bool) []string {
	t.Helper()
	pods, err := testcluster.Shared(t).Clientset().CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pods.Items {
		if all || p.DeletionTimestamp == nil {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return out
}

// replicaSetsOf returns Deployment app's ReplicaSets by name, with their
// revision annotation.
func replicaSetsOf(t *testing.T, ns, app string) map[string]string {
	t.Helper()
	rss, err := testcluster.Shared(t).Clientset().AppsV1().ReplicaSets(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, rs := range rss.Items {
		out[rs.Name] = rs.Annotations["deployment.kubernetes.io/revision"]
	}
	return out
}

// treeLine is one object line of tree.txt: its depth (where its kind
// starts in the NAME column), kind/name and cells, and whether it is
// marked as the tree's own object.
type treeLine struct {
	depth                 int
	object, ready, status string
	self                  bool
}

// parseTree reads tree.txt's object lines by the header's columns.
func parseTree(t *testing.T, text string) []treeLine {
	t.Helper()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "NAMESPACE") {
		t.Fatalf("tree.txt has no header:\n%s", text)
	}
	col := func(name string) int { return len([]rune(lines[0][:strings.Index(lines[0], name)])) }
	nameAt, readyAt, statusAt, ageAt := col("NAME "), col("READY"), col("STATUS"), col("AGE")
	cut := func(r []rune, from, to int) string {
		from, to = min(from, len(r)), min(to, len(r))
		return strings.TrimSpace(string(r[from:to]))
	}
	var out []treeLine
	for _, l := range lines[1:] {
		if l == "" {
			break
		}
		r := []rune(l)
		name := []rune(strings.TrimRight(string(r[nameAt:min(readyAt, len(r))]), " "))
		depth := 0
		for depth < len(name) && strings.ContainsRune("├└│─ ", name[depth]) {
			depth++
		}
		out = append(out, treeLine{depth: depth, object: string(name[depth:]), ready: cut(r, readyAt, statusAt),
			status: cut(r, statusAt, ageAt), self: strings.HasSuffix(l, "◀")})
	}
	return out
}

// TestE2ETreeShowsWhatTheControllersMade reads tree.txt of a Deployment
// that went through two rollouts: the ReplicaSets and pods the real
// controllers made, with kubectl's READY and STATUS, nested by owner; and
// of one of its pods, whose chain goes up to the Deployment. In the TUI,
// Enter on a pod's line of tree.txt goes to the pod.
func TestE2ETreeShowsWhatTheControllersMade(t *testing.T) {
	ns := newNamespace(t, "tree")
	rollOut(t, ns, "web", "busybox:1.36", 2, "first")
	rollOut(t, ns, "web", "busybox:1.37", 3, "second")
	rss := replicaSetsOf(t, ns, "web")
	pods := podsOf(t, ns, "web", false)
	if len(rss) != 2 || len(pods) != 3 {
		t.Fatalf("after two rollouts: ReplicaSets %v, pods %v", rss, pods)
	}

	leaf := "/namespaces/" + ns + "/deployments/web/tree.txt"
	out, errOut, code := kfsui(t, "cat", leaf)
	if code != 0 {
		t.Fatalf("cat %s: exit %d: %s", leaf, code, errOut)
	}
	lines := parseTree(t, out)
	var gotRS, gotPods []string
	for i, l := range lines {
		switch {
		case i == 0:
			if l.object != "Deployment/web" || !l.self || l.ready != "3/3" {
				t.Errorf("first line %+v, want Deployment/web, marked, READY 3/3", l)
			}
		case strings.HasPrefix(l.object, "ReplicaSet/"):
			gotRS = append(gotRS, strings.TrimPrefix(l.object, "ReplicaSet/"))
			if l.depth <= lines[0].depth {
				t.Errorf("%s not below the Deployment:\n%s", l.object, out)
			}
		case strings.HasPrefix(l.object, "Pod/"):
			gotPods = append(gotPods, strings.TrimPrefix(l.object, "Pod/"))
			if prev := lines[i-1]; l.depth <= lines[1].depth || l.ready != "1/1" || l.status != "Running" {
				t.Errorf("pod line %+v (after %+v) is not a running pod below a ReplicaSet:\n%s", l, prev, out)
			}
		default:
			t.Errorf("unexpected line %+v:\n%s", l, out)
		}
	}
	slices.Sort(gotRS)
	if want := slices.Sorted(func(yield func(string) bool) {
		for n := range rss {
			if !yield(n) {
				return
			}
		}
	}); !slices.Equal(gotRS, want) {
		t.Errorf("ReplicaSets in tree.txt %v, the controller made %v:\n%s", gotRS, want, out)
	}
	slices.Sort(gotPods)
	if !slices.Equal(gotPods, pods) {
		t.Errorf("pods in tree.txt %v, the controllers run %v:\n%s", gotPods, pods, out)
	}

	// From a pod: the chain up to the Deployment, the pod marked.
	podLeaf := "/namespaces/" + ns + "/pods/" + pods[0] + "/tree.txt"
	out, _, _ = kfsui(t, "cat", podLeaf)
	lines = parseTree(t, out)
	if lines[0].object != "Deployment/web" {
		t.Errorf("tree.txt of a pod starts at %s, want its Deployment:\n%s", lines[0].object, out)
	}
	marked := slices.IndexFunc(lines, func(l treeLine) bool { return l.self })
	if marked < 0 || lines[marked].object != "Pod/"+pods[0] {
		t.Errorf("tree.txt of %s marks line %d:\n%s", pods[0], marked, out)
	}

	// The TUI: Enter on a pod's line goes to the pod.
	d := startApp(t, leaf)
	d.waitSelected(leaf, 10*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(30*time.Second, "Pod/"+pods[0])
	d.key(tcell.KeyTab) // to the viewer
	target := ""
	for range 8 {
		d.app.QueueUpdateDraw(func() { target = d.app.Viewer().Link() })
		if strings.Contains(target, "/pods/") {
			break
		}
		d.key(tcell.KeyDown)
	}
	if !strings.Contains(target, "/pods/") {
		t.Fatalf("no pod line selected after moving down; last link %q:\n%s", target, d.text())
	}
	d.key(tcell.KeyEnter)
	d.waitSelected(target, 10*time.Second)
	d.quit()
}

// TestE2ERevisionsMatchKubectl rolls a Deployment out three times and
// reads its revisions: each <N>.yaml is what the pinned `kubectl rollout
// history --revision=N -o yaml` prints, each <N>.diff shows exactly the
// image change with the change-cause, and in the TUI the open revisions
// directory gains the next revision when the cluster makes it, and a diff
// is drawn in the theme's diff colors.
func TestE2ERevisionsMatchKubectl(t *testing.T) {
	c := testcluster.Shared(t)
	ns := newNamespace(t, "revisions")
	rollOut(t, ns, "api", "busybox:1.35", 1, "first release")
	rollOut(t, ns, "api", "busybox:1.36", 1, "kubectl set image deployment/api app=busybox:1.36")

	dir := "/namespaces/" + ns + "/deployments/api/revisions"
	out, errOut, code := kfsui(t, "ls", dir)
	if code != 0 || out != "1.yaml\n1.diff\n2.yaml\n2.diff\n" {
		t.Errorf("ls %s = %q, exit %d, %s", dir, out, code, errOut)
	}
	for _, n := range []string{"1", "2"} {
		want, err := c.Kubectl(ctx(t), "-n", ns, "rollout", "history", "deployment/api", "--revision="+n, "-o", "yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _ := kfsui(t, "cat", dir+"/"+n+".yaml"); got != string(want) {
			t.Errorf("%s.yaml differs from kubectl rollout history --revision=%s -o yaml\n--- kfsui\n%s--- kubectl\n%s", n, n, got, want)
		}
	}
	diff, _, _ := kfsui(t, "cat", dir+"/2.diff")
	var changed []string
	for _, l := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			changed = append(changed, l)
		}
	}
	if want := []string{"-  - image: busybox:1.35", "+  - image: busybox:1.36"}; !slices.Equal(changed, want) {
		t.Errorf("2.diff changes %q, want exactly the image:\n%s", changed, diff)
	}
	if !strings.Contains(diff, "change-cause: kubectl set image deployment/api app=busybox:1.36") {
		t.Errorf("2.diff lacks the change-cause:\n%s", diff)
	}
	if _, errOut, code := kfsui(t, "cat", dir+"/7.yaml"); code != 1 || !strings.Contains(errOut, "no revision 7") {
		t.Errorf("cat of a revision not kept: exit %d, %q", code, errOut)
	}
	if _, errOut, code := kfsui(t, "ls", "/namespaces/"+ns+"/configmaps/kube-root-ca.crt/revisions"); code != 1 || !strings.Contains(errOut, "only Deployments") {
		t.Errorf("revisions of a ConfigMap: exit %d, %q", code, errOut)
	}

	// The TUI: the open directory follows a third rollout; a diff is
	// colored.
	d := startApp(t, dir)
	d.waitSelected(dir, 10*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, "2.diff")
	rollOut(t, ns, "api", "busybox:1.37", 1, "third")
	d.waitText(10*time.Second, "3.diff", "3.yaml")
	d.jump(dir + "/3.diff")
	d.waitText(10*time.Second, "+  - image: busybox:1.37")
	if got, want := d.colorOf("+  - image: busybox:1.37"), themes.Dark().Added; got != want {
		t.Errorf("an added line of 3.diff is drawn in %v, want the theme's Added %v", got, want)
	}
	d.quit()
}

// TestE2EWorkloadLogsFollowPods checks a Deployment's logs/: a directory
// per pod it owns, tailed merged by time with pod/container prefixes, and
// opened with Enter into one pane that follows a pod added by scaling up
// and marks the end of a deleted one; `kfsui tail -f` of it does the same.
func TestE2EWorkloadLogsFollowPods(t *testing.T) {
	c := testcluster.Shared(t)
	k := c.Kubelet()
	ns := newNamespace(t, "wlogs")
	rollOut(t, ns, "shop", "busybox:1.36", 2, "first")
	pods := podsOf(t, ns, "shop", false)
	dir := "/namespaces/" + ns + "/deployments/shop/logs"
	out, errOut, code := kfsui(t, "ls", dir)
	if want := pods[0] + "/\n" + pods[1] + "/\n"; code != 0 || out != want {
		t.Fatalf("ls %s = %q, exit %d, %s; want %q", dir, out, code, errOut, want)
	}
	base := time.Now().Add(-time.Minute)
	k.WriteAt(ns, pods[1], "app", base, "one from the second pod")
	k.WriteAt(ns, pods[0], "app", base.Add(time.Second), "two from the first pod")
	k.WriteAt(ns, pods[1], "app", base.Add(2*time.Second), "three from the second pod")
	out, errOut, code = kfsui(t, "tail", dir)
	want := pods[1] + "/app one from the second pod\n" + pods[0] + "/app two from the first pod\n" + pods[1] + "/app three from the second pod\n"
	if code != 0 || out != want {
		t.Errorf("tail %s =\n%s(exit %d, %s)\nwant\n%s", dir, out, code, errOut, want)
	}
	if out, _, _ := kfsui(t, "cat", dir+"/"+pods[0]+"/app.log"); out != "two from the first pod\n" {
		t.Errorf("cat of a pod's log below the Deployment = %q", out)
	}
	if _, errOut, code := kfsui(t, "cat", dir+"/not-a-pod-of-shop/app.log"); code != 1 || !strings.Contains(errOut, "owns no pod") {
		t.Errorf("cat of a pod the Deployment does not own: exit %d, %q", code, errOut)
	}

	// tail -f follows the pods as they come.
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- mainWith(&stdout, &stderr, "--kubeconfig", c.KubeconfigPath, "tail", "-f", "--tail", "0", dir)
	}()
	eventually(t, "tail -f following both pods", 10*time.Second, func() bool {
		return k.OpenStreams(ns, pods[0], "app") == 1 && k.OpenStreams(ns, pods[1], "app") == 1
	}, stderr.String)

	// The TUI: Enter on the directory opens one pane.
	d := startApp(t, dir)
	d.waitSelected(dir, 10*time.Second)
	d.key(tcell.KeyEnter)
	d.waitText(10*time.Second, pods[0]+"/app two from the first pod", "2 sources")

	rollOut(t, ns, "shop", "busybox:1.36", 3, "scaled up")
	added := slices.DeleteFunc(podsOf(t, ns, "shop", false), func(p string) bool { return slices.Contains(pods, p) })
	if len(added) != 1 {
		t.Fatalf("scaling up added pods %v", added)
	}
	eventually(t, "the new pod followed", 15*time.Second, func() bool { return k.OpenStreams(ns, added[0], "app") == 2 },
		func() string {
			return fmt.Sprintf("%d streams; screen:\n%s", k.OpenStreams(ns, added[0], "app"), d.text())
		})
	k.Write(ns, added[0], "app", "hello from the new pod")
	d.waitText(10*time.Second, added[0]+"/app hello from the new pod", "3 sources")
	waitOutput(t, &stdout, added[0]+"/app hello from the new pod\n")

	deletePodNow(t, ns, pods[0])
	d.waitText(15*time.Second, pods[0]+"/app ── ended: pod deleted ──")
	eventually(t, "tail -f saying the deleted pod's stream ended", 15*time.Second,
		func() bool { return strings.Contains(stderr.String(), pods[0]+"/app: stream ended: pod deleted") }, stderr.String)
	d.quit()
	if err := c.Clientset().AppsV1().Deployments(ns).Delete(ctx(t), "shop", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stderr.String(), "deployments/shop: deleted") {
			t.Errorf("tail -f after the Deployment went: exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("tail -f of a deleted Deployment's logs did not end")
	}
	if strings.Contains(stdout.String(), "from the first pod") {
		t.Errorf("tail -f --tail 0 printed history:\n%s", stdout.String())
	}
}
