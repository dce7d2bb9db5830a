package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kfsui/kfsui/model"
)

// The page's commands are URLs under /-/, a prefix no path of the tree
// has; each is a GET that reads, as everything else:
//
//	/-/jump?q=TEXT&at=URL       the jump bar: redirects where TEXT leads
//	                            from the page at URL (a path, a resource
//	                            "deploy web", CONTEXT:/path, "ctx NAME",
//	                            "grep RE"); with json, says it as
//	                            {"url": ...}
//	/-/complete?q=TEXT&at=URL   Tab in the jump bar, as JSON
//	/-/diff?a=URL&b=URL         the unified diff of two leaves (d)
//	/-/diff?a=URL&across        a leaf against the same path in every
//	                            other context served (D); two objects'
//	                            manifest.yaml compare as their
//	                            manifest.neat.yaml unless &manifests=raw
//	/-/grep?q=RE&at=URL         the objects under a directory whose
//	                            manifest.yaml has a line matching RE
//	/-/logs?p=URL&p=URL...      log panes side by side, each a .log leaf
//	                            or a logs/ directory
//
// ?raw gives a diff or a search as text, as kfsui diff and kfsui grep
// print them.

// actionPrefix starts the URLs of the page's commands.
const actionPrefix = "/-/"

// grepWait bounds a search; maxGrepLines bounds the lines a search page
// shows (a search over every namespace can match every object).
const (
	grepWait     = 2 * time.Minute
	maxGrepLines = 5000
)

// serveAction answers a URL under /-/.
func (s *Server) serveAction(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch strings.TrimPrefix(r.URL.Path, actionPrefix) {
	case "jump":
		s.serveJump(w, r, q.Get("q"), q.Get("at"))
	case "complete":
		s.serveComplete(w, r, q.Get("q"), q.Get("at"))
	case "diff":
		s.serveDiff(w, r, q)
	case "grep":
		s.serveGrep(w, r, q.Get("q"), q.Get("at"))
	case "logs":
		s.serveLogPanes(w, r, q["p"])
	default:
		http.Error(w, "kfsui web: "+r.URL.Path+": no such command", http.StatusNotFound)
	}
}

// targetOf is the target a URL given in a query names: the page a
// command was given on, or a leaf to compare.
func (s *Server) targetOf(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(u.Path, "/") {
		return target{}, fmt.Errorf("%w: %q is not a page of this server", errNotFound, raw)
	}
	return s.parseURL(u)
}

// baseOf is the directory a jump or a search starts from: the page's
// directory, or the one holding its leaf.
func baseOf(t target) model.Path {
	if t.path.IsDir() {
		return t.path
	}
	return t.path.Parent()
}

// contextNames are the contexts served, the start one first.
func (s *Server) contextNames() []string {
	names := []string{s.start}
	for n := range s.trees {
		if n != s.start {
			names = append(names, n)
		}
	}
	slices.Sort(names[1:])
	return names
}

// urlIn is the URL of path p in context name, which may be the start
// context.
func (s *Server) urlIn(name string, p model.Path) string {
	if name == s.start {
		name = ""
	}
	return urlOf(name, p)
}

// serveJump redirects where the jump bar's text leads.
func (s *Server) serveJump(w http.ResponseWriter, r *http.Request, text, at string) {
	t, err := s.targetOf(at)
	if err != nil {
		t = target{tree: s.trees[s.start], path: model.Root}
	}
	to, err := s.jump(strings.TrimSpace(text), t)
	if err != nil {
		http.Error(w, "kfsui web: "+model.OneLine(err), http.StatusNotFound)
		return
	}
	if wants(r, "json") {
		// The page's jump bar decides itself: a log jumped to from log
		// panes opens one more.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			URL string `json:"url"`
		}{to})
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// jump is the URL the jump bar's text leads to from t.
func (s *Server) jump(text string, t target) (string, error) {
	word, arg, _ := strings.Cut(text, " ")
	arg = strings.TrimSpace(arg)
	switch {
	case text == "":
		return "", errors.New("nothing typed")
	case word == "grep":
		return actionPrefix + "grep?" + url.Values{"q": {arg}, "at": {urlOf(t.context, baseOf(t))}}.Encode(), nil
	case word == "ctx" || word == "context":
		if s.trees[arg] == nil {
			return "", fmt.Errorf("unknown context %q: kfsui web serves %s", arg, strings.Join(s.contextNames(), ", "))
		}
		return s.urlIn(arg, model.Root), nil
	case !strings.HasPrefix(text, "/") && strings.Contains(text, ":/") || strings.HasSuffix(text, ":") && !strings.Contains(text, " "):
		name, rest, err := model.SplitRef(text, s.contextNames())
		if err != nil {
			return "", err
		}
		p, err := model.Parse(rest)
		if err != nil {
			return "", err
		}
		return s.urlIn(name, p), nil
	}
	p, sel, err := model.JumpSelect(text, t.tree.FS.Catalog(), baseOf(t), t.tree.Namespace)
	if err != nil {
		return "", err
	}
	if !sel.IsZero() {
		// A selector is the session's in the terminal UI; one server
		// shows many browsers the same directories.
		return "", fmt.Errorf("selectors (%s) narrow the terminal UI's tree; kfsui web shows whole directories (filter with /)", sel)
	}
	return urlOf(t.context, p), nil
}

