package e2e

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// waitRevision waits until the deployment controller has stamped
// Deployment ns/name with its revision.
func waitRevision(t *testing.T, c *testcluster.Cluster, ns, name string) {
	t.Helper()
	stamped := func() bool {
		d, err := c.Clientset().AppsV1().Deployments(ns).Get(ctx(t), name, metav1.GetOptions{})
		return err == nil && d.Annotations["deployment.kubernetes.io/revision"] != "" && d.Status.ObservedGeneration == d.Generation
	}
	eventually(t, "the deployment controller to stamp "+ns+"/"+name, 30*time.Second, stamped, noDetail)
}

// Two clusters' copies of a Deployment applied by kubectl, differing only
// by image, differ in their neat manifests by the image line alone, and
// kfsui diff says exactly that.
func TestE2ENeatDiffIsTheImageLine(t *testing.T) {
	dev, prod, kubeconfig, ns := twoClusters(t, "neat-diff")
	kubectlApply(t, dev, deploymentYAML, "-n", ns) // nginx:1.27
	kubectlApply(t, prod, strings.Replace(deploymentYAML, "nginx:1.27", "nginx:1.28", 1), "-n", ns)
	waitRevision(t, dev, ns, "web")
	waitRevision(t, prod, ns, "web")

	leaf := "/namespaces/" + ns + "/deployments/web/manifest.yaml"
	out, errOut, code := kfsuiWith(t, kubeconfig, "diff", "dev:"+leaf, "prod:"+leaf)
	neat := model.NeatName(leaf)
	if want := []string{"-      - image: nginx:1.27", "+      - image: nginx:1.28"}; code != 1 || !slices.Equal(changedLines(out), want) ||
		!strings.HasPrefix(out, "--- dev:"+neat+"\n+++ prod:"+neat+"\n") {
		t.Errorf("kfsui diff: exit %d, %s; want exactly %q:\n%s", code, errOut, want, out)
	}
	// What the raw diff holds besides: the server's and the controller's
	// stamps.
	out, _, code = kfsuiWith(t, kubeconfig, "diff", "--raw", "dev:"+leaf, "prod:"+leaf)
	for _, want := range []string{"uid:", `{"apiVersion":"apps/v1"`} { // two fresh clusters may agree on resourceVersion
		if code != 1 || !strings.Contains(strings.Join(changedLines(out), "\n"), want) {
			t.Errorf("kfsui diff --raw has no changed line with %q (exit %d):\n%s", want, code, out)
		}
	}
}

// The neat manifests of a Deployment, one of its Pods, a Service and a
// custom resource, applied with kubectl apply --dry-run=server to a fresh
// namespace, are accepted, and what the server would make of them has
// the spec of the original: nothing a person wrote was dropped.
func TestE2ENeatManifestsApplyAsTheyWere(t *testing.T) {
	c := testcluster.Shared(t)
	ns, fresh := newNamespace(t, "neat-src"), newNamespace(t, "neat-fresh")
	createCRD(t, "neat.example.io", "widgets", "Widget")
	kubectlApply(t, c, fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: %[1]s, labels: {app: api}}
spec:
  replicas: 2
  revisionHistoryLimit: 3
  strategy: {type: Recreate}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}, annotations: {team: payments}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
      - name: api
        image: registry.example/api:2.1
        imagePullPolicy: Always
        args: [--port=8080]
        env: [{name: MODE, value: live}]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
        volumeMounts: [{name: scratch, mountPath: /tmp}]
      volumes: [{name: scratch, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: %[1]s}
spec:
  selector: {app: api}
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: neat.example.io/v1
kind: Widget
metadata: {name: gear, namespace: %[1]s, labels: {size: m}}
spec:
  teeth: 12
  material: {name: steel, grade: 4}
  tags: [a, b]
`, ns))
	waitRevision(t, c, ns, "api")
	var pod string
	scheduled := func() bool {
		pods, err := c.Clientset().CoreV1().Pods(ns).List(ctx(t), metav1.ListOptions{LabelSelector: "app=api"})
		if err != nil || len(pods.Items) == 0 || pods.Items[0].Spec.NodeName == "" {
			return false
		}
		pod = pods.Items[0].Name
		return true
	}
	eventually(t, "a pod of deployment api to be scheduled", 30*time.Second, scheduled, noDetail)

	// allocated are what the server gives each object anew: a Service's
	// cluster IPs, a pod's token volume's generated name.
	tokenVolume := regexp.MustCompile(`kube-api-access-[a-z0-9]+`)
	allocated := func(kind string, spec map[string]any) map[string]any {
		switch kind {
		case "Service":
			delete(spec, "clusterIP")
			delete(spec, "clusterIPs")
		case "Pod":
			b, _ := json.Marshal(spec)
			spec = nil
			_ = json.Unmarshal(tokenVolume.ReplaceAll(b, []byte("kube-api-access-*")), &spec)
		}
		return spec
	}
	for _, o := range []struct{ kind, typ, name string }{
		{"Deployment", "deployments", "api"},
		{"Pod", "pods", pod},
		{"Service", "services", "api"},
		{"Widget", "widgets", "gear"},
	} {
		t.Run(o.kind, func(t *testing.T) {
			text, errOut, code := kfsui(t, "cat", "/namespaces/"+ns+"/"+o.typ+"/"+o.name+"/manifest.neat.yaml")
			if code != 0 {
				t.Fatalf("cat manifest.neat.yaml: exit %d, %s", code, errOut)
			}
			for _, gone := range []string{"status:", "uid: ", "resourceVersion:", "creationTimestamp:", "managedFields:", "generation:",
				"last-applied-configuration", "deployment.kubernetes.io/revision", "pod-template-hash", "kube-api-access",
				"imagePullPolicy: IfNotPresent", "terminationMessagePath", "dnsPolicy", "schedulerName", "clusterIP", "protocol: TCP"} {
				if strings.Contains(text, gone) && !(o.kind == "Pod" && gone == "uid: ") { // a pod's owner reference has a uid
					t.Errorf("%q is in the neat manifest:\n%s", gone, text)
				}
			}
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(text), &obj); err != nil {
				t.Fatalf("the neat manifest is not YAML: %v\n%s", err, text)
			}
			obj["metadata"].(map[string]any)["namespace"] = fresh
			moved, _ := yaml.Marshal(obj)
			out := kubectlApply(t, c, string(moved), "--dry-run=server", "-o", "json")
			var applied map[string]any
			if err := json.Unmarshal(out, &applied); err != nil {
				t.Fatalf("kubectl apply --dry-run=server: %v\n%s", err, out)
			}
			orig, err := c.Kubectl(ctx(t), "-n", ns, "get", o.typ, o.name, "-o", "json")
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal(orig, &want); err != nil {
				t.Fatal(err)
			}
			a := allocated(o.kind, applied["spec"].(map[string]any))
			w := allocated(o.kind, want["spec"].(map[string]any))
			if !reflect.DeepEqual(a, w) {
				ab, _ := yaml.Marshal(a)
				wb, _ := yaml.Marshal(w)
				t.Errorf("the applied neat manifest's spec differs from the original's:\n%s\nneat manifest:\n%s",
					model.UnifiedDiff("original", string(wb), "applied", string(ab)), text)
			}
		})
	}
}
