package k8s

import (
	"context"

	"google.golang.org/protobuf/encoding/protowire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// A table across namespaces says in no cell which namespace a row is in:
// only the row's object does, and asking for the objects' metadata
// (includeObject=Metadata) makes the table of 30,000 pods 170 MB of JSON
// that the server takes seconds to write, managed fields and all. So a
// listing of every namespace lists its table bare, and beside it, at the
// same resource version, the objects' metadata in protobuf, reduced as it
// is read to each one's namespace and name (nameRows joins the two).

// objectName is where an object is.
type objectName struct{ namespace, name string }

// metadataProtobuf asks for a collection as its objects' metadata, in
// protobuf, as client-go's metadata client does.
const metadataProtobuf = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"

// namesPage is how many objects one page of names asks for.
const namesPage = 5000

// names lists the namespace and name of every object of gvr, in every
// namespace, at exactly resource version rv (from the server's cache for
// "0"), in the server's order. opts gives the selectors.
func (p *pager) names(ctx context.Context, gvr schema.GroupVersionResource, opts metav1.ListOptions, rv string) ([]objectName, error) {
	opts.ResourceVersion, opts.ResourceVersionMatch = at(rv)
	opts.Limit, opts.Continue = namesPage, ""
	var out []objectName
	// The namespaces are few and repeat: each is kept once.
	seen := map[string]string{}
	item := func(b []byte) error {
		meta, err := pbField(b, 1) // PartialObjectMetadata's ObjectMeta
		if err != nil {
			return err
		}
		var n objectName
		err = pbFields(meta, func(num protowire.Number, v []byte) error {
			switch num {
			case 1:
				n.name = string(v)
			case 3:
				ns, ok := seen[string(v)]
				if !ok {
					ns = string(v)
					seen[ns] = ns
				}
				n.namespace = ns
			}
			return nil
		})
		out = append(out, n)
		return err
	}
	for {
		meta, err := streamRequest(ctx, p.rest.Get().AbsPath(collectionPath(gvr, AllNamespaces)...).
			SetHeader("Accept", metadataProtobuf).
			SpecificallyVersionedParams(&opts, metav1.ParameterCodec, metav1.SchemeGroupVersion), item)
		if err != nil {
			return nil, readingErr("the objects' names", err)
		}
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

// at is how a list asks for resource version rv: exactly that one, or,
// for "0", whatever the API server's watch cache holds.
func at(rv string) (string, metav1.ResourceVersionMatch) {
	if rv == "0" {
		return rv, ""
	}
	return rv, metav1.ResourceVersionMatchExact
}

// nameRows gives the rows of a bare table across namespaces their
// namespaces, from the names listed at the table's resource version: the
// same objects in the same order, as the server keeps both by namespace
// and name. It reports false, and changes nothing, when they are not the
// same: a row whose name is not its counterpart's.
func nameRows(rows []tableRow, names []objectName) bool {
	if len(rows) != len(names) {
		return false
	}
	for i := range rows {
		if rows[i].Name != names[i].name {
			return false
		}
	}
	for i := range rows {
		rows[i].Namespace = names[i].namespace
	}
	return true
}
