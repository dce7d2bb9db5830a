package model

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kfsui/kfsui/k8s"
)

// served returns the object of manifest (YAML, as a person writes it) as
// the API server would return it: defaulted by the pinned defaulting
// functions, with extra (server metadata, admission's additions) merged
// over it.
func served(t testing.TB, manifest, extra string) *unstructured.Unstructured {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	d := k8s.APIDefaults()
	if d.Knows(gvk) {
		typed, err := d.Typed(obj, gvk, true)
		if err != nil {
			t.Fatal(err)
		}
		if u.Object, err = runtime.DefaultUnstructuredConverter.ToUnstructured(typed); err != nil {
			t.Fatal(err)
		}
		u.SetAPIVersion(gvk.GroupVersion().String())
		u.SetKind(gvk.Kind)
	}
	var more map[string]any
	if err := yaml.Unmarshal([]byte(extra), &more); err != nil {
		t.Fatal(err)
	}
	merge(u.Object, more)
	// As the dynamic client decodes them: integers as int64.
	b, err := u.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	out := &unstructured.Unstructured{}
	if err := out.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	return out
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// stamped is what the API server adds to every object it stores.
const stamped = `metadata:
  uid: 0b6e4a36-7d0c-4a8e-9a51-3f0e5d8c1a2b
  resourceVersion: "4711"
  generation: 3
  creationTimestamp: "2026-12-01T10:00:00Z"
  managedFields: [{manager: kubectl, operation: Update}]
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"kind":"x"}'
`

func TestNeat(t *testing.T) {
	for _, c := range []struct {
		name, manifest, extra string
		want                  string // "": the manifest itself
	}{{
		name: "a Deployment loses its defaults and the controller's revision",
		manifest: `apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {app: web}
  name: web
  namespace: shop
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - image: nginx:latest
        imagePullPolicy: IfNotPresent
        name: web
        ports: [{containerPort: 80}]
        volumeMounts: [{mountPath: /cache, name: cache}]
      volumes: [{emptyDir: {}, name: cache}]
`,
		extra: stamped + `metadata: {annotations: {deployment.kubernetes.io/revision: "2"}}
status: {replicas: 3, readyReplicas: 3}`,
	}, {
		name: "a Pod a ReplicaSet made loses what admission and its controller added",
		manifest: `apiVersion: v1
kind: Pod
metadata:
  generateName: web-5d9c7b-
  labels: {app: web}
  name: web-5d9c7b-x2x4q
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, blockOwnerDeletion: true, controller: true, kind: ReplicaSet, name: web-5d9c7b, uid: 1f2e}]
spec:
  containers:
  - image: nginx:1.27
    name: web
    volumeMounts: [{mountPath: /data, name: data}]
  nodeName: node-1
  tolerations: [{effect: NoSchedule, key: dedicated, operator: Equal, value: web}]
  volumes: [{configMap: {name: web}, name: data}]
`,
		extra: stamped + `metadata: {labels: {pod-template-hash: 5d9c7b}}
spec:
  serviceAccountName: default
  serviceAccount: default
  priority: 0
  preemptionPolicy: PreemptLowerPriority
  enableServiceLinks: true
  tolerations:
  - {effect: NoSchedule, key: dedicated, operator: Equal, value: web}
  - {effect: NoExecute, key: node.kubernetes.io/not-ready, operator: Exists, tolerationSeconds: 300}
  - {effect: NoExecute, key: node.kubernetes.io/unreachable, operator: Exists, tolerationSeconds: 300}
  volumes:
  - {configMap: {name: web, defaultMode: 420}, name: data}
  - name: kube-api-access-7xk2p
    projected:
      defaultMode: 420
      sources:
      - serviceAccountToken: {expirationSeconds: 3607, path: token}
      - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
  containers:
  - image: nginx:1.27
    name: web
    imagePullPolicy: IfNotPresent
    volumeMounts:
    - {mountPath: /data, name: data}
    - {mountPath: /var/run/secrets/kubernetes.io/serviceaccount, name: kube-api-access-7xk2p, readOnly: true}
status: {phase: Running}`,
	}, {
		name: "a Service loses its allocated IPs but keeps its node port",
		manifest: `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports: [{nodePort: 30080, port: 80, targetPort: 8080}]
  selector: {app: web}
  type: NodePort
`,
		extra: stamped + `spec: {clusterIP: 10.0.0.12, clusterIPs: [10.0.0.12], ipFamilies: [IPv4], ipFamilyPolicy: SingleStack}`,
	}, {
		name: "a headless Service keeps its None",
		manifest: `apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
spec:
  clusterIP: None
  clusterIPs: [None]
  ports: [{port: 5432}]
`,
		extra: stamped,
	}, {
		name: "a Job loses the selector the API server generated",
		manifest: `apiVersion: batch/v1
kind: Job
metadata:
  labels: {app: migrate}
  name: migrate
  namespace: shop
spec:
  template:
    metadata: {labels: {app: migrate}}
    spec:
      containers: [{image: migrate:1, name: migrate}]
      restartPolicy: Never
`,
		extra: stamped + `spec:
  selector: {matchLabels: {batch.kubernetes.io/controller-uid: 0b6e}}
  template:
    metadata:
      labels: {batch.kubernetes.io/controller-uid: 0b6e, batch.kubernetes.io/job-name: migrate, controller-uid: 0b6e, job-name: migrate}`,
	}, {
		name: "a Namespace loses the server's finalizer and name label",
		manifest: `apiVersion: v1
kind: Namespace
metadata:
  labels: {team: a}
  name: shop
`,
		extra: stamped + `metadata: {labels: {kubernetes.io/metadata.name: shop}}
spec: {finalizers: [kubernetes]}
status: {phase: Active}`,
	}, {
		name: "a custom resource loses only the server's metadata and its status",
		manifest: `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: shop
spec:
  color: blue
  empty: {}
  size: 0
`,
		extra: stamped + `status: {ready: true}`,
	}, {
		name: "fields the pinned types do not know stay",
		manifest: `apiVersion: v1
kind: ConfigMap
data: {a: "1"}
futureField: {x: 1}
metadata:
  name: c
  namespace: shop
`,
		extra: stamped + `futureField: {x: 1}`,
	}, {
		name: "a default holding a field the pinned types do not know stays",
		manifest: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {futureKnob: 2}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{image: nginx:1.27, name: web}]
`,
		extra: stamped + `spec: {strategy: {futureKnob: 2}}`,
	}, {
		name: "a Secret loses its default type, never its data",
		manifest: `apiVersion: v1
kind: Secret
data: {password: aHVudGVyMg==}
metadata:
  name: creds
  namespace: shop
`,
		extra: stamped + `type: Opaque`,
	}, {
		name: "a TLS Secret keeps its type",
		manifest: `apiVersion: v1
kind: Secret
data: {tls.crt: Y2VydA==, tls.key: a2V5}
metadata:
  name: tls
  namespace: shop
type: kubernetes.io/tls
`,
		extra: stamped,
	}} {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == "" {
				var m map[string]any
				if err := yaml.Unmarshal([]byte(c.manifest), &m); err != nil {
					t.Fatal(err)
				}
				b, _ := yaml.Marshal(m)
				want = string(b)
			}
			obj := served(t, c.manifest, c.extra)
			before, _ := ManifestYAML(obj)
			got, err := ManifestYAML(Neat(obj))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("neat manifest:\n%s", UnifiedDiff("want", want, "got", got))
			}
			if after, _ := ManifestYAML(obj); after != before {
				t.Error("Neat changed the object it was given")
			}
		})
	}
}

// The neat manifest of an object, defaulted again, is the object: what
// Neat dropped as a default comes back as it was.
func TestNeatDefaultsBackToTheObject(t *testing.T) {
	obj := served(t, `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:17, resources: {limits: {cpu: 500m}}}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`, stamped)
	neat := Neat(obj)
	d := k8s.APIDefaults()
	gvk := obj.GroupVersionKind()
	a, err := d.Typed(neat.Object, gvk, true)
	if err != nil {
		t.Fatal(err)
	}
	strip := obj.DeepCopy()
	dropStamps(strip)
	b, err := d.Typed(strip.Object, gvk, true)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Same(a, b) {
		full, _ := ManifestYAML(obj)
		got, _ := ManifestYAML(neat)
		t.Errorf("the neat manifest does not default back to the object:\n%s", UnifiedDiff("object", full, "neat", got))
	}
	if got, _ := ManifestYAML(neat); strings.Contains(got, "podManagementPolicy") || !strings.Contains(got, "cpu: 500m") {
		t.Errorf("neat StatefulSet:\n%s", got)
	}
}

// benchPodSpec is the pod of BenchmarkNeat's Deployment and Pod, as a
// person writes it.
const benchPodSpec = `{containers: [
  {name: web, image: nginx:1.27, ports: [{containerPort: 80}, {containerPort: 443}],
   env: [{name: A, value: "1"}, {name: B, value: "2"}],
   readinessProbe: {httpGet: {path: /healthz, port: 80}},
   resources: {requests: {cpu: 100m, memory: 64Mi}}},
  {name: sidecar, image: envoy:1.30}]}
`

// BenchmarkNeat times manifest.neat.yaml of a Deployment and of one of
// its Pods as the server returns them: what opening the leaf, or one side
// of a diff, costs on top of the GET; and of an Endpoints of 1,000
// addresses, where maxTries bounds it.
func BenchmarkNeat(b *testing.B) {
	var endpoints strings.Builder
	endpoints.WriteString("apiVersion: v1\nkind: Endpoints\nmetadata: {name: big, namespace: shop}\nsubsets:\n- ports: [{port: 80}]\n  addresses:\n")
	for i := range 1000 {
		fmt.Fprintf(&endpoints, "  - {ip: 10.1.%d.%d, nodeName: node-%d, targetRef: {kind: Pod, name: web-%d, namespace: shop}}\n", i/250, i%250, i%7, i)
	}
	for _, c := range []struct{ name, manifest, extra string }{
		{"Endpoints1000", endpoints.String(), stamped},
		{"Deployment", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: ` + benchPodSpec, stamped},
		{"Pod", `apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: ` + benchPodSpec, stamped + `spec: {nodeName: node-1}`},
	} {
		obj := served(b, c.manifest, c.extra)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Neat(obj)
			}
		})
	}
}

