package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"

	"github.com/kfsui/kfsui/model"
)

// The page is plain HTML written by the server: a directory a table, a
// leaf its highlighted text. Its style sheet and scripts are files of the
// binary (go:embed), nothing is fetched from elsewhere, and no script or
// style is inline, so the Content-Security-Policy can forbid both.

//go:embed assets
var assets embed.FS

// Palette is a theme's colors for the page, #rrggbb, and the chroma
// style of its leaves.
type Palette struct {
	Background, Foreground, Muted, Directory, Failing, InProgress, Done, Fine, Header, HeaderText, Selection string
	Chroma                                                                                                   string
}

// Palettes are the page's light and dark colors; the browser's preference
// picks one.
type Palettes struct{ Light, Dark Palette }

// plainPalettes are the colors of a server given none: black on white and
// white on black, chroma's plainest styles. kfsui web gives the themes'.
var plainPalettes = Palettes{
	Light: Palette{Background: "#ffffff", Foreground: "#000000", Muted: "#707070", Directory: "#0000c0", Failing: "#c00000",
		InProgress: "#906000", Done: "#707070", Fine: "#0000c0", Header: "#e0e0e0", HeaderText: "#000000", Selection: "#d0d0f0", Chroma: "bw"},
	Dark: Palette{Background: "#000000", Foreground: "#ffffff", Muted: "#a0a0a0", Directory: "#80b0ff", Failing: "#ff6060",
		InProgress: "#ffd060", Done: "#a0a0a0", Fine: "#80b0ff", Header: "#303030", HeaderText: "#ffffff", Selection: "#303060", Chroma: "bw"},
}

