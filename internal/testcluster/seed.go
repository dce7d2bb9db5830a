package testcluster

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// crdTimeout bounds the wait for the Widget CRD to be served.
const crdTimeout = 30 * time.Second

// SeedDemo fills a cluster with a small, varied set of objects for a demo or
// a newcomer to click through: namespaces team-a and team-b with
// Deployments, a Service, ConfigMaps, a Secret and a Pod; Events about
// Deployment web, one a repeated Warning; a custom resource (kind Widget in
// example.io, short name wd) with three objects; and a ClusterRole.
//
// The controllers run the Deployments: team-a/web rolls out nginx:1.27 and
// then nginx:1.28, so it has two ReplicaSets and rollout revisions 1 and
// 2, each with a change-cause; team-b/api runs one pod. SeedDemo returns
// once both rollouts completed.
//
// Two bare pods run on the fake node with logs: team-a/chatty-0
// (containers app and sidecar, init container init) and team-b/api-0
// (container api), each container with a few hundred lines of history
// over the last hour; chatty-0's app crashed once, so it has a previous
// log and a restart. RunDemoChatter keeps them logging, and the
// Deployments' pods too. Pod web-0 runs with empty logs.
//
// A Helm release, team-a/shop (DemoRelease), is installed with the Helm
// SDK and upgraded once, so it has revisions 1 and 2.
//
// Objects that already exist are left as they are, so SeedDemo can run
// again on a seeded cluster. It takes the Cluster, not just a client
// configuration, because the demo's logs live in its fake kubelet. Safe
// from any goroutine.
func SeedDemo(ctx context.Context, c *Cluster) error {
	cfg := c.RESTConfig()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	// The CRD and its objects go through the dynamic client as
	// unstructured objects, so the harness needs no apiextensions client.
	s := seeder{
		cluster:    c,
		cs:         cs,
		crds:       dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}),
		widgetsAPI: dyn.Resource(schema.GroupVersionResource{Group: "example.io", Version: "v1", Resource: "widgets"}),
	}
	for _, step := range []func(context.Context) error{
		s.namespaces,
		s.teamA,
		s.teamB,
		s.clusterRole,
		s.widgets,
		s.logPods,
		s.helmRelease,
	} {
		if err := step(ctx); err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
	}
	return nil
}

// seeder holds SeedDemo's clients across its steps.
type seeder struct {
	cluster    *Cluster
	cs         kubernetes.Interface
	crds       dynamic.NamespaceableResourceInterface
	widgetsAPI dynamic.NamespaceableResourceInterface
}

// create runs fn, which creates one object, and treats AlreadyExists as
// success, which is what makes seeding repeatable. kind and name name the
// object in errors.
func create(ctx context.Context, kind, name string, fn func(context.Context) error) error {
	if err := fn(ctx); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s %s: %w", kind, name, err)
	}
	return nil
}

func (s seeder) namespaces(ctx context.Context) error {
	for _, name := range []string{"team-a", "team-b"} {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"team": name}}}
		err := create(ctx, "Namespace", name, func(ctx context.Context) error {
			_, err := s.cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s seeder) teamA(ctx context.Context) error {
	const ns = "team-a"
	labels := map[string]string{"app": "web", "tier": "frontend"}
	dep := deployment(ns, "web", labels, "nginx:1.27", 2)
	dep.Annotations = map[string]string{"kfsui.example/owner": "team-a@example.com"}
	dep.Annotations[changeCause] = "first release of web"
	web, err := s.createOrGetDeployment(ctx, dep)
	if err != nil {
		return err
	}
	if web, err = s.upgradeWeb(ctx, web); err != nil {
		return err
	}

	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, Labels: labels},
		Spec: corev1.ServiceSpec{
			Selector: labels,
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}},
		},
	}
	err = create(ctx, "Service", ns+"/web", func(ctx context.Context) error {
		_, err := s.cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	err = s.configMap(ctx, ns, "web-config", map[string]string{
		"nginx.conf": "server {\n  listen 8080;\n  location / { root /usr/share/nginx/html; }\n}\n",
		"LOG_LEVEL":  "info",
	})
	if err != nil {
		return err
	}
	err = s.configMap(ctx, ns, "feature-flags", map[string]string{
		"dark-mode": "true", "new-checkout": "false", "beta-banner": "true",
	})
	if err != nil {
		return err
	}
	if err := s.secret(ctx, ns, "web-tls"); err != nil {
		return err
	}
	if err := s.pod(ctx, ns); err != nil {
		return err
	}
	return s.events(ctx, web)
}

func (s seeder) teamB(ctx context.Context) error {
	const ns = "team-b"
	dep := deployment(ns, "api", map[string]string{"app": "api", "tier": "backend"}, "busybox:1.36", 1)
	dep.Spec.Template.Spec.Containers[0].Command = []string{"sh", "-c", "while true; do echo serving; sleep 5; done"}
	api, err := s.createOrGetDeployment(ctx, dep)
	if err != nil {
		return err
	}
	if _, err := s.waitRolledOut(ctx, api); err != nil {
		return err
	}
	return s.configMap(ctx, ns, "api-config", map[string]string{"DATABASE_URL": "postgres://db.team-b:5432/api"})
}

// deployment returns a Deployment of one container, labelled and selecting
// on labels.
func deployment(ns, name string, labels map[string]string, image string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  name,
					Image: image,
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				}}},
			},
		},
	}
}

