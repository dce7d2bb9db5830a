package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/model"
)

// The jump bar's commands: a resource, a relative path, a context, a
// search; Tab completes from the listings; a jump that leads nowhere says
// why.
func TestWebJumpAndComplete(t *testing.T) {
	srv, hs, _, ns := serve(t)
	bearer := map[string]string{"Authorization": "Bearer " + srv.Token()}
	nsURL := "/namespaces/" + ns
	jump := func(q, at string) (int, string) {
		t.Helper()
		resp, body := get(t, "GET", hs.URL+"/-/jump?"+url.Values{"q": {q}, "at": {at}}.Encode(), bearer)
		if resp.StatusCode == http.StatusSeeOther {
			return resp.StatusCode, resp.Header.Get("Location")
		}
		return resp.StatusCode, body
	}
	for _, c := range []struct{ q, at, want string }{
		{"cm settings", nsURL, nsURL + "/configmaps/settings"},
		{"configmaps/settings/manifest.yaml", nsURL, nsURL + "/configmaps/settings/manifest.yaml"},
		{"..", nsURL + "/configmaps/settings/manifest.yaml", nsURL + "/configmaps"},
		{"/cluster/nodes", nsURL, "/cluster/nodes"},
		{"po -A", nsURL, "/all/pods"},
		{"dev:/namespaces", nsURL, "/namespaces"},
		{"configmaps", "/@dev" + nsURL, nsURL + "/configmaps"}, // the start context's pages have one URL
		{"ctx dev", nsURL + "/configmaps", "/"},
		{"grep tier: db", nsURL + "/configmaps/settings/manifest.yaml", "/-/grep?at=" + url.QueryEscape(nsURL+"/configmaps/settings") + "&q=tier%3A+db"},
	} {
		if code, got := jump(c.q, c.at); code != http.StatusSeeOther || got != c.want {
			t.Errorf("jump %q at %s: %d %q, want %q", c.q, c.at, code, got, c.want)
		}
	}
	for _, c := range []struct{ q, want string }{
		{"ctx nosuch", `unknown context "nosuch"`},
		{"nosuch:/namespaces", `unknown context "nosuch"`},
		{"po -l app=web", "selectors"},
		{"nosuchtype web", `unknown type "nosuchtype"`},
	} {
		if code, got := jump(c.q, nsURL); code != http.StatusNotFound || !strings.Contains(got, c.want) {
			t.Errorf("jump %q: %d %q, want 404 saying %q", c.q, code, got, c.want)
		}
	}
	resp, body := get(t, "GET", hs.URL+"/-/jump?json&"+url.Values{"q": {"cm"}, "at": {nsURL}}.Encode(), bearer)
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != `{"url":"`+nsURL+`/configmaps"}` {
		t.Errorf("jump as JSON: %d %s", resp.StatusCode, body)
	}

	complete := func(q, at string) (c struct {
		Prefix, Common string
		Matches        []string
	}) {
		t.Helper()
		resp, body := get(t, "GET", hs.URL+"/-/complete?"+url.Values{"q": {q}, "at": {at}}.Encode(), bearer)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("complete %q: %d %s", q, resp.StatusCode, body)
		}
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := complete(nsURL+"/configmaps/se", "/"); c.Prefix != nsURL+"/configmaps/" || len(c.Matches) != 1 || c.Matches[0] != "settings/" {
		t.Errorf("completing a path: %+v", c)
	}
	if c := complete("cm s", nsURL); c.Prefix != "cm " || len(c.Matches) != 1 || c.Matches[0] != "settings" {
		t.Errorf("completing a name after a resource: %+v", c)
	}
	if c := complete("configm", nsURL); c.Common != "configmap" || len(c.Matches) < 2 {
		t.Errorf("completing a type's alias: %+v", c)
	}
	if c := complete("ctx d", nsURL); len(c.Matches) != 1 || c.Matches[0] != "dev" {
		t.Errorf("completing a context: %+v", c)
	}
}