// serveStatic serves the embedded files under /static/, and the style
// sheet made from the palettes.
func serveStatic(w http.ResponseWriter, r *http.Request, css, keys []byte) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	switch name {
	case "theme.css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(css)
		return
	case "keys.json":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(keys)
		return
	}
	sub, _ := fs.Sub(assets, "assets")
	b, err := fs.ReadFile(sub, name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// themeCSS is the style sheet of the palettes: the health colors, and
// chroma's classes for each, the dark ones when the browser prefers dark.
func themeCSS(p Palettes) []byte {
	var b bytes.Buffer
	write := func(pal Palette) {
		b.WriteString(":root{--bg:" + pal.Background + ";--fg:" + pal.Foreground + ";--muted:" + pal.Muted +
			";--dir:" + pal.Directory + ";--failing:" + pal.Failing + ";--in-progress:" + pal.InProgress +
			";--done:" + pal.Done + ";--fine:" + pal.Fine + ";--header:" + pal.Header + ";--header-text:" + pal.HeaderText +
			";--selection:" + pal.Selection + "}\n")
		style := styles.Get(pal.Chroma)
		_ = chromahtml.New(chromahtml.WithClasses(true)).WriteCSS(&b, style)
	}
	write(p.Light)
	b.WriteString("@media (prefers-color-scheme: dark){\n")
	write(p.Dark)
	b.WriteString("}\n")
	return b.Bytes()
}

// pageData is what the page template shows.
type pageData struct {
	Title   string
	Context string
	Path    model.Path
	Dir     *model.Dir
	Leaf    *model.Leaf
	Wide    bool // a directory's wide columns too
	// All writes every row of a directory into the page; without it the
	// first maxPageRows are written, and the page's script shows the
	// rest from the directory's socket.
	All bool
	// Panes are the URLs of the log panes shown: .log leaves, or logs/
	// directories' logs merged.
	Panes []string
	// Note is a line above a leaf: what a search or a diff found.
	Note string
	// Made is a text the server made (a diff, a search), not a leaf of
	// the tree: its raw form is its own URL's.
	Made bool
	// RawURL is the URL of the leaf's text as kfsui cat prints it.
	RawURL string
}

// crumb is one link of the path above the page.
type crumb struct{ Name, URL string }

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · kfsui</title>
<link rel="stylesheet" href="/static/page.css"><link rel="stylesheet" href="/static/theme.css">
<script src="/static/app.js" defer></script>
</head><body data-context="{{.Context}}" data-path="{{.Path}}"{{if .Panes}} data-log="1" data-panes="{{.PanesJSON}}"{{else if .Dir}} data-dir="1"{{if .Wide}} data-wide="1"{{end}}{{else if .Leaf}} data-leaf="1"{{if .Made}} data-made="1"{{end}}{{end}}>
<header><span class="brand">kfsui</span>{{if .Context}} <span class="ctx">{{.Context}}</span>{{end}}
<nav>{{range .Crumbs}}<a href="{{.URL}}">{{.Name}}</a>{{end}}</nav>
{{if .Dir}}<input id="filter" placeholder="/ filter" autocomplete="off" spellcheck="false">{{end}}
<input id="jump" placeholder=": jump" autocomplete="off" spellcheck="false">
<span id="flash" class="muted"></span>
{{with .RawURL}}<a class="raw" href="{{.}}">raw</a>{{end}}</header>
<div id="completions" hidden></div>
<main>
{{if .Panes}}<div id="panes"></div>
{{else if .Dir}}{{with .Dir}}
<p class="state">{{len .Entries}} entries{{if .Loading}} · loading{{end}}{{with .Err}} · <span class="failing">{{.}}</span>{{end}}</p>
{{end}}
<table>{{if .Columns}}<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>{{end}}
<tbody>{{range $r := .Rows}}<tr class="{{$r.Health}}">{{if $r.Cells}}{{range $i, $c := $r.Cells}}{{if eq $i $.NameAt}}<td><a href="{{$r.URL}}">{{$c}}</a></td>{{else}}<td>{{$c}}</td>{{end}}{{end}}{{else}}<td><a class="{{if $r.Dir}}dir{{else}}leaf{{end}}" href="{{$r.URL}}">{{$r.Name}}{{if $r.Dir}}/{{end}}</a></td><td class="muted">{{$r.Summary}}</td>{{end}}</tr>
{{end}}{{with .More}}<tr class="more"><td colspan="9">… and {{.}} more: the page's script shows them; <a href="?all{{if $.Wide}}&amp;wide{{end}}">all in the page</a></td></tr>{{end}}</tbody></table>
{{end}}
{{with .Note}}<p class="state">{{.}}</p>{{end}}
{{with .Highlighted}}<pre class="chroma">{{.}}</pre>{{end}}
</main></body></html>
`))

// row is one entry of a directory as the page shows it.
type row struct {
	Name, URL, Summary, Health string
	Dir                        bool
	Cells                      []string
}

// view is the page's data worked out: crumbs, rows, highlighted text.
type view struct {
	pageData
	Crumbs      []crumb
	Columns     []string
	Rows        []row
	NameAt      int
	Highlighted template.HTML
	PanesJSON   string
	More        int // rows not written
}

// maxPageRows bounds the rows a directory's page is written with: a
// browser lays out 10,000 rows slowly, and the script draws only those in
// view anyway.
const maxPageRows = 200

// page writes the page of d.
func (s *Server) page(w http.ResponseWriter, d pageData) {
	v := view{pageData: d, NameAt: -1}
	v.Crumbs = crumbsOf(d.Context, d.Path)
	now := time.Now()
	if d.Dir != nil {
		t := target{context: d.Context, path: d.Path}
		dir := *d.Dir
		if len(dir.Entries) > maxPageRows && !d.All {
			v.More, dir.Entries = len(dir.Entries)-maxPageRows, dir.Entries[:maxPageRows]
		}
		j := toJSON(t, dir, now)
		// The columns kubectl get prints without -o wide, as the tree
		// shows them; ?wide shows all.
		var shown []int
		for i, c := range d.Dir.Columns {
			if c.Priority == 0 || d.Wide {
				if i == j.NameColumn {
					v.NameAt = len(shown)
				}
				shown = append(shown, i)
				v.Columns = append(v.Columns, j.Columns[i])
			}
		}
		for _, e := range j.Entries {
			r := row{Name: e.Name, URL: e.URL, Summary: e.Summary, Health: e.Health, Dir: e.Dir}
			for _, i := range shown {
				if i < len(e.Cells) {
					r.Cells = append(r.Cells, e.Cells[i])
				}
			}
			v.Rows = append(v.Rows, r)
		}
	}
	if d.Leaf != nil {
		v.Highlighted = highlight(d.Context, d.Leaf)
	}
	if d.Panes != nil {
		b, _ := json.Marshal(d.Panes)
		v.PanesJSON = string(b)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, v); err != nil {
		// The answer has begun: nothing to add but an end.
		return
	}
}

// crumbsOf are the links of each directory above p, and p.
func crumbsOf(ctx string, p model.Path) []crumb {
	var out []crumb
	for q := p; ; q = q.Parent() {
		name := q.String()
		if i := strings.LastIndex(strings.TrimSuffix(name, "/"), "/"); i >= 0 && name != "/" {
			name = strings.TrimSuffix(name[i+1:], "/")
		}
		out = append([]crumb{{Name: name, URL: urlOf(ctx, q)}}, out...)
		if q == model.Root {
			return out
		}
	}
}

// lexerOf is the chroma lexer of a leaf's format; nil shows it plain.
func lexerOf(f model.Format) chroma.Lexer {
	switch f {
	case model.FormatYAML:
		return lexers.Get("yaml")
	case model.FormatJSON:
		return lexers.Get("json")
	case model.FormatDiff:
		return lexers.Get("diff")
	}
	return nil
}

// highlight is a leaf's text as HTML: chroma's classes, its text escaped
// by chroma's formatter; the lines of a tree.txt that name objects (or
// of a search, their leaves) lead to them.
func highlight(ctx string, l *model.Leaf) template.HTML {
	if len(l.Links) > 0 {
		return linked(ctx, l)
	}
	lexer := lexerOf(l.Format)
	if lexer == nil {
		return template.HTML(template.HTMLEscapeString(l.Text))
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, l.Text)
	if err != nil {
		return template.HTML(template.HTMLEscapeString(l.Text))
	}
	var b bytes.Buffer
	if err := chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true)).Format(&b, styles.Fallback, it); err != nil {
		return template.HTML(template.HTMLEscapeString(l.Text))
	}
	return template.HTML(b.String()) // chroma escapes every token
}

// linked is a text whose lines l.Links names as links to them.
func linked(ctx string, l *model.Leaf) template.HTML {
	var b strings.Builder
	i := 0
	for line := range strings.Lines(l.Text) {
		text := template.HTMLEscapeString(strings.TrimSuffix(line, "\n"))
		if p, ok := l.Links[i]; ok {
			b.WriteString(`<a class="line" href="` + template.HTMLEscapeString(urlOf(ctx, p)) + `">` + text + "</a>")
		} else {
			b.WriteString(text)
		}
		if strings.HasSuffix(line, "\n") {
			b.WriteByte('\n')
		}
		i++
	}
	return template.HTML(b.String()) // every line escaped above
}