// changeCause is the annotation `kubectl rollout history` shows as
// CHANGE-CAUSE; the deployment controller copies it from the Deployment to
// the ReplicaSet of the revision it made.
const changeCause = "kubernetes.io/change-cause"

// rolloutTimeout bounds the wait for a demo Deployment to roll out: the
// controllers act within a second, the fake node at once.
const rolloutTimeout = time.Minute

// upgradeWeb waits for web's first rollout, then rolls out nginx:1.28 as
// revision 2 and waits for that too. A web at revision 2 already (seeded
// before) is only waited for.
func (s seeder) upgradeWeb(ctx context.Context, web *appsv1.Deployment) (*appsv1.Deployment, error) {
	web, err := s.waitRolledOut(ctx, web)
	if err != nil {
		return nil, err
	}
	if web.Annotations[deploymentRevision] != "1" {
		return web, nil
	}
	const cause = "kubectl set image deployment/web web=nginx:1.28"
	web.Annotations[changeCause] = cause
	web.Spec.Template.Spec.Containers[0].Image = "nginx:1.28"
	web, err = s.cs.AppsV1().Deployments(web.Namespace).Update(ctx, web, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("upgrading Deployment %s/%s: %w", web.Namespace, web.Name, err)
	}
	return s.waitRolledOut(ctx, web)
}

// deploymentRevision is the annotation with which the deployment
// controller numbers a Deployment's rollouts.
const deploymentRevision = "deployment.kubernetes.io/revision"

// waitRolledOut waits until dep's current spec is rolled out, as
// `kubectl rollout status` does: observed, every replica updated and
// available, no old ones left. It returns the Deployment as stored then.
func (s seeder) waitRolledOut(ctx context.Context, dep *appsv1.Deployment) (*appsv1.Deployment, error) {
	deps := s.cs.AppsV1().Deployments(dep.Namespace)
	var got *appsv1.Deployment
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, rolloutTimeout, true, func(ctx context.Context) (bool, error) {
		var err error
		if got, err = deps.Get(ctx, dep.Name, metav1.GetOptions{}); err != nil {
			return false, err
		}
		want := int32(1)
		if got.Spec.Replicas != nil {
			want = *got.Spec.Replicas
		}
		st := got.Status
		return st.ObservedGeneration >= got.Generation && st.UpdatedReplicas == want &&
			st.Replicas == want && st.AvailableReplicas == want, nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for Deployment %s/%s to roll out: %w", dep.Namespace, dep.Name, err)
	}
	return got, nil
}

// createOrGetDeployment returns the stored Deployment, created or not:
// Events need its uid either way.
func (s seeder) createOrGetDeployment(ctx context.Context, dep *appsv1.Deployment) (*appsv1.Deployment, error) {
	deps := s.cs.AppsV1().Deployments(dep.Namespace)
	got, err := deps.Create(ctx, dep, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		got, err = deps.Get(ctx, dep.Name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("creating Deployment %s/%s: %w", dep.Namespace, dep.Name, err)
	}
	return got, nil
}

func (s seeder) configMap(ctx context.Context, ns, name string, data map[string]string) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data}
	return create(ctx, "ConfigMap", ns+"/"+name, func(ctx context.Context) error {
		_, err := s.cs.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
		return err
	})
}

// secret stores obviously fake material: the demo shows how a Secret looks,
// not a usable key.
func (s seeder) secret(ctx context.Context, ns, name string) error {
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Type:       corev1.SecretTypeOpaque,
		StringData: map[string]string{
			"tls.crt": "-----BEGIN CERTIFICATE-----\nFAKE-DEMO-CERTIFICATE\n-----END CERTIFICATE-----\n",
			"tls.key": "-----BEGIN PRIVATE KEY-----\nFAKE-DEMO-KEY\n-----END PRIVATE KEY-----\n",
		},
	}
	return create(ctx, "Secret", ns+"/"+name, func(ctx context.Context) error {
		_, err := s.cs.CoreV1().Secrets(ns).Create(ctx, sec, metav1.CreateOptions{})
		return err
	})
}