// manifest.neat.yaml of a Secret is masked as manifest.yaml is, and the
// leaf keeps the object's time, which Neat takes from the text.
func TestNeatLeafMasksAndKeepsTheTime(t *testing.T) {
	obj := served(t, `apiVersion: v1
kind: Secret
data: {password: aHVudGVyMg==}
metadata: {name: creds, namespace: shop}
`, stamped)
	fs := NewFS(nil, Options{})
	secrets := k8s.Type{Name: "secrets", GVR: corev1.SchemeGroupVersion.WithResource("secrets"), Kind: "Secret", Namespaced: true}
	p := MustParse("/namespaces/shop/secrets/creds/" + LeafManifestNeat)
	leaf, err := fs.RenderLeaf(p, secrets, obj)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(leaf.Text, "aHVudGVyMg==") || strings.Contains(leaf.Text, "hunter2") || !strings.Contains(leaf.Text, "password: '[hidden: 7 bytes]'") {
		t.Errorf("the neat Secret is not masked:\n%s", leaf.Text)
	}
	if want := ObjectTime(obj); leaf.ModTime.IsZero() || !leaf.ModTime.Equal(want) {
		t.Errorf("the leaf's time is %v, want the object's %v", leaf.ModTime, want)
	}
	fs.SetRevealSecrets(true)
	if leaf, _ := fs.RenderLeaf(p, secrets, obj); !strings.Contains(leaf.Text, "password: hunter2") {
		t.Errorf("x does not reveal the neat Secret:\n%s", leaf.Text)
	}
}
