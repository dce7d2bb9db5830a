package testcluster_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kfsui/kfsui/internal/testcluster"
)

func TestMain(m *testing.M) { os.Exit(testcluster.RunMain(m)) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestServerRunsPinnedVersion(t *testing.T) {
	c := testcluster.Shared(t)
	info, err := c.Clientset().Discovery().ServerVersion()
	if err != nil {
		t.Fatalf("ServerVersion: %v", err)
	}
	if info.GitVersion != testcluster.Version {
		t.Errorf("server reports version %q, want the pinned %q (kube-apiserver must be built with the version stamped into k8s.io/component-base/version)",
			info.GitVersion, testcluster.Version)
	}
}

func TestKubectlListsDefaultNamespace(t *testing.T) {
	c := testcluster.Shared(t)
	out, err := c.Kubectl(testContext(t), "get", "ns", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(string(out))
	if !slices.Contains(names, "namespace/default") {
		t.Errorf("kubectl get ns -o name = %q, want it to include namespace/default", names)
	}
}

func TestKubectlErrorIncludesStderr(t *testing.T) {
	c := testcluster.Shared(t)
	_, err := c.Kubectl(testContext(t), "get", "configmap", "no-such-configmap", "-n", "default")
	if err == nil || !strings.Contains(err.Error(), `"no-such-configmap" not found`) {
		t.Errorf("Kubectl error = %v, want kubectl's NotFound message from stderr", err)
	}
}

func TestUserWithoutBindingsIsForbidden(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	path, err := c.WriteUserKubeconfig("alice", []string{"qa", "devs"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if raw.CurrentContext != "dev" {
		t.Errorf("current context = %q, want dev", raw.CurrentContext)
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*raw, nil).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	// The certificate must authenticate as alice in her groups, or the
	// Forbidden below could come from the wrong identity.
	review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("SelfSubjectReview as alice: %v", err)
	}
	who := review.Status.UserInfo
	if who.Username != "alice" || !slices.Contains(who.Groups, "qa") || !slices.Contains(who.Groups, "devs") {
		t.Errorf("alice's kubeconfig authenticates as %q in %q, want alice in qa and devs", who.Username, who.Groups)
	}

	_, err = cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("listing namespaces as alice: err = %v, want Forbidden", err)
	}
}

func TestSeedDemoIsRepeatable(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	for i := range 2 {
		if err := testcluster.SeedDemo(ctx, c); err != nil {
			t.Fatalf("SeedDemo run %d: %v", i+1, err)
		}
	}

	dyn, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	widgets, err := dyn.Resource(schema.GroupVersionResource{Group: "example.io", Version: "v1", Resource: "widgets"}).
		Namespace("team-a").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing widgets: %v", err)
	}
	var names []string
	for _, w := range widgets.Items {
		names = append(names, w.GetName())
	}
	if want := []string{"alpha", "beta", "gamma"}; !slices.Equal(names, want) {
		t.Errorf("widgets in team-a = %q, want %q", names, want)
	}

	// The Helm release was installed and upgraded once, not again.
	records, err := c.Clientset().CoreV1().Secrets("team-a").List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=" + testcluster.DemoRelease})
	if err != nil {
		t.Fatal(err)
	}
	var revisions []string
	for _, r := range records.Items {
		revisions = append(revisions, r.Labels["version"]+":"+r.Labels["status"])
	}
	slices.Sort(revisions)
	if want := []string{"1:superseded", "2:deployed"}; !slices.Equal(revisions, want) {
		t.Errorf("release %s's revisions = %q, want %q", testcluster.DemoRelease, revisions, want)
	}

	// kubectl resolves the short name through discovery, as a user would.
	out, err := c.Kubectl(ctx, "get", "wd", "-n", "team-a", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(out)); len(got) != 3 {
		t.Errorf("kubectl get wd = %q, want 3 widgets", got)
	}

	web, err := c.Clientset().AppsV1().Deployments("team-a").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	events, err := c.Clientset().CoreV1().Events("team-a").List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.uid=" + string(web.UID),
	})
	if err != nil {
		t.Fatal(err)
	}
	var warnings []corev1.Event
	scaled := 0
	for _, ev := range events.Items {
		if ev.Type == corev1.EventTypeWarning {
			warnings = append(warnings, ev)
		}
		if ev.Reason == "ScalingReplicaSet" && ev.Source.Component == "deployment-controller" {
			scaled++
		}
	}
	if len(warnings) != 1 || scaled < 2 {
		t.Fatalf("events about Deployment web: %d ScalingReplicaSet from the controller, %d warnings; want both rollouts' and 1 warning", scaled, len(warnings))
	}
	if w := warnings[0]; w.Count != 3 || !w.FirstTimestamp.Before(&w.LastTimestamp) {
		t.Errorf("warning count %d, first %v, last %v; want count 3 and first before last", w.Count, w.FirstTimestamp, w.LastTimestamp)
	}
}

