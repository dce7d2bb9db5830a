package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// A URL is a path of the tree: /namespaces/team-a/deployments/web/manifest.yaml.
// Another context's path is under /@CONTEXT (the context's name escaped
// as a path segment: an EKS ARN holds a "/"): /@prod/namespaces/...
// /static/ holds the page's own files.

// contextMark starts the first segment of a URL that names a context.
const contextMark = "@"

// target is what a URL names.
type target struct {
	context string // as the URL names it: "" for the start context
	tree    *Tree
	path    model.Path
}

// errNotFound is a URL that names nothing; no request was sent for it.
var errNotFound = errors.New("no such path")

// parseURL reads a request's URL as a path of one of the trees. Only the
// URL is looked at: a malformed path, an encoded slash within a segment
// or an unknown context is errNotFound before anything asks the cluster.
func (s *Server) parseURL(u *url.URL) (target, error) {
	raw := u.EscapedPath()
	if strings.Contains(strings.ToLower(raw), "%2f") && !strings.HasPrefix(raw, "/"+contextMark) {
		return target{}, errNotFound // a "/" inside a segment names nothing
	}
	t := target{tree: s.trees[s.start]}
	rest := u.Path
	if after, ok := strings.CutPrefix(raw, "/"+contextMark); ok {
		seg, tail, _ := strings.Cut(after, "/")
		name, err := url.PathUnescape(seg)
		if err != nil || s.trees[name] == nil {
			return target{}, errNotFound
		}
		if strings.Contains(strings.ToLower(tail), "%2f") {
			return target{}, errNotFound
		}
		t.context, t.tree = name, s.trees[name]
		if name == s.start {
			t.context = "" // one name for each page: /@START/x is /x
		}
		if rest, err = url.PathUnescape("/" + tail); err != nil {
			return target{}, errNotFound
		}
	}
	p, err := model.Parse(rest)
	if err != nil {
		return target{}, errNotFound
	}
	t.path = p
	return t, nil
}

// urlOf is the URL of path p in context ctx ("" for the start context).
func urlOf(ctx string, p model.Path) string {
	s := p.String()
	if ctx == "" {
		return s
	}
	return "/" + contextMark + url.PathEscape(ctx) + s
}

// route answers an authorized request.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/static/") {
		serveStatic(w, r, s.css, s.keys)
		return
	}
	if strings.HasPrefix(r.URL.Path, actionPrefix) {
		s.serveAction(w, r)
		return
	}
	t, err := s.parseURL(r.URL)
	if err != nil {
		http.Error(w, "kfsui web: "+r.URL.Path+": no such path", http.StatusNotFound)
		return
	}
	// A logs/ directory's socket streams its logs; any other
	// directory's pushes the directory.
	logs := isLogPath(t.path)
	switch {
	case isUpgrade(r) && t.path.IsDir() && !logs:
		s.serveDirSocket(w, r, t)
		return
	case isUpgrade(r):
		s.serveLogSocket(w, r, t)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.wait)
	defer cancel()
	if t.path.IsDir() {
		s.serveDir(ctx, w, r, t)
		return
	}
	s.serveLeaf(ctx, w, r, t)
}

// wants reports whether the request asks for the raw text (?raw, or
// text/plain before text/html in Accept) or for JSON (?json, or
// application/json).
func wants(r *http.Request, kind string) bool {
	q := r.URL.Query()
	accept := r.Header.Get("Accept")
	switch kind {
	case "raw":
		return q.Has("raw") || strings.HasPrefix(accept, "text/plain")
	case "json":
		return q.Has("json") || strings.HasPrefix(accept, "application/json")
	}
	return false
}

