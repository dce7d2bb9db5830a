package k8s

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// Lists kfsui reads for a few fields of many objects (the pods' requests
// and limits, the objects' names, metrics) come in protobuf and are read
// as they arrive, one item at a time, keeping only those fields. A page
// of 5,000 whole pods is 14 MB: read whole, it would be that much heap
// at once, and more in garbage as its buffer grows.

// k8sProtobufMagic starts every protobuf answer of the API server, before
// its runtime.Unknown envelope.
var k8sProtobufMagic = []byte("k8s\x00")

// maxItem bounds one item of a list read item by item: a larger one is
// refused rather than allocated.
const maxItem = 64 << 20

// streamRequest sends a list request and reads its protobuf answer item
// by item (see streamList).
func streamRequest(ctx context.Context, req *rest.Request, item func([]byte) error) (metav1.ListMeta, error) {
	body, err := req.Stream(ctx)
	if err != nil {
		return metav1.ListMeta{}, err
	}
	defer body.Close()
	return streamList(bufio.NewReaderSize(body, 64<<10), item)
}

// streamList reads one protobuf list answer of the API server (a PodList,
// a PartialObjectMetadataList, a PodMetricsList: each has its ListMeta as
// field 1 and its items as field 2) from r, calls item with each item's
// bytes, valid until it returns, and returns the list's metadata.
func streamList(r *bufio.Reader, item func([]byte) error) (metav1.ListMeta, error) {
	var meta metav1.ListMeta
	magic := make([]byte, len(k8sProtobufMagic))
	if _, err := io.ReadFull(r, magic); err != nil || !bytes.Equal(magic, k8sProtobufMagic) {
		return meta, errors.New("not a protobuf answer")
	}
	p := &pbReader{r: r}
	var buf []byte
	// runtime.Unknown: the list's bytes are its field 2.
	for {
		num, typ, err := p.tag()
		if err == io.EOF {
			return meta, nil
		}
		if err != nil {
			return meta, err
		}
		if num != 2 || typ != protowire.BytesType {
			if err := p.skip(typ); err != nil {
				return meta, err
			}
			continue
		}
		size, err := p.uvarint()
		if err != nil {
			return meta, err
		}
		for end := p.n + int64(size); p.n < end; {
			num, typ, err := p.tag()
			if err != nil {
				return meta, unexpectedEOF(err)
			}
			if typ != protowire.BytesType || (num != 1 && num != 2) {
				if err := p.skip(typ); err != nil {
					return meta, err
				}
				continue
			}
			if buf, err = p.bytes(buf); err != nil {
				return meta, err
			}
			if num == 1 {
				err = pbFields(buf, func(num protowire.Number, v []byte) error {
					switch num {
					case 2:
						meta.ResourceVersion = string(v)
					case 3:
						meta.Continue = string(v)
					}
					return nil
				})
			} else {
				err = item(buf)
			}
			if err != nil {
				return meta, err
			}
		}
	}
}

// readingErr is err, the server's answer as it is, or a failure to read
// what, said so.
func readingErr(what string, err error) error {
	var status apierrors.APIStatus
	if errors.As(err, &status) || ctxErr(err) {
		return err
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// ctxErr reports whether err is a context's end.
func ctxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// reduceList is streamList of an answer read whole.
func reduceList(raw []byte, item func([]byte) error) (metav1.ListMeta, error) {
	return streamList(bufio.NewReader(bytes.NewReader(raw)), item)
}

// pbReader reads protobuf fields from a stream, counting the bytes read.
type pbReader struct {
	r *bufio.Reader
	n int64
}

// ReadByte implements io.ByteReader, for binary.ReadUvarint.
func (p *pbReader) ReadByte() (byte, error) {
	b, err := p.r.ReadByte()
	if err == nil {
		p.n++
	}
	return b, err
}

func (p *pbReader) uvarint() (uint64, error) { return binary.ReadUvarint(p) }

// tag reads a field's tag; io.EOF when the stream ends before it.
func (p *pbReader) tag() (protowire.Number, protowire.Type, error) {
	v, err := p.uvarint()
	if err != nil {
		return 0, 0, err
	}
	return protowire.Number(v >> 3), protowire.Type(v & 7), nil
}

// bytes reads a length-delimited field's contents into buf, grown as
// needed, and returns them.
func (p *pbReader) bytes(buf []byte) ([]byte, error) {
	size, err := p.uvarint()
	if err != nil {
		return nil, unexpectedEOF(err)
	}
	if size > maxItem {
		return nil, fmt.Errorf("a list item of %d bytes", size)
	}
	if uint64(cap(buf)) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(p.r, buf); err != nil {
		return nil, unexpectedEOF(err)
	}
	p.n += int64(size)
	return buf, nil
}

// skip reads past a field's value.
func (p *pbReader) skip(typ protowire.Type) error {
	var n uint64
	switch typ {
	case protowire.VarintType:
		_, err := p.uvarint()
		return unexpectedEOF(err)
	case protowire.Fixed32Type:
		n = 4
	case protowire.Fixed64Type:
		n = 8
	case protowire.BytesType:
		size, err := p.uvarint()
		if err != nil {
			return unexpectedEOF(err)
		}
		n = size
	default:
		return fmt.Errorf("protobuf wire type %d is not read", typ)
	}
	got, err := p.r.Discard(int(min(n, maxItem+1)))
	p.n += int64(got)
	if err == nil && uint64(got) != n {
		err = fmt.Errorf("a field of %d bytes", n)
	}
	return unexpectedEOF(err)
}

// unexpectedEOF is err, io.ErrUnexpectedEOF for io.EOF: the stream
// ended inside a message.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// intern returns b as a string, the same string for the same bytes.
func intern(seen map[string]string, b []byte) string {
	if s, ok := seen[string(b)]; ok {
		return s
	}
	s := string(b)
	seen[s] = s
	return s
}

// pbAllFields calls fn with each field of message b: a length-delimited
// one's contents, or a varint's or fixed number's bytes.
func pbAllFields(b []byte, fn func(protowire.Number, protowire.Type, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		v := b[:n]
		if typ == protowire.BytesType {
			var m int
			v, m = protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
		}
		b = b[n:]
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}

// pbFields calls fn with each length-delimited field of message b (the
// only kind these messages' wanted fields are), skipping the others.
func pbFields(b []byte, fn func(protowire.Number, []byte) error) error {
	return pbAllFields(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		return fn(num, v)
	})
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
