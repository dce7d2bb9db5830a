package k8s

import (
	"bytes"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes/scheme"
)

// The reduced pods read from a real protobuf PodList answer have the
// requests and limits the whole pods have, and nothing else is needed.
func TestReducePodListReadsRequestsAndLimits(t *testing.T) {
	q := resource.MustParse
	list := &corev1.PodList{
		TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: "42", Continue: "next-page"},
		Items: []corev1.Pod{{
			ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "team-a", Labels: map[string]string{"app": "web"},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{}}`)}}}},
			Spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "init", Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: q("2")}}}},
				Containers: []corev1.Container{
					{Name: "app", Image: "nginx", Env: []corev1.EnvVar{{Name: "A", Value: "b"}}, Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: q("100m"), corev1.ResourceMemory: q("128Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceCPU: q("500m"), corev1.ResourceMemory: q("256Mi")}}},
					{Name: "sidecar", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: q("50m")}}},
				},
			},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.1"},
		}, {
			ObjectMeta: metav1.ObjectMeta{Name: "db-0", Namespace: "team-b"},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "db"}}},
		}},
	}
	var buf bytes.Buffer
	if err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Encode(runtime.Object(list), &buf); err != nil {
		t.Fatal(err)
	}
	out := &reducedPodList{}
	namespaces := map[string]string{}
	reduce := func(raw []byte) (metav1.ListMeta, error) {
		return reduceList(raw, func(b []byte) error {
			p, err := reducePod(b, namespaces)
			out.Items = append(out.Items, p)
			return err
		})
	}
	meta, err := reduce(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if meta.ResourceVersion != "42" || meta.Continue != "next-page" || len(out.Items) != 2 {
		t.Fatalf("meta %+v, %d pods", meta, len(out.Items))
	}
	for i, want := range list.Items {
		got := out.Items[i]
		if got.name != want.Name || got.namespace != want.Namespace {
			t.Errorf("pod %d: %s/%s", i, got.namespace, got.name)
		}
		if got.capacity != podCapacity(&want) {
			t.Errorf("%s: capacity %+v, want %+v", want.Name, got.capacity, podCapacity(&want))
		}
	}
	if c := out.Items[0].capacity; c.req != (usage{cpu: 150, mem: -1}) {
		t.Errorf("web-0's requests: %+v, want 150m and none for memory (the sidecar sets none)", c)
	}
	if c := out.Items[1].capacity; c != (capacity{req: usage{-1, -1}, lim: usage{-1, -1}}) {
		t.Errorf("db-0 sets no requests or limits: %+v", c)
	}
	if _, err := reduce([]byte(`{"kind":"PodList"}`)); err == nil {
		t.Error("JSON taken for protobuf")
	}
}
