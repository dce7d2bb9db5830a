package k8s

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// metricsAccept asks metrics-server for protobuf, a third of the JSON's
// size; adapters that serve only JSON answer with that.
const metricsAccept = "application/vnd.kubernetes.protobuf, application/json"

// usageList is one metrics LIST reduced to what the columns show: CPU in
// millicores and memory in bytes by rowKey (a pod's summed over its
// containers, as kubectl top does), and the oldest figures' time.
type usageList struct {
	figures map[objectName]usage
	oldest  time.Time
}

// readUsage lists the PodMetrics of namespace ("" for all), or the
// NodeMetrics, that labelSelector matches, in one request.
func (c *Conn) readUsage(ctx context.Context, nodes bool, namespace, labelSelector string) (usageList, error) {
	resource := "pods"
	if nodes {
		resource, namespace = "nodes", ""
	}
	body, err := c.core.CoreV1().RESTClient().Get().AbsPath("/apis", MetricsGroup, MetricsVersion).
		Namespace(namespace).Resource(resource).
		Param("labelSelector", labelSelector).
		SetHeader("Accept", metricsAccept).
		Stream(ctx)
	if err != nil {
		return usageList{}, err
	}
	defer body.Close()
	r := bufio.NewReaderSize(body, 64<<10)
	if magic, _ := r.Peek(len(k8sProtobufMagic)); bytes.Equal(magic, k8sProtobufMagic) {
		return reduceUsage(r, nodes)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return usageList{}, err
	}
	return decodeUsage(raw, nodes)
}

// reduceUsage reads a protobuf PodMetricsList or NodeMetricsList as it
// goes, keeping only names, figures and times.
func reduceUsage(r *bufio.Reader, nodes bool) (usageList, error) {
	out := usageList{figures: map[objectName]usage{}}
	namespaces := map[string]string{}
	_, err := streamList(r, func(item []byte) error {
		var namespace, name string
		var u usage
		var at time.Time
		err := pbAllFields(item, func(num protowire.Number, typ protowire.Type, v []byte) error {
			switch {
			case typ != protowire.BytesType:
			case num == 1: // ObjectMeta
				return pbFields(v, func(num protowire.Number, s []byte) error {
					switch num {
					case 1:
						name = string(s)
					case 3:
						namespace = intern(namespaces, s)
					}
					return nil
				})
			case num == 2: // timestamp
				t, err := pbTime(v)
				at = t
				return err
			case num == 4 && nodes: // usage: a map entry
				return addUsage(&u, v)
			case num == 4: // a ContainerMetrics: its usage, field 2
				return pbFields(v, func(num protowire.Number, entry []byte) error {
					if num != 2 {
						return nil
					}
					return addUsage(&u, entry)
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		out.figures[rowKey(namespace, name)] = u
		if out.oldest.IsZero() || at.Before(out.oldest) {
			out.oldest = at
		}
		return nil
	})
	if err != nil {
		return usageList{}, fmt.Errorf("reading metrics: %w", err)
	}
	return out, nil
}

// addUsage adds one usage map entry to u.
func addUsage(u *usage, entry []byte) error {
	cpu, v, ok, err := resourceEntry(entry)
	switch {
	case err != nil || !ok:
	case cpu:
		u.cpu += v
	default:
		u.mem += v
	}
	return err
}

// resourceEntry reads one entry of a protobuf map of resource name to
// Quantity (key 1, the name; value 2, a Quantity whose field 1 is its
// text), as pods' requests and limits and metrics' usage are: CPU in
// millicores, or memory in bytes. ok is false for other resources.
func resourceEntry(entry []byte) (cpu bool, v int64, ok bool, err error) {
	name, err := pbField(entry, 1)
	if err != nil {
		return false, 0, false, err
	}
	cpu = string(name) == string(corev1.ResourceCPU)
	if !cpu && string(name) != string(corev1.ResourceMemory) {
		return false, 0, false, nil
	}
	q, err := pbField(entry, 2)
	if err != nil {
		return false, 0, false, err
	}
	text, err := pbField(q, 1)
	if err != nil {
		return false, 0, false, err
	}
	quantity, err := resource.ParseQuantity(string(text))
	if err != nil {
		return false, 0, false, err
	}
	if cpu {
		return true, quantity.MilliValue(), true, nil
	}
	return false, quantity.Value(), true, nil
}

// pbTime reads a metav1.Time: seconds (1) and nanoseconds (2), varints.
func pbTime(b []byte) (time.Time, error) {
	var sec, nsec int64
	err := pbAllFields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.VarintType {
			return nil
		}
		n, _ := protowire.ConsumeVarint(v)
		switch num {
		case 1:
			sec = int64(n)
		case 2:
			nsec = int64(int32(n))
		}
		return nil
	})
	return time.Unix(sec, nsec), err
}

// decodeUsage reads a JSON PodMetricsList or NodeMetricsList.
func decodeUsage(raw []byte, nodes bool) (usageList, error) {
	out := usageList{figures: map[objectName]usage{}}
	note := func(t time.Time) {
		if out.oldest.IsZero() || t.Before(out.oldest) {
			out.oldest = t
		}
	}
	if nodes {
		var list metricsv1beta1.NodeMetricsList
		if err := json.Unmarshal(raw, &list); err != nil {
			return usageList{}, fmt.Errorf("decoding metrics: %w", err)
		}
		for _, m := range list.Items {
			out.figures[rowKey("", m.Name)] = usage{cpu: m.Usage.Cpu().MilliValue(), mem: m.Usage.Memory().Value()}
			note(m.Timestamp.Time)
		}
		return out, nil
	}
	var list metricsv1beta1.PodMetricsList
	if err := json.Unmarshal(raw, &list); err != nil {
		return usageList{}, fmt.Errorf("decoding metrics: %w", err)
	}
	for _, m := range list.Items {
		out.figures[rowKey(m.Namespace, m.Name)] = podUsage(m)
		note(m.Timestamp.Time)
	}
	return out, nil
}
