package k8s

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/protobuf/encoding/protowire"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// pager fetches one page of a collection's metadata and keeps of each
// object only what a listing needs: namespace, name, uid and resource
// version.
//
// client-go's metadata client decodes every object whole (labels,
// annotations, managed fields, timestamps) before the names can be read:
// about 30 ms per 5,000 pods on a busy core, paid between one page's
// arrival and the next page's request, and again before the last page
// shows. Reading the protobuf answer for those four fields alone, skipping
// the rest, takes a fraction of that (BenchmarkPageDecode).
//
// Concurrency: safe from any goroutine.
type pager struct{ rest rest.Interface }

// newPager returns a pager that asks for metadata lists through client,
// set up as client-go's metadata client sets up its own
// (metadata.NewForConfigAndClient), so that the two can share client.
func newPager(config *rest.Config, client *http.Client) (*pager, error) {
	cfg := metadata.ConfigFor(config)
	// Every request gives its absolute path; these only satisfy
	// RESTClientFor.
	cfg.GroupVersion = &schema.GroupVersion{}
	cfg.APIPath = "/"
	rc, err := rest.RESTClientForConfigAndClient(cfg, client)
	if err != nil {
		return nil, err
	}
	return &pager{rest: rc}, nil
}

// pageAccept asks for the objects' metadata only, in protobuf when the
// server can (every built-in and CRD-backed type), JSON otherwise.
const pageAccept = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," +
	"application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"

// list fetches one page of gvr in ns ("" for cluster-wide or all).
func (p *pager) list(ctx context.Context, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) {
	prefix := []string{"/apis", gvr.Group, gvr.Version}
	if gvr.Group == "" {
		prefix = []string{"/api", gvr.Version}
	}
	result := p.rest.Get().AbsPath(prefix...).NamespaceIfScoped(ns, ns != "").Resource(gvr.Resource).
		SetHeader("Accept", pageAccept).
		SpecificallyVersionedParams(&opts, metav1.ParameterCodec, metav1.SchemeGroupVersion).
		Do(ctx)
	// Error, not Raw's error: it reads the server's Status (403, 404...)
	// into an API error, as the typed clients do.
	body, _ := result.Raw()
	if err := result.Error(); err != nil {
		return nil, err
	}
	return decodePage(body)
}

// protobufMagic starts every protobuf-encoded Kubernetes object.
var protobufMagic = []byte("k8s\x00")

// decodePage reads a PartialObjectMetadataList, protobuf or JSON, keeping
// the list's metadata and each item's namespace, name, uid and resource
// version.
func decodePage(body []byte) (*metav1.PartialObjectMetadataList, error) {
	if !bytes.HasPrefix(body, protobufMagic) {
		var list metav1.PartialObjectMetadataList
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, fmt.Errorf("unable to decode the list as PartialObjectMetadataList: %w", err)
		}
		switch list.Kind {
		case "Status":
			var status metav1.Status
			if err := json.Unmarshal(body, &status); err != nil {
				return nil, err
			}
			return nil, apierrors.FromObject(&status)
		case "":
			// As client-go: a list of another kind (a server without
			// the metadata conversion) is read for its items' metadata,
			// but an answer without a kind is no list.
			return nil, fmt.Errorf("%w: no kind", errNotAList)
		}
		for i := range list.Items {
			list.Items[i] = stripped(&list.Items[i])
		}
		return &list, nil
	}
	list, err := decodeProtobufPage(body[len(protobufMagic):])
	if err != nil {
		return nil, fmt.Errorf("unable to decode the list as PartialObjectMetadataList: %w", err)
	}
	return list, nil
}

// stripped is m reduced to what a listing keeps.
func stripped(m *metav1.PartialObjectMetadata) metav1.PartialObjectMetadata {
	// No TypeMeta: items read from protobuf have none either.
	return metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion,
	}}
}

