package k8s

import (
	"context"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

// capacityPage is how many pods one list page of listPods asks for.
const capacityPage = 5000

// reducedPod is a pod as the capacity reflector lists it: where it is and
// what its figures are measured against, nothing else.
type reducedPod struct {
	metav1.TypeMeta
	namespace, name string
	capacity        capacity
}

// DeepCopyObject implements runtime.Object.
func (p *reducedPod) DeepCopyObject() runtime.Object { c := *p; return &c }

// reducedPodList is a list of reducedPods with the list's resource
// version, for the reflector to watch from.
type reducedPodList struct {
	metav1.TypeMeta
	metav1.ListMeta
	Items []reducedPod
}

// DeepCopyObject implements runtime.Object, shallowly: items are never
// changed.
func (l *reducedPodList) DeepCopyObject() runtime.Object { c := *l; return &c }

// listPods lists the feed's pods as it needs them: each reduced, as it is
// read from the protobuf, to its name, namespace and containers' requests
// and limits. A whole pod is many times that, and decoding 30,000 of them
// costs seconds of CPU and a heap's worth of garbage; this skips what it
// does not keep. It lists at exactly resource version rv, or, for "0",
// what the API server's watch cache holds, as informers do: served from
// memory, that costs the server a fraction of a consistent list. Pages
// are read item by item, so one page may be large (the watch's events are
// few, and decoded whole).
func (f *metricsFeed) listPods(ctx context.Context, opts metav1.ListOptions, rv string) (*reducedPodList, error) {
	out := &reducedPodList{}
	opts = f.e.narrow(opts)
	opts.ResourceVersion, opts.ResourceVersionMatch = at(rv)
	opts.Limit, opts.Continue = capacityPage, ""
	namespaces := map[string]string{} // each kept once
	item := func(b []byte) error {
		p, err := reducePod(b, namespaces)
		if err == nil {
			out.Items = append(out.Items, p)
		}
		return err
	}
	for {
		meta, err := streamRequest(ctx, f.src.objects.CoreV1().RESTClient().Get().
			Namespace(f.namespace()).Resource("pods").
			VersionedParams(&opts, scheme.ParameterCodec).
			SetHeader("Accept", "application/vnd.kubernetes.protobuf"), item)
		if err != nil {
			return nil, readingErr("the pods' requests and limits", err)
		}
		out.ResourceVersion = meta.ResourceVersion
		if meta.Continue == "" {
			return out, nil
		}
		if err := sameContinue(opts.Continue, meta.Continue); err != nil {
			return nil, err
		}
		// The continue token holds the resource version.
		opts.ResourceVersion, opts.ResourceVersionMatch, opts.Continue = "", "", meta.Continue
	}
}

// reducePod reads a Pod's name, namespace and containers' resources.
func reducePod(b []byte, namespaces map[string]string) (reducedPod, error) {
	var p reducedPod
	var containers []capacity
	err := pbFields(b, func(num protowire.Number, v []byte) error {
		switch num {
		case 1: // ObjectMeta
			return pbFields(v, func(num protowire.Number, s []byte) error {
				switch num {
				case 1:
					p.name = string(s)
				case 3:
					p.namespace = intern(namespaces, s)
				}
				return nil
			})
		case 2: // PodSpec: its containers, field 2
			return pbFields(v, func(num protowire.Number, c []byte) error {
				if num != 2 {
					return nil
				}
				res, err := reduceContainer(c)
				containers = append(containers, res)
				return err
			})
		}
		return nil
	})
	p.capacity = sumCapacity(containers)
	return p, err
}

// reduceContainer reads a Container's requests and limits (its
// resources, field 8: limits 1 and requests 2, maps of resource name to
// Quantity); -1 where one is not set.
func reduceContainer(b []byte) (capacity, error) {
	c := capacity{req: usage{-1, -1}, lim: usage{-1, -1}}
	err := pbFields(b, func(num protowire.Number, v []byte) error {
		if num != 8 {
			return nil
		}
		return pbFields(v, func(num protowire.Number, entry []byte) error {
			var into *usage
			switch num {
			case 1:
				into = &c.lim
			case 2:
				into = &c.req
			default:
				return nil
			}
			cpu, v, ok, err := resourceEntry(entry)
			switch {
			case err != nil || !ok:
			case cpu:
				into.cpu = v
			default:
				into.mem = v
			}
			return err
		})
	})
	return c, err
}

// sumCapacity sums the requests and limits of a pod's containers, as k9s
// does: a sum is -1 when a container leaves it unset (no limit means no
// bound to measure against), and all are for a pod without containers.
func sumCapacity(containers []capacity) capacity {
	if len(containers) == 0 {
		return capacity{req: usage{-1, -1}, lim: usage{-1, -1}}
	}
	var sum capacity
	add := func(s *int64, v int64) {
		switch {
		case *s < 0:
		case v < 0:
			*s = -1
		default:
			*s += v
		}
	}
	for _, c := range containers {
		add(&sum.req.cpu, c.req.cpu)
		add(&sum.req.mem, c.req.mem)
		add(&sum.lim.cpu, c.lim.cpu)
		add(&sum.lim.mem, c.lim.mem)
	}
	return sum
}

// podCapacity is sumCapacity of a whole pod's containers.
func podCapacity(p *corev1.Pod) capacity {
	containers := make([]capacity, len(p.Spec.Containers))
	for i, ct := range p.Spec.Containers {
		c := capacity{req: usage{-1, -1}, lim: usage{-1, -1}}
		r, l := ct.Resources.Requests, ct.Resources.Limits
		if q, ok := r[corev1.ResourceCPU]; ok {
			c.req.cpu = q.MilliValue()
		}
		if q, ok := r[corev1.ResourceMemory]; ok {
			c.req.mem = q.Value()
		}
		if q, ok := l[corev1.ResourceCPU]; ok {
			c.lim.cpu = q.MilliValue()
		}
		if q, ok := l[corev1.ResourceMemory]; ok {
			c.lim.mem = q.Value()
		}
		containers[i] = c
	}
	return sumCapacity(containers)
}