// pod is a bare Pod with an init container and two containers, so that
// container pickers and per-container logs have something to choose from.
func (s seeder) pod(ctx context.Context, ns string) error {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: ns, Labels: map[string]string{"app": "web", "tier": "frontend"}},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{
				Name: "init", Image: "busybox:1.36", Command: []string{"sh", "-c", "echo preparing; sleep 1"},
			}},
			Containers: []corev1.Container{
				{Name: "web", Image: "nginx:1.27", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}},
				{Name: "sidecar", Image: "busybox:1.36", Command: []string{"sh", "-c", "while true; do date; sleep 10; done"}},
			},
		},
	}
	return create(ctx, "Pod", ns+"/web-0", func(ctx context.Context) error {
		_, err := s.cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
		return err
	})
}

// events adds to what the deployment controller says about web a Warning
// that repeated three times over ten minutes, so event views have a count
// and a first/last span to show.
func (s seeder) events(ctx context.Context, web *appsv1.Deployment) error {
	ref := corev1.ObjectReference{
		Kind:            "Deployment",
		APIVersion:      "apps/v1",
		Name:            web.Name,
		Namespace:       web.Namespace,
		UID:             web.UID,
		ResourceVersion: web.ResourceVersion,
	}
	now := time.Now()
	source := corev1.EventSource{Component: "deployment-controller"}
	events := []*corev1.Event{
		{
			ObjectMeta:     metav1.ObjectMeta{Name: "web.replicaset-create-error", Namespace: web.Namespace},
			InvolvedObject: ref,
			Type:           corev1.EventTypeWarning,
			Reason:         "ReplicaSetCreateError",
			Message:        `Failed to create new replica set "web-7f9c8b5d4": exceeded quota: team-a-quota, requested: pods=1, used: pods=10, limited: pods=10`,
			Source:         source,
			Count:          3,
			FirstTimestamp: metav1.NewTime(now.Add(-10 * time.Minute)),
			LastTimestamp:  metav1.NewTime(now.Add(-1 * time.Minute)),
		},
	}
	for _, ev := range events {
		err := create(ctx, "Event", ev.Namespace+"/"+ev.Name, func(ctx context.Context) error {
			_, err := s.cs.CoreV1().Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// clusterRole adds a cluster-scoped object of kfsui's own, read-only like
// kfsui itself.
func (s seeder) clusterRole(ctx context.Context) error {
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "kfsui-viewer", Labels: map[string]string{"app.kubernetes.io/name": "kfsui"}},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"*"},
			Resources: []string{"*"},
			Verbs:     []string{"get", "list", "watch"},
		}},
	}
	return create(ctx, "ClusterRole", role.Name, func(ctx context.Context) error {
		_, err := s.cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{})
		return err
	})
}

// widgets installs the Widget CRD, waits until the apiserver serves it, and
// creates three Widgets in team-a.
func (s seeder) widgets(ctx context.Context) error {
	crd := widgetCRD()
	err := create(ctx, "CustomResourceDefinition", crd.GetName(), func(ctx context.Context) error {
		_, err := s.crds.Create(ctx, crd, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	if err := s.waitEstablished(ctx, crd.GetName()); err != nil {
		return err
	}
	for i, w := range []struct {
		name, color string
		size        int64
	}{{"alpha", "red", 1}, {"beta", "green", 3}, {"gamma", "blue", 5}} {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "example.io/v1",
			"kind":       "Widget",
			"metadata":   map[string]any{"name": w.name, "namespace": "team-a", "labels": map[string]any{"app": "web"}},
			"spec":       map[string]any{"color": w.color, "size": w.size, "priority": int64(i + 1)},
		}}
		err := create(ctx, "Widget", "team-a/"+w.name, func(ctx context.Context) error {
			_, err := s.widgetsAPI.Namespace("team-a").Create(ctx, obj, metav1.CreateOptions{})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// widgetCRD is widgets.example.io: namespaced, one served and stored
// version, any content accepted.
func widgetCRD() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": "widgets.example.io"},
		"spec": map[string]any{
			"group": "example.io",
			"scope": "Namespaced",
			"names": map[string]any{
				"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget",
				"shortNames": []any{"wd"},
			},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type":                                 "object",
					"x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
}

// waitEstablished waits for the CRD's Established condition: until then
// the apiserver answers requests for widgets with NotFound.
func (s seeder) waitEstablished(ctx context.Context, name string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, crdTimeout, true, func(ctx context.Context) (bool, error) {
		crd, err := s.crds.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			cond, _ := c.(map[string]any)
			if cond["type"] == "Established" && cond["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for CustomResourceDefinition %s to be established: %w", name, err)
	}
	return nil
}