// Field numbers, from k8s.io/apimachinery's generated.proto files. They are
// part of the API's compatibility promise and never change.
const (
	unknownTypeMeta = 1 // runtime.Unknown
	unknownRaw      = 2
	typeMetaVersion = 1 // runtime.TypeMeta
	typeMetaKind    = 2
	listMetadata    = 1 // metav1.PartialObjectMetadataList
	listItems       = 2
	listMetaRV      = 2 // metav1.ListMeta
	listMetaCont    = 3
	listMetaLeft    = 4
	itemMetadata    = 1 // metav1.PartialObjectMetadata
	metaName        = 1 // metav1.ObjectMeta
	metaNamespace   = 3
	metaUID         = 5
	metaRV          = 6
)

var errNotAList = errors.New("the answer is not a PartialObjectMetadataList")

// decodeProtobufPage reads the runtime.Unknown envelope after the magic
// bytes and the list inside it.
func decodeProtobufPage(b []byte) (*metav1.PartialObjectMetadataList, error) {
	var raw []byte
	var apiVersion, kind string
	err := eachField(b, func(num protowire.Number, v []byte) error {
		switch num {
		case unknownTypeMeta:
			return eachField(v, func(num protowire.Number, v []byte) error {
				switch num {
				case typeMetaVersion:
					apiVersion = string(v)
				case typeMetaKind:
					kind = string(v)
				}
				return nil
			})
		case unknownRaw:
			raw = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch kind {
	case "PartialObjectMetadataList":
	case "Status":
		var status metav1.Status
		if err := status.Unmarshal(raw); err != nil {
			return nil, err
		}
		return nil, apierrors.FromObject(&status)
	default:
		return nil, fmt.Errorf("%w: kind %q", errNotAList, kind)
	}
	list := &metav1.PartialObjectMetadataList{TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}}
	// Counting first sizes Items once: growing it page-long instead
	// doubles the time and quadruples the memory (BenchmarkPageDecode).
	n := 0
	if err := eachField(raw, func(num protowire.Number, _ []byte) error {
		if num == listItems {
			n++
		}
		return nil
	}); err != nil {
		return nil, err
	}
	list.Items = make([]metav1.PartialObjectMetadata, 0, n)
	err = eachField(raw, func(num protowire.Number, v []byte) error {
		switch num {
		case listMetadata:
			return decodeListMeta(v, &list.ListMeta)
		case listItems:
			item := metav1.PartialObjectMetadata{}
			err := eachField(v, func(num protowire.Number, v []byte) error {
				if num == itemMetadata {
					return decodeObjectMeta(v, &item.ObjectMeta)
				}
				return nil
			})
			list.Items = append(list.Items, item)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

func decodeListMeta(b []byte, m *metav1.ListMeta) error {
	return eachFieldValue(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == listMetaRV && typ == protowire.BytesType:
			m.ResourceVersion = string(v)
		case num == listMetaCont && typ == protowire.BytesType:
			m.Continue = string(v)
		case num == listMetaLeft && typ == protowire.VarintType:
			left := int64(x)
			m.RemainingItemCount = &left
		}
		return nil
	})
}

func decodeObjectMeta(b []byte, m *metav1.ObjectMeta) error {
	return eachField(b, func(num protowire.Number, v []byte) error {
		switch num {
		case metaName:
			m.Name = string(v)
		case metaNamespace:
			m.Namespace = string(v)
		case metaUID:
			m.UID = types.UID(v)
		case metaRV:
			m.ResourceVersion = string(v)
		}
		return nil
	})
}

// eachField calls fn with every length-delimited field of the message b
// (strings, bytes and embedded messages) and checks that the others are
// well formed. v aliases b.
func eachField(b []byte, fn func(num protowire.Number, v []byte) error) error {
	return eachFieldValue(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		return fn(num, v)
	})
}

// eachFieldValue calls fn with every field of the message b: v for a
// length-delimited one, x for a varint.
func eachFieldValue(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}