// completeWait bounds how long Tab waits for a directory not yet listed.
const completeWait = 3 * time.Second

// serveComplete answers Tab in the jump bar: what the word being typed
// may become, from the listings.
func (s *Server) serveComplete(w http.ResponseWriter, r *http.Request, text, at string) {
	t, err := s.targetOf(at)
	if err != nil {
		t = target{tree: s.trees[s.start], path: model.Root}
	}
	ctx, cancel := context.WithTimeout(r.Context(), completeWait)
	defer cancel()
	fs := t.tree.FS
	list := func(dir model.Path) []model.Entry {
		if dir.Kind == model.KindNamespace || dir.Kind == model.KindClusterDir {
			return fs.TypeEntries(dir) // every type, also those hidden for being empty
		}
		d, err := readDir(ctx, fs, dir)
		if err != nil {
			return nil
		}
		return d.Entries
	}
	c := model.Complete(text, fs.Catalog(), baseOf(t), t.tree.Namespace, s.contextNames(), list)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Prefix  string   `json:"prefix"`
		Common  string   `json:"common"`
		Matches []string `json:"matches"`
	}{c.Prefix, c.Common(), append([]string{}, c.Matches...)})
}

// diffPair is two leaves compared, and their names in the diff's header.
// serveDiff answers d (a against b) and D (a against the same path in
// every other context).
func (s *Server) serveDiff(w http.ResponseWriter, r *http.Request, q url.Values) {
	a, err := s.leafOf(q.Get("a"))
	if err != nil {
		http.Error(w, "kfsui web: diff: "+model.OneLine(err), http.StatusNotFound)
		return
	}
	var pairs []model.DiffPair
	if q.Has("across") {
		for _, name := range s.contextNames() {
			if name == s.nameOf(a) {
				continue
			}
			b := target{context: name, tree: s.trees[name], path: a.path}
			if name == s.start {
				b.context = ""
			}
			pairs = append(pairs, s.pair(a, b))
		}
		if len(pairs) == 0 {
			http.Error(w, "kfsui web: D compares contexts: start kfsui web with another --context", http.StatusNotFound)
			return
		}
	} else {
		b, err := s.leafOf(q.Get("b"))
		if err != nil {
			http.Error(w, "kfsui web: diff: "+model.OneLine(err), http.StatusNotFound)
			return
		}
		pairs = append(pairs, s.pair(a, b))
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.wait)
	defer cancel()
	text := model.DiffLeaves(ctx, pairs, q.Get("manifests") == "raw")
	title := "diff " + pairs[0].A.Name + " " + pairs[0].B.Name
	s.answerText(w, r, title, model.Leaf{Text: text, Format: model.FormatDiff})
}

// leafOf is the leaf a URL of a diff names.
func (s *Server) leafOf(raw string) (target, error) {
	t, err := s.targetOf(raw)
	if err == nil && t.path.IsDir() {
		err = fmt.Errorf("%s is a directory: d compares leaves", t.path)
	}
	return t, err
}

// nameOf is the name of t's context.
func (s *Server) nameOf(t target) string {
	if t.context == "" {
		return s.start
	}
	return t.context
}

// pair names a and b as the terminal UI's diff does: by path, and with
// their contexts when those differ.
func (s *Server) pair(a, b target) model.DiffPair {
	p := model.DiffPair{A: model.DiffSide{FS: a.tree.FS, Path: a.path, Name: a.path.String()},
		B: model.DiffSide{FS: b.tree.FS, Path: b.path, Name: b.path.String()}}
	if s.nameOf(a) != s.nameOf(b) {
		p.A.Name = model.Ref{Context: s.nameOf(a), Path: a.path}.String()
		p.B.Name = model.Ref{Context: s.nameOf(b), Path: b.path}.String()
	}
	return p
}

