package k8s

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
)

// A server that answers every page with the continue token it was sent
// ends the paged list with an error instead of keeping it going forever.
func TestPagedListStopsOnARepeatedContinueToken(t *testing.T) {
	pages := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"continue":"same"},`+
			`"items":[{"metadata":{"name":"p%d","namespace":"ns"}}]}`, pages)
	}))
	defer srv.Close()
	md, err := metadata.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := &Conn{lists: &Lists{md: md}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = c.Count(ctx, Type{GVR: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, Namespaced: true}, "ns")
	if err == nil || !strings.Contains(err.Error(), "continue token") {
		t.Fatalf("Count = %v, want the repeated continue token named", err)
	}
	if pages != 2 {
		t.Errorf("%d pages asked, want 2: the first, and the one answered with its own token", pages)
	}
}
