package k8s

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/types"
)

// benchList is a page as the API server sends it for pods: every field of
// ObjectMeta a real pod carries, managed fields included.
func benchList(n int) *metav1.PartialObjectMetadataList {
	left := int64(12345)
	list := &metav1.PartialObjectMetadataList{
		TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadataList"},
		ListMeta: metav1.ListMeta{ResourceVersion: "98765", Continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTg3NjV9", RemainingItemCount: &left},
	}
	now := metav1.NewTime(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	grace := int64(30)
	for i := range n {
		list.Items = append(list.Items, metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
			Name:                       fmt.Sprintf("web-7d4b9c8f6-%05d", i),
			GenerateName:               "web-7d4b9c8f6-",
			Namespace:                  "big",
			UID:                        types.UID(fmt.Sprintf("0b7e6c1a-3f2d-4e5b-9a8c-%012d", i)),
			ResourceVersion:            fmt.Sprint(1000 + i),
			Generation:                 1,
			CreationTimestamp:          now,
			DeletionTimestamp:          &now,
			DeletionGracePeriodSeconds: &grace,
			Labels:                     map[string]string{"app": "web", "pod-template-hash": "7d4b9c8f6"},
			Annotations:                map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-11-20T09:00:00Z"},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7d4b9c8f6", UID: "a1b2c3d4",
			}},
			Finalizers: []string{"example.com/keep"},
			ManagedFields: []metav1.ManagedFieldsEntry{{
				Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate,
				APIVersion: "v1", Time: &now, FieldsType: "FieldsV1",
				FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"a1b2c3d4\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}`)},
			}},
		}})
	}
	return list
}

// encodeProtobuf encodes obj as the API server does.
func encodeProtobuf(t testing.TB, obj runtime.Object) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme).Encode(obj, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// clientGoPage decodes body as client-go's metadata client does, whole,
// and strips the items as listings keep them.
func clientGoPage(t testing.TB, body []byte) *metav1.PartialObjectMetadataList {
	t.Helper()
	obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := obj.(*metav1.PartialObjectMetadataList)
	for i := range list.Items {
		list.Items[i] = stripped(&list.Items[i])
	}
	return list
}

func TestDecodePageMatchesClientGo(t *testing.T) {
	want := benchList(3)
	proto := encodeProtobuf(t, want)
	got, err := decodePage(proto)
	if err != nil {
		t.Fatal(err)
	}
	ref := clientGoPage(t, proto)
	if !reflect.DeepEqual(got.ListMeta, ref.ListMeta) || !reflect.DeepEqual(got.Items, ref.Items) {
		t.Fatalf("protobuf page differs from client-go's decoding:\n got %+v\nwant %+v", got, ref)
	}
	if got.Kind != "PartialObjectMetadataList" || got.APIVersion != "meta.k8s.io/v1" {
		t.Errorf("type meta %+v", got.TypeMeta)
	}
	if got.Items[2].Name != "web-7d4b9c8f6-00002" || got.Items[2].Namespace != "big" || got.Items[2].ResourceVersion != "1002" ||
		got.Continue != want.Continue || *got.RemainingItemCount != 12345 {
		t.Fatalf("fields lost: %+v", got)
	}

	// JSON, as servers without protobuf for a type answer.
	body, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err = decodePage(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.ListMeta, ref.ListMeta) || !reflect.DeepEqual(got.Items, ref.Items) {
		t.Fatalf("JSON page differs:\n got %+v\nwant %+v", got, ref)
	}
}

func TestDecodePageRefusesOtherAnswers(t *testing.T) {
	// A Status is the server's error, whichever encoding.
	status := &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
		Message: "pods is forbidden", Reason: metav1.StatusReasonForbidden, Code: 403}
	statusJSON, err := json.Marshal(status)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"protobuf": encodeProtobuf(t, status), "JSON": statusJSON} {
		if _, err := decodePage(body); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "pods is forbidden") {
			t.Errorf("a %s Status: %v, want the server's Forbidden", name, err)
		}
	}
	for name, body := range map[string][]byte{
		"JSON without a kind": []byte(`{"items":[]}`),
		"truncated":           encodeProtobuf(t, benchList(2))[:60],
		"not JSON either":     []byte("<html>proxy error</html>"),
		"magic only":          protobufMagic,
		"empty":               nil,
		"bad varint at end":   append(append([]byte{}, protobufMagic...), 0x12, 0xff),
		"group without tags":  append(append([]byte{}, protobufMagic...), 0x0b),
	} {
		if list, err := decodePage(body); err == nil {
			t.Errorf("%s: decoded as %+v, want an error", name, list)
		}
	}
}

// FuzzDecodePage feeds the page decoder arbitrary bytes: it must never
// panic, and whatever both it and client-go's decoder accept must give the
// same names.
func FuzzDecodePage(f *testing.F) {
	f.Add(encodeProtobuf(f, benchList(2)))
	f.Add(encodeProtobuf(f, &metav1.PartialObjectMetadataList{}))
	body, err := json.Marshal(benchList(1))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodePage(body)
		if err != nil || !bytes.HasPrefix(body, protobufMagic) {
			return
		}
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil)
		if err != nil {
			return
		}
		ref, ok := obj.(*metav1.PartialObjectMetadataList)
		if !ok {
			return
		}
		if len(ref.Items) != len(got.Items) {
			t.Fatalf("%d items, client-go %d", len(got.Items), len(ref.Items))
		}
		for i := range ref.Items {
			if got.Items[i].Name != ref.Items[i].Name || got.Items[i].Namespace != ref.Items[i].Namespace {
				t.Fatalf("item %d: %s/%s, client-go %s/%s", i, got.Items[i].Namespace, got.Items[i].Name, ref.Items[i].Namespace, ref.Items[i].Name)
			}
		}
		if got.Continue != ref.Continue || got.ResourceVersion != ref.ResourceVersion {
			t.Fatalf("list meta %+v, client-go %+v", got.ListMeta, ref.ListMeta)
		}
	})
}

// BenchmarkPageDecode compares reading a page of 5,000 pods for their names
// with decoding it whole as client-go's metadata client does.
func BenchmarkPageDecode(b *testing.B) {
	body := encodeProtobuf(b, benchList(5000))
	b.Run("kfsui", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := decodePage(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client-go", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			clientGoPage(b, body)
		}
	})
}