// TestSeedDemoRollsOut checks that the controllers, the scheduler and the
// fake node really run the demo: web went through two rollouts, each a
// ReplicaSet it owns with its revision and change-cause, and its pods run
// the new image.
func TestSeedDemoRollsOut(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	if err := testcluster.SeedDemo(ctx, c); err != nil {
		t.Fatal(err)
	}
	cs := c.Clientset()
	web, err := cs.AppsV1().Deployments("team-a").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := web.Annotations["deployment.kubernetes.io/revision"]; got != "2" {
		t.Errorf("web at revision %q, want 2", got)
	}
	rss, err := cs.AppsV1().ReplicaSets("team-a").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]string{}
	for _, rs := range rss.Items {
		if owner := metav1.GetControllerOf(&rs); owner == nil || owner.UID != web.UID {
			t.Errorf("ReplicaSet %s is not controlled by web: %v", rs.Name, owner)
		}
		rev := rs.Annotations["deployment.kubernetes.io/revision"]
		images[rev] = rs.Spec.Template.Spec.Containers[0].Image
		if rs.Annotations["kubernetes.io/change-cause"] == "" {
			t.Errorf("ReplicaSet %s (revision %s) has no change-cause", rs.Name, rev)
		}
	}
	if want := map[string]string{"1": "nginx:1.27", "2": "nginx:1.28"}; !maps.Equal(images, want) {
		t.Errorf("web's ReplicaSets by revision: %v, want %v", images, want)
	}
	pods, err := cs.CoreV1().Pods("team-a").List(ctx, metav1.ListOptions{LabelSelector: "app=web,pod-template-hash"})
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && p.Spec.Containers[0].Image == "nginx:1.28" &&
			len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].Ready {
			running++
		}
	}
	if running != 2 {
		t.Errorf("%d of web's pods run nginx:1.28 and are ready, want 2 (of %d)", running, len(pods.Items))
	}
}

// TestNodeFinishesDeletedPods checks what the fake node does with a pod
// deleted gracefully: it goes (a kubelet confirms with grace period 0) and
// its container's log stream ends.
func TestNodeFinishesDeletedPods(t *testing.T) {
	c := testcluster.Shared(t)
	ctx := testContext(t)
	ns, pod := logPod(t, c, "app")
	c.Kubelet().Write(ns, pod, "app", "before")
	rc, err := openLogs(ctx, c, ns, pod, &corev1.PodLogOptions{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	f := follow(rc)
	f.expect(t, "before\n")
	if err := c.Clientset().CoreV1().Pods(ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.expectEnd(t); err != nil {
		t.Errorf("follow of a deleted pod's log: %v", err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.Clientset().CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Errorf("pod deleted with the default grace period still there: %v", err)
	}
}

func TestStartFailureQuotesAPIServerLog(t *testing.T) {
	testcluster.Shared(t) // skip with the others under KFSUI_SKIP_E2E
	t.Parallel()
	c, err := testcluster.Start(testContext(t), testcluster.Options{
		Dir:           t.TempDir(),
		APIServerArgs: []string{"--no-such-flag"},
	})
	if err == nil {
		c.Stop()
		t.Fatal("Start succeeded with an unknown kube-apiserver flag")
	}
	if !strings.Contains(err.Error(), "unknown flag: --no-such-flag") {
		t.Errorf("Start error does not quote kube-apiserver's complaint:\n%v", err)
	}
}