// statusOf is the HTTP status of a model error.
func statusOf(err error) int {
	switch {
	case errors.Is(err, model.ErrNoSuchPath), apierrors.IsNotFound(err):
		return http.StatusNotFound
	case apierrors.IsForbidden(err):
		return http.StatusForbidden // the kubeconfig's user may not read it
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

// serveLeaf answers a leaf: its text exactly as kfsui cat prints it for
// ?raw, else the page that shows it.
func (s *Server) serveLeaf(ctx context.Context, w http.ResponseWriter, r *http.Request, t target) {
	if t.path.Kind == model.KindLog && !wants(r, "raw") {
		// The pane reads the log over its socket.
		s.page(w, pageData{Title: t.path.String(), Context: t.context, Path: t.path, Panes: []string{urlOf(t.context, t.path)}})
		return
	}
	leaf, err := t.tree.FS.Read(ctx, t.path)
	if err != nil {
		http.Error(w, "kfsui web: "+model.OneLine(err), statusOf(err))
		return
	}
	if wants(r, "raw") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !leaf.ModTime.IsZero() {
			w.Header().Set("Last-Modified", leaf.ModTime.UTC().Format(http.TimeFormat))
		}
		_, _ = w.Write([]byte(leaf.Text))
		return
	}
	s.page(w, pageData{Title: t.path.String(), Context: t.context, Path: t.path, Leaf: &leaf, RawURL: urlOf(t.context, t.path) + "?raw"})
}

// dirJSON is a directory as scripts read it.
type dirJSON struct {
	Path    string   `json:"path"`
	Context string   `json:"context,omitempty"`
	Loading bool     `json:"loading,omitempty"`
	Error   string   `json:"error,omitempty"`
	Columns []string `json:"columns,omitempty"`
	// NameColumn is the index of the objects' names among Columns.
	NameColumn int `json:"nameColumn,omitempty"`
	// Priorities are the columns' (above 0: shown with -o wide only).
	Priorities []int32     `json:"priorities,omitempty"`
	Entries    []entryJSON `json:"entries"`
	Selector   string      `json:"selector,omitempty"`
}

type entryJSON struct {
	Name  string   `json:"name"`
	URL   string   `json:"url"`
	Dir   bool     `json:"dir,omitempty"`
	Cells []string `json:"cells,omitempty"`
	// Since gives, for each cell that is an age, the Unix time it counts
	// from (0 for the others), so a page can keep ages counting.
	Since   []int64 `json:"since,omitempty"`
	Health  string  `json:"health,omitempty"`
	Summary string  `json:"summary,omitempty"`
}

// healthNames are the health states as the page and JSON name them, the
// theme's names.
var healthNames = map[model.Health]string{
	model.HealthFine: "fine", model.HealthDone: "done", model.HealthInProgress: "in-progress", model.HealthFailing: "failing",
}

// readDir waits for the directory's listings (as the headless commands
// do), then reads it.
func readDir(ctx context.Context, fs *model.FS, p model.Path) (model.Dir, error) {
	if err := fs.Sync(ctx, p); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return model.Dir{}, err
	}
	return fs.ReadDir(ctx, p)
}

// serveDir answers a directory: JSON for scripts, else the page.
func (s *Server) serveDir(ctx context.Context, w http.ResponseWriter, r *http.Request, t target) {
	if (t.path.Kind == model.KindLogsDir || t.path.Kind == model.KindPodLogsDir) && r.URL.Query().Has("pane") {
		s.page(w, pageData{Title: t.path.String(), Context: t.context, Path: t.path, Panes: []string{urlOf(t.context, t.path)}})
		return
	}
	dir, err := readDir(ctx, t.tree.FS, t.path)
	if err != nil {
		http.Error(w, "kfsui web: "+model.OneLine(err), statusOf(err))
		return
	}
	if wants(r, "json") {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(toJSON(t, dir, time.Now()))
		return
	}
	s.page(w, pageData{Title: t.path.String(), Context: t.context, Path: t.path, Dir: &dir, Wide: r.URL.Query().Has("wide"), All: r.URL.Query().Has("all")})
}

// toJSON is dir as scripts read it: cells as the tree shows them, ages
// counted to now.
func toJSON(t target, dir model.Dir, now time.Time) dirJSON {
	out := dirJSON{Path: t.path.String(), Context: t.context, Loading: dir.Loading, Entries: []entryJSON{}}
	if dir.Err != nil {
		out.Error = model.OneLine(dir.Err)
	}
	if sel := dir.Selector.String(); sel != "" {
		out.Selector = sel
	}
	out.NameColumn = k8s.NameColumn(dir.Columns)
	for _, c := range dir.Columns {
		out.Columns = append(out.Columns, strings.ToUpper(c.Name))
		out.Priorities = append(out.Priorities, c.Priority)
	}
	for _, e := range dir.Entries {
		j := entryJSON{Name: e.Name, URL: urlOf(t.context, e.Path), Dir: e.Dir, Summary: e.Summary}
		if dir.Columns != nil {
			j.Health = healthNames[e.Health]
			j.Cells = make([]string, len(e.Cells))
			for i, c := range e.Cells {
				j.Cells[i] = c.Age(now)
				if c.Since != 0 {
					if j.Since == nil {
						j.Since = make([]int64, len(e.Cells))
					}
					j.Since[i] = c.Since
				}
			}
		}
		out.Entries = append(out.Entries, j)
	}
	return out
}