// serveGrep answers :grep: the lines of the manifests under the page's
// directory that match a regular expression (any case, as the terminal
// UI's :grep), as kfsui grep prints them, each leading to its object.
func (s *Server) serveGrep(w http.ResponseWriter, r *http.Request, pattern, at string) {
	t, err := s.targetOf(at)
	if err != nil {
		http.Error(w, "kfsui web: grep: "+model.OneLine(err), http.StatusNotFound)
		return
	}
	if strings.TrimSpace(pattern) == "" {
		http.Error(w, "kfsui web: grep needs a pattern: :grep RE", http.StatusBadRequest)
		return
	}
	re, err := model.CompilePattern(pattern, model.PatternOptions{IgnoreCase: true})
	if err != nil {
		http.Error(w, "kfsui web: grep: "+err.Error(), http.StatusBadRequest)
		return
	}
	dir := baseOf(t)
	ctx, cancel := context.WithTimeout(r.Context(), grepWait)
	defer cancel()
	started := time.Now()
	var text strings.Builder
	links := map[int]model.Path{}
	lines, objects, matched := 0, 0, 0
	// A scope that fails (a forbidden type) does not end the search, as
	// in kfsui grep and the terminal's :grep; the first failure is said.
	scopes, err := t.tree.FS.ExpandGrep(ctx, dir.String())
	for _, sc := range scopes {
		serr := t.tree.FS.GrepLeaves(ctx, sc, nil, func(leaf model.Leaf) error {
			objects++
			hit := false
			name := leaf.Path.String()
			for line := range strings.Lines(leaf.Text) {
				line = strings.TrimSuffix(line, "\n")
				if !re.MatchString(line) {
					continue
				}
				hit = true
				if lines < maxGrepLines {
					links[lines] = leaf.Path
					text.WriteString(name)
					text.WriteByte(':')
					text.WriteString(line)
					text.WriteByte('\n')
				}
				lines++
			}
			if hit {
				matched++
			}
			return nil
		})
		err = cmp.Or(err, serr)
		if ctx.Err() != nil {
			break
		}
	}
	summary := fmt.Sprintf("grep %s: %d of %d objects under %s match, %d lines (%s)", pattern, matched, objects, dir,
		lines, time.Since(started).Round(time.Millisecond))
	if lines > maxGrepLines {
		summary += fmt.Sprintf("; the first %d lines are shown: narrow the directory or the pattern", maxGrepLines)
	}
	if err != nil {
		summary += "; not searched: " + model.OneLine(err)
	}
	if wants(r, "raw") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(text.String()))
		return
	}
	s.page(w, pageData{Title: summary, Context: t.context, Path: dir, Note: summary, Made: true, RawURL: rawOf(r),
		Leaf: &model.Leaf{Text: text.String(), Format: model.FormatTree, Links: links}})
}

// answerText answers a text the server made (a diff): as text for ?raw,
// else highlighted in the page.
func (s *Server) answerText(w http.ResponseWriter, r *http.Request, title string, leaf model.Leaf) {
	if wants(r, "raw") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(leaf.Text))
		return
	}
	s.page(w, pageData{Title: title, Path: model.Root, Note: title, Leaf: &leaf, Made: true, RawURL: rawOf(r)})
}

// rawOf is the URL of r's answer as text.
func rawOf(r *http.Request) string {
	q := r.URL.Query()
	q.Set("raw", "")
	return r.URL.Path + "?" + q.Encode()
}

// serveLogPanes answers a page of log panes, one for each p: a .log
// leaf or a logs/ directory.
func (s *Server) serveLogPanes(w http.ResponseWriter, r *http.Request, ps []string) {
	if len(ps) == 0 {
		http.Error(w, "kfsui web: /-/logs?p=PATH names the logs to show", http.StatusBadRequest)
		return
	}
	var urls []string
	for _, p := range ps {
		t, err := s.targetOf(p)
		if err == nil && !isLogPath(t.path) {
			err = fmt.Errorf("%w: %s is neither a .log leaf nor a logs/ directory", errNotFound, t.path)
		}
		if err != nil {
			http.Error(w, "kfsui web: "+model.OneLine(err), http.StatusNotFound)
			return
		}
		urls = append(urls, urlOf(t.context, t.path))
	}
	s.page(w, pageData{Title: strings.Join(urls, " "), Path: model.Root, Panes: urls})
}

// isLogPath reports whether p streams logs: a .log leaf or a logs/
// directory.
func isLogPath(p model.Path) bool {
	return p.Kind == model.KindLog || p.Kind == model.KindLogsDir || p.Kind == model.KindPodLogsDir
}
