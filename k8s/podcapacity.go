package k8s

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
)

// capacityPage is how many pods one list page of listPodCapacities asks
// for.
const capacityPage = 5000

// k8sProtobufMagic starts every protobuf answer of the API server, before
// its runtime.Unknown envelope.
var k8sProtobufMagic = []byte("k8s\x00")

// listPods lists the feed's pods as it needs them: each reduced, as it is
// read from the protobuf, to its name, namespace and containers' requests
// and limits. A whole pod is many times that, and decoding 30,000 of them
// costs seconds of CPU and a heap's worth of garbage; this skips what it
// does not keep. It lists in pages, consistently, and returns a PodList of
// the reduced pods with the list's resource version, for the reflector to
// watch from (the watch's events are few, and decoded whole).
func (f *metricsFeed) listPods(ctx context.Context, opts metav1.ListOptions) (*corev1.PodList, error) {
	out := &corev1.PodList{}
	opts = f.e.narrow(opts)
	opts.ResourceVersion, opts.ResourceVersionMatch, opts.Limit, opts.Continue = "", "", capacityPage, ""
	for {
		raw, err := f.src.objects.CoreV1().RESTClient().Get().
			Namespace(f.namespace()).Resource("pods").
			VersionedParams(&opts, scheme.ParameterCodec).
			SetHeader("Accept", "application/vnd.kubernetes.protobuf").
			Do(ctx).Raw()
		if err != nil {
			return nil, err
		}
		meta, err := reducePodList(raw, out)
		if err != nil {
			return nil, fmt.Errorf("reading the pods' requests and limits: %w", err)
		}
		out.ResourceVersion = meta.ResourceVersion
		if meta.Continue == "" {
			return out, nil
		}
		if err := sameContinue(opts.Continue, meta.Continue); err != nil {
			return nil, err
		}
		opts.Continue = meta.Continue
	}
}

// reducePodList appends the reduced pods of one protobuf PodList answer
// to out and returns the list's metadata.
func reducePodList(raw []byte, out *corev1.PodList) (metav1.ListMeta, error) {
	var meta metav1.ListMeta
	body, ok := bytes.CutPrefix(raw, k8sProtobufMagic)
	if !ok {
		return meta, errors.New("not a protobuf answer")
	}
	// runtime.Unknown: the object's bytes are field 2.
	list, err := pbField(body, 2)
	if err != nil {
		return meta, err
	}
	err = pbFields(list, func(num protowire.Number, b []byte) error {
		switch num {
		case 1: // ListMeta
			return pbFields(b, func(num protowire.Number, v []byte) error {
				switch num {
				case 2:
					meta.ResourceVersion = string(v)
				case 3:
					meta.Continue = string(v)
				}
				return nil
			})
		case 2: // a Pod
			p, err := reducePod(b)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, p)
		}
		return nil
	})
	return meta, err
}

// reducePod reads a Pod's name, namespace and containers' resources.
func reducePod(b []byte) (corev1.Pod, error) {
	var p corev1.Pod
	err := pbFields(b, func(num protowire.Number, v []byte) error {
		switch num {
		case 1: // ObjectMeta
			return pbFields(v, func(num protowire.Number, s []byte) error {
				switch num {
				case 1:
					p.Name = string(s)
				case 3:
					p.Namespace = string(s)
				}
				return nil
			})
		case 2: // PodSpec: its containers, field 2
			return pbFields(v, func(num protowire.Number, c []byte) error {
				if num != 2 {
					return nil
				}
				res, err := reduceContainer(c)
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Resources: res})
				return err
			})
		}
		return nil
	})
	return p, err
}

// reduceContainer reads a Container's resources, field 8: its limits (1)
// and requests (2), maps of resource name to Quantity.
func reduceContainer(b []byte) (corev1.ResourceRequirements, error) {
	var r corev1.ResourceRequirements
	err := pbFields(b, func(num protowire.Number, v []byte) error {
		if num != 8 {
			return nil
		}
		return pbFields(v, func(num protowire.Number, entry []byte) error {
			var into *corev1.ResourceList
			switch num {
			case 1:
				into = &r.Limits
			case 2:
				into = &r.Requests
			default:
				return nil
			}
			name, err := pbField(entry, 1)
			if err != nil {
				return err
			}
			q, err := pbField(entry, 2)
			if err != nil {
				return err
			}
			text, err := pbField(q, 1)
			if err != nil {
				return err
			}
			quantity, err := resource.ParseQuantity(string(text))
			if err != nil {
				return err
			}
			if *into == nil {
				*into = corev1.ResourceList{}
			}
			(*into)[corev1.ResourceName(name)] = quantity
			return nil
		})
	})
	return r, err
}

// pbFields calls fn with each length-delimited field of message b (the
// only kind these messages' wanted fields are), skipping the others.
func pbFields(b []byte, fn func(protowire.Number, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, v); err != nil {
			return err
		}
	}
	return nil
}

// pbField returns the last length-delimited field num of message b, nil if
// it has none.
func pbField(b []byte, num protowire.Number) ([]byte, error) {
	var out []byte
	err := pbFields(b, func(n protowire.Number, v []byte) error {
		if n == num {
			out = v
		}
		return nil
	})
	return out, err
}
