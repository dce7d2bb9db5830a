package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kfsui/kfsui/internal/testcluster"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
)

func TestMain(m *testing.M) { os.Exit(testcluster.RunMain(m)) }

// requestCount counts what reaches the API server.
type requestCount struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *requestCount) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// serve starts a web server on the shared cluster, and a namespace with a
// ConfigMap in it; it returns the server, its URL and the request count.
func serve(t *testing.T) (*Server, *httptest.Server, *requestCount, string) {
	t.Helper()
	c := testcluster.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := fmt.Sprintf("web-%d", time.Now().UnixNano()%1e6)
	if _, err := c.Clientset().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}, Data: map[string]string{"color": "<script>alert(1)</script>"}}
	if _, err := c.Clientset().CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	count := &requestCount{}
	conn, err := k8s.ConnectConfig(ctx, c.RESTConfig(), k8s.Info{Context: "dev"}, k8s.Options{
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { count.next = rt; return count },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	hs := httptest.NewUnstartedServer(nil)
	srv, err := New(Options{Palettes: testPalettes, Keys: map[string]map[string][]string{"tree": keymap.Default().Names(keymap.ScopeGlobal, keymap.ScopeTree),
		"viewer": keymap.Default().Names(keymap.ScopeGlobal, keymap.ScopeViewer), "log": keymap.Default().Names(keymap.ScopeGlobal, keymap.ScopeLog)}, Trees: []Tree{{Context: "dev", FS: model.NewFSFor(conn, model.Options{}), Logs: conn, Changes: conn.Lists()}}, Listen: hs.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(hs.Close)
	return srv, hs, count, ns
}

func get(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// Without the token nothing is served; the start URL's token becomes an
// HttpOnly, SameSite=Strict cookie and leaves the URL; a foreign Host and
// every method but GET and HEAD are refused; malformed and encoded
// traversing paths are 404 without a request to the cluster; every answer
// carries the Content-Security-Policy and none allows other origins.
func TestWebSecurity(t *testing.T) {
	srv, hs, count, ns := serve(t)
	bearer := map[string]string{"Authorization": "Bearer " + srv.Token()}
	leaf := hs.URL + "/namespaces/" + ns + "/configmaps/settings/manifest.yaml"

	for _, h := range []map[string]string{nil, {"Authorization": "Bearer " + strings.Repeat("0", 64)}, {"Cookie": cookieName + "=nope"}} {
		if resp, _ := get(t, "GET", leaf, h); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("headers %v: %d, want 401", h, resp.StatusCode)
		}
	}
	if resp, _ := get(t, "GET", hs.URL+"/?token="+strings.Repeat("f", 64), nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong start token: %d, want 401", resp.StatusCode)
	}
	resp, _ := get(t, "GET", hs.URL+"/namespaces?token="+srv.Token(), nil)
	cookie := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/namespaces" ||
		!strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("the start URL: %d, Location %q, cookie %q", resp.StatusCode, resp.Header.Get("Location"), cookie)
	}
	// The token's redirect stays on this server: "//evil.example/" would
	// be another site's.
	if resp, _ := get(t, "GET", hs.URL+"//evil.example/?token="+srv.Token(), nil); resp.Header.Get("Location") != "/evil.example/" {
		t.Errorf("the start URL of //evil.example/ redirects to %q", resp.Header.Get("Location"))
	}
	if _, err := New(Options{Trees: []Tree{{Context: "dev"}}, Listen: "127.0.0.1:1", Token: strings.Repeat("z", 64)}); err == nil {
		t.Error("a token that is not hex was taken")
	}
	if resp, _ := get(t, "GET", leaf+"?raw", map[string]string{"Cookie": strings.Split(cookie, ";")[0]}); resp.StatusCode != http.StatusOK {
		t.Errorf("with the cookie: %d", resp.StatusCode)
	}

	_, port, _ := net.SplitHostPort(hs.Listener.Addr().String())
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.nip.io:" + port} {
		if resp, _ := get(t, "GET", leaf, map[string]string{"Authorization": bearer["Authorization"], "Host": host}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host %s: %d, want 403", host, resp.StatusCode)
		}
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		resp, _ := get(t, m, leaf, bearer)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q; want 405", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}

	before := count.n.Load()
	for _, p := range []string{"/namespaces/" + ns + "/..", "/namespaces/%2e%2e/" + ns, "/namespaces/" + ns + "%2Fconfigmaps",
		"/namespaces/" + ns + "/configmaps/settings/%2e%2e%2f%2e%2e", "/%2e%2e/%2e%2e/etc/passwd", "/@nosuchcontext/namespaces",
		"/namespaces/" + ns + "/configmaps/a%00b", "/namespaces/" + ns + "/configmaps/settings/nosuchleaf.txt"} {
		resp, _ := get(t, "GET", hs.URL+p, bearer)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
	if n := count.n.Load() - before; n != 0 {
		t.Errorf("malformed paths sent %d requests to the cluster, want none", n)
	}

	resp, _ = get(t, "GET", leaf, bearer)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("Access-Control-Allow-Origin %q", v)
	}
}

// A leaf's ?raw is exactly kfsui cat's text; its page is that text
// highlighted, the cluster's text escaped and no script inline; a
// directory's ?json lists its rows with their columns.
func TestWebServesLeavesAndDirectories(t *testing.T) {
	srv, hs, _, ns := serve(t)
	bearer := map[string]string{"Authorization": "Bearer " + srv.Token()}
	p := "/namespaces/" + ns + "/configmaps/settings/manifest.yaml"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, err := srv.trees["dev"].FS.Read(ctx, model.MustParse(p))
	if err != nil {
		t.Fatal(err)
	}
	resp, raw := get(t, "GET", hs.URL+p+"?raw", bearer)
	if resp.StatusCode != http.StatusOK || raw != want.Text || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("?raw: %d %q\n%s\nwant\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), raw, want.Text)
	}
	resp, html := get(t, "GET", hs.URL+p, bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(html, `class="chroma"`) || strings.Contains(html, "<script>alert") ||
		!strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("the leaf's page: %d\n%s", resp.StatusCode, html)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "style=") {
		t.Errorf("the page has an inline script or style:\n%s", html)
	}
	resp, js := get(t, "GET", hs.URL+"/namespaces/"+ns+"/configmaps?json", bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(js, `"name":"settings"`) || !strings.Contains(js, `"columns":["NAME","DATA","AGE"]`) ||
		!strings.Contains(js, `"url":"/namespaces/`+ns+`/configmaps/settings"`) {
		t.Errorf("the directory's JSON: %d\n%s", resp.StatusCode, js)
	}
	resp, page := get(t, "GET", hs.URL+"/namespaces/"+ns+"/configmaps", bearer)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<th>DATA</th>") || !strings.Contains(page, `href="/namespaces/`+ns+`/configmaps/settings"`) {
		t.Errorf("the directory's page: %d\n%s", resp.StatusCode, page)
	}
	if resp, css := get(t, "GET", hs.URL+"/static/theme.css", bearer); resp.StatusCode != http.StatusOK || !strings.Contains(css, "prefers-color-scheme: dark") {
		t.Errorf("theme.css: %d\n%s", resp.StatusCode, css)
	}
}

// testPalettes are the page's colors in the tests, as kfsui web's light
// and dark themes give them.
var testPalettes = Palettes{
	Light: Palette{Background: "#ffffff", Foreground: "#1c1c1c", Muted: "#808080", Directory: "#005fd7", Failing: "#d70000",
		InProgress: "#af8700", Done: "#808080", Fine: "#005fd7", Header: "#e4e4f0", HeaderText: "#1c1c1c", Selection: "#d0d0f0", Chroma: "github"},
	Dark: Palette{Background: "#1c1c1c", Foreground: "#d0d0d0", Muted: "#808080", Directory: "#5fafff", Failing: "#ff5f5f",
		InProgress: "#ffd75f", Done: "#808080", Fine: "#5fafff", Header: "#262640", HeaderText: "#d0d0d0", Selection: "#3a3a5a", Chroma: "monokai"},
}

// A directory's page is written with its first maxPageRows rows and a
// row saying how many more the script shows; ?all (keeping ?wide) writes
// every one.
func TestWebPageWritesTheFirstRows(t *testing.T) {
	dir := model.Dir{}
	for i := range maxPageRows + 50 {
		name := fmt.Sprintf("cm-%03d", i)
		dir.Entries = append(dir.Entries, model.Entry{Name: name, Path: model.MustParse("/namespaces/a/configmaps/" + name), Dir: true})
	}
	srv, err := New(Options{Trees: []Tree{{Context: "dev"}}, Listen: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    pageData
		rows int
		more string
	}{
		{pageData{Path: model.MustParse("/namespaces/a/configmaps")}, maxPageRows, `… and 50 more`},
		{pageData{Path: model.MustParse("/namespaces/a/configmaps"), Wide: true}, maxPageRows, `href="?all&amp;wide"`},
		{pageData{Path: model.MustParse("/namespaces/a/configmaps"), All: true}, maxPageRows + 50, ""},
	} {
		c.d.Dir = &dir
		rec := httptest.NewRecorder()
		srv.page(rec, c.d)
		page := rec.Body.String()
		if n := strings.Count(page, `class="dir" href=`); n != c.rows || !strings.Contains(page, c.more) ||
			!strings.Contains(page, fmt.Sprintf("%d entries", maxPageRows+50)) {
			t.Errorf("%+v: %d rows written, want %d, and %q", c.d, n, c.rows, c.more)
		}
	}
}
