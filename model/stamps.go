package model

import (
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// What the API server, its admission plugins and the controllers write on
// objects, which no person wrote: manifest.neat.yaml leaves it out. The
// README lists the same.

// serverMetadata are the metadata fields the API server sets.
var serverMetadata = []string{
	"uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
	"managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
}

// stampedAnnotations are annotations controllers and kubectl write.
var stampedAnnotations = []string{
	lastApplied,
	"deployment.kubernetes.io/revision",
	"deployment.kubernetes.io/revision-history",
	"deployment.kubernetes.io/desired-replicas",
	"deployment.kubernetes.io/max-replicas",
	"deprecated.daemonset.template.generation",
	"endpoints.kubernetes.io/last-change-trigger-time",
	"control-plane.alpha.kubernetes.io/leader",
	"pv.kubernetes.io/bind-completed",
	"pv.kubernetes.io/bound-by-controller",
	"pv.kubernetes.io/provisioned-by",
	"pv.kubernetes.io/migrated-to",
	"volume.beta.kubernetes.io/storage-provisioner",
	"volume.kubernetes.io/storage-provisioner",
	"volume.kubernetes.io/selected-node",
	"kubernetes.io/service-account.uid",
	"batch.kubernetes.io/job-tracking",
	"batch.kubernetes.io/job-completion-index",
	"batch.kubernetes.io/cronjob-scheduled-timestamp",
	"autoscaling.alpha.kubernetes.io/conditions",
	"autoscaling.alpha.kubernetes.io/current-metrics",
}

// kubeletAnnotations starts the annotations the kubelet writes on static
// pods' mirrors.
const kubeletAnnotations = "kubernetes.io/config."

// controllerLabels are the labels a controller puts on what it makes (a
// ReplicaSet's pods, a Deployment's ReplicaSets, a Job's pods...), and
// into their selectors and templates; they are dropped from objects a
// controller owns.
var controllerLabels = []string{
	"pod-template-hash",
	"controller-revision-hash",
	"pod-template-generation",
	"statefulset.kubernetes.io/pod-name",
	"apps.kubernetes.io/pod-index",
	"batch.kubernetes.io/controller-uid",
	"batch.kubernetes.io/job-name",
	"batch.kubernetes.io/job-completion-index",
	"controller-uid",
	"job-name",
}

// jobLabels are the labels the API server adds to a Job's pod template
// and selector when it generates the selector.
var jobLabels = []string{"batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid", "job-name"}

// systemFinalizers are the finalizers admission plugins and controllers
// add.
var systemFinalizers = []string{
	"kubernetes.io/pvc-protection",
	"kubernetes.io/pv-protection",
	"service.kubernetes.io/load-balancer-cleanup",
	"batch.kubernetes.io/job-tracking",
}

// serviceAccountMount is where the ServiceAccount admission plugin mounts
// a pod's token.
const serviceAccountMount = "/var/run/secrets/kubernetes.io/serviceaccount"

// dropStamps removes the server's metadata and the stamped annotations,
// labels and finalizers from obj.
func dropStamps(obj *unstructured.Unstructured) {
	meta, ok := obj.Object["metadata"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range serverMetadata {
		delete(meta, k)
	}
	if ann, ok := meta["annotations"].(map[string]any); ok {
		for k := range ann {
			if slices.Contains(stampedAnnotations, k) || strings.HasPrefix(k, kubeletAnnotations) {
				delete(ann, k)
			}
		}
		dropEmpty(meta, "annotations")
	}
	if fin, ok := meta["finalizers"].([]any); ok {
		meta["finalizers"] = slices.DeleteFunc(fin, func(f any) bool {
			s, _ := f.(string)
			return slices.Contains(systemFinalizers, s)
		})
		dropEmpty(meta, "finalizers")
	}
	if labels, ok := meta["labels"].(map[string]any); ok && obj.GetKind() == "Namespace" && labels["kubernetes.io/metadata.name"] == obj.GetName() {
		delete(labels, "kubernetes.io/metadata.name") // the API server's own
		dropEmpty(meta, "labels")
	}
	if metav1.GetControllerOfNoCopy(obj) != nil {
		dropLabels(obj.Object, controllerLabels)
	}
}

// dropLabels removes labels from obj's own, its selector's and its pod
// template's.
func dropLabels(obj map[string]any, labels []string) {
	for _, path := range [][]string{
		{"metadata", "labels"},
		{"spec", "selector", "matchLabels"},
		{"spec", "template", "metadata", "labels"},
	} {
		parent, ok := mapAt(obj, path[:len(path)-1]...)
		if !ok {
			continue
		}
		m, ok := parent[path[len(path)-1]].(map[string]any)
		if !ok {
			continue
		}
		for _, l := range labels {
			delete(m, l)
		}
		dropEmpty(parent, path[len(path)-1])
	}
}

// dropAdmitted removes from a Pod what admission plugins added when it
// was created, which they add again to the same pod created anew: the
// ServiceAccount plugin's token volume and its mounts and the default
// account's name, the DefaultTolerationSeconds plugin's two tolerations,
// and the Priority plugin's priority and preemption policy (derived from
// priorityClassName, which stays).
func dropAdmitted(pod map[string]any) {
	spec, ok := pod["spec"].(map[string]any)
	if !ok {
		return
	}
	if spec["serviceAccountName"] == "default" {
		delete(spec, "serviceAccountName")
	}
	delete(spec, "priority")
	delete(spec, "preemptionPolicy")
	if tol, ok := spec["tolerations"].([]any); ok {
		spec["tolerations"] = slices.DeleteFunc(tol, isDefaultToleration)
		dropEmpty(spec, "tolerations")
	}
	containerKeys := []string{"containers", "initContainers", "ephemeralContainers"}
	vols, _ := spec["volumes"].([]any)
	var tokens []any
	for _, v := range vols {
		if isTokenVolume(v, spec, containerKeys) {
			tokens = append(tokens, v.(map[string]any)["name"])
		}
	}
	if len(tokens) == 0 {
		return
	}
	spec["volumes"] = slices.DeleteFunc(vols, func(v any) bool {
		m, _ := v.(map[string]any)
		return m != nil && slices.Contains(tokens, m["name"])
	})
	dropEmpty(spec, "volumes")
	for _, key := range containerKeys {
		cs, _ := spec[key].([]any)
		for _, c := range cs {
			c, ok := c.(map[string]any)
			if !ok {
				continue
			}
			if mounts, ok := c["volumeMounts"].([]any); ok {
				c["volumeMounts"] = slices.DeleteFunc(mounts, func(m any) bool {
					mm, _ := m.(map[string]any)
					return mm != nil && slices.Contains(tokens, mm["name"])
				})
				dropEmpty(c, "volumeMounts")
			}
		}
	}
}

// isDefaultToleration says whether t is one of the tolerations the
// DefaultTolerationSeconds plugin adds: of nodes not ready or
// unreachable, for 300 seconds.
func isDefaultToleration(t any) bool {
	m, ok := t.(map[string]any)
	if !ok || len(m) != 4 || m["operator"] != "Exists" || m["effect"] != "NoExecute" {
		return false
	}
	if m["key"] != "node.kubernetes.io/not-ready" && m["key"] != "node.kubernetes.io/unreachable" {
		return false
	}
	switch s := m["tolerationSeconds"].(type) {
	case int64:
		return s == 300
	case float64:
		return s == 300
	}
	return false
}

// isTokenVolume says whether pod volume v is the token the ServiceAccount
// plugin mounted: named as it names them (kube-api-access-*, or an old
// cluster's <account>-token-*) and mounted, wherever it is, at the
// account's path only.
func isTokenVolume(v any, spec map[string]any, containerKeys []string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	name, _ := m["name"].(string)
	if !strings.HasPrefix(name, "kube-api-access-") && !strings.Contains(name, "-token-") {
		return false
	}
	mounted := false
	for _, key := range containerKeys {
		cs, _ := spec[key].([]any)
		for _, c := range cs {
			c, _ := c.(map[string]any)
			mounts, _ := c["volumeMounts"].([]any)
			for _, mt := range mounts {
				mt, _ := mt.(map[string]any)
				if mt == nil || mt["name"] != name {
					continue
				}
				if mt["mountPath"] != serviceAccountMount {
					return false
				}
				mounted = true
			}
		}
	}
	return mounted
}

// dropAllocated removes what the API server allocates to a Service: its
// cluster IPs (but a headless Service's None) and, with a single-stack
// policy, its IP family, which it takes from the cluster. Node ports
// stay: a person may have chosen them.
func dropAllocated(svc map[string]any) {
	spec, ok := svc["spec"].(map[string]any)
	if !ok {
		return
	}
	if spec["clusterIP"] != "None" {
		delete(spec, "clusterIP")
		delete(spec, "clusterIPs")
	}
	if fam, _ := spec["ipFamilies"].([]any); spec["ipFamilyPolicy"] == "SingleStack" && len(fam) <= 1 {
		delete(spec, "ipFamilyPolicy")
		delete(spec, "ipFamilies")
	}
}

// dropNamespaceFinalizer removes the finalizer the API server gives
// every namespace.
func dropNamespaceFinalizer(ns map[string]any) {
	spec, ok := ns["spec"].(map[string]any)
	if !ok {
		return
	}
	if fin, _ := spec["finalizers"].([]any); len(fin) == 1 && fin[0] == "kubernetes" {
		delete(spec, "finalizers")
	}
	dropEmpty(ns, "spec")
}

// dropJobSelector removes a Job's selector and the labels it selects
// when the API server generated them (manualSelector unset): it
// generates them again for the Job created anew, and refuses them given.
func dropJobSelector(job map[string]any) {
	spec, ok := job["spec"].(map[string]any)
	if !ok || spec["manualSelector"] == true {
		return
	}
	delete(spec, "selector")
	if tmpl, ok := mapAt(spec, "template", "metadata"); ok {
		if labels, ok := tmpl["labels"].(map[string]any); ok {
			for _, l := range jobLabels {
				delete(labels, l)
			}
			dropEmpty(tmpl, "labels")
		}
	}
}