// d: the unified diff of two leaves, as kfsui diff prints it (?raw) and
// highlighted; D: a leaf against the same path in every other context;
// :grep: the manifests' matching lines, as kfsui grep prints them, each
// leading to its leaf; tree.txt's lines lead to their objects.
func TestWebDiffGrepAndTreeLinks(t *testing.T) {
	srv, hs, _, ns := serve(t)
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bearer := map[string]string{"Authorization": "Bearer " + srv.Token()}
	other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other"}, Data: map[string]string{"color": "blue"}}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	a, b := "/namespaces/"+ns+"/configmaps/settings/manifest.yaml", "/namespaces/"+ns+"/configmaps/other/manifest.yaml"
	fs := srv.trees["dev"].FS
	la, err := fs.Read(ctx, model.MustParse(a))
	if err != nil {
		t.Fatal(err)
	}
	lb, err := fs.Read(ctx, model.MustParse(b))
	if err != nil {
		t.Fatal(err)
	}
	na, err := fs.Read(ctx, model.MustParse(model.NeatName(a)))
	if err != nil {
		t.Fatal(err)
	}
	nb, err := fs.Read(ctx, model.MustParse(model.NeatName(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Two manifests compare neat, or as stored with manifests=raw.
	diffURL := hs.URL + "/-/diff?" + url.Values{"a": {a}, "b": {b}}.Encode()
	resp, raw := get(t, "GET", diffURL+"&raw", bearer)
	if want := model.UnifiedDiff(model.NeatName(a), na.Text, model.NeatName(b), nb.Text); resp.StatusCode != http.StatusOK || raw != want ||
		!strings.Contains(raw, "+  color: blue") || strings.Contains(raw, "uid:") {
		t.Errorf("the diff's text: %d\n%s\nwant\n%s", resp.StatusCode, raw, want)
	}
	resp, raw = get(t, "GET", diffURL+"&raw&manifests=raw", bearer)
	if want := model.UnifiedDiff(a, la.Text, b, lb.Text); resp.StatusCode != http.StatusOK || raw != want || !strings.Contains(raw, "uid:") {
		t.Errorf("the diff's text as stored: %d\n%s\nwant\n%s", resp.StatusCode, raw, want)
	}
	resp, page := get(t, "GET", diffURL, bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<span class="gi">`) || strings.Contains(page, "<script>alert") {
		t.Errorf("the diff's page: %d\n%s", resp.StatusCode, page)
	}
	if resp, body := get(t, "GET", hs.URL+"/-/diff?"+url.Values{"a": {a}, "across": {""}}.Encode(), bearer); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "another --context") {
		t.Errorf("D with one context: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, "GET", hs.URL+"/-/diff?"+url.Values{"a": {"/namespaces/" + ns}, "b": {b}}.Encode(), bearer); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "compares leaves") {
		t.Errorf("d on a directory: %d %s", resp.StatusCode, body)
	}

	// Two contexts on one cluster: D finds them the same.
	two, err := New(Options{Trees: []Tree{*srv.trees["dev"], {Context: "prod", FS: fs}}, Listen: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "http://127.0.0.1:1/-/diff?raw&"+url.Values{"a": {a}, "across": {""}}.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+two.Token())
	two.Handler().ServeHTTP(rec, req)
	if want := "=== dev:" + model.NeatName(a) + " and prod:" + model.NeatName(a) + " are the same\n"; rec.Body.String() != want {
		t.Errorf("D across two contexts: %d %q, want %q", rec.Code, rec.Body.String(), want)
	}

	grepURL := hs.URL + "/-/grep?" + url.Values{"q": {"ALERT"}, "at": {"/namespaces/" + ns + "/configmaps"}}.Encode()
	resp, raw = get(t, "GET", grepURL+"&raw", bearer)
	if want := a + ":  color: <script>alert(1)</script>\n"; resp.StatusCode != http.StatusOK || raw != want {
		t.Errorf("grep's text: %d %q, want %q", resp.StatusCode, raw, want)
	}
	resp, page = get(t, "GET", grepURL, bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<a class="line" href="`+a+`">`) || !strings.Contains(page, "grep ALERT: 1 of ") ||
		strings.Contains(page, "<script>alert") {
		t.Errorf("grep's page: %d\n%s", resp.StatusCode, page)
	}

	runningPod(t, ns, "linked", "app")
	resp, page = get(t, "GET", hs.URL+"/namespaces/"+ns+"/pods/linked/tree.txt", bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<a class="line" href="/namespaces/`+ns+`/pods/linked">`) {
		t.Errorf("tree.txt's page: %d\n%s", resp.StatusCode, page)
	}
}

// Several log panes on one page, each a log or a logs/ directory; a path
// that streams no log is refused.
func TestWebLogPanesPage(t *testing.T) {
	srv, hs, _, ns := serve(t)
	bearer := map[string]string{"Authorization": "Bearer " + srv.Token()}
	a, b := "/namespaces/"+ns+"/pods/x/logs/app.log", "/namespaces/"+ns+"/deployments/web/logs"
	resp, page := get(t, "GET", hs.URL+"/-/logs?"+url.Values{"p": {a, b}}.Encode(), bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-panes="[&#34;`+a+`&#34;,&#34;`+b+`&#34;]"`) {
		t.Errorf("two panes: %d\n%s", resp.StatusCode, page)
	}
	if resp, body := get(t, "GET", hs.URL+"/-/logs?"+url.Values{"p": {a, "/namespaces/" + ns + "/configmaps"}}.Encode(), bearer); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "neither a .log leaf nor a logs/ directory") {
		t.Errorf("a pane of a directory of ConfigMaps: %d %s", resp.StatusCode, body)
	}
}
