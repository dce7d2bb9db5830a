// Package web is kfsui web: the tree served to a browser, read-only, from
// the same model and caches as the terminal UI and the mount. It is a door
// onto model/ and k8s/ like the others, and uses none of their widgets.
//
// Every request passes, in order: the method (GET and HEAD only, else
// 405), the Host header (the listen address and the names given, else
// 403: DNS rebinding), the token (else 401), and only then the path,
// which is parsed before anything asks the cluster (a malformed one is
// 404 at once). Answers carry a strict Content-Security-Policy and no
// CORS headers.
//
// Concurrency: a Server's handler is safe for concurrent requests.
package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/model"
)

// Tree is one context's tree as the server shows it.
type Tree struct {
	Context string
	FS      *model.FS
	Logs    k8s.FollowSource // nil: no log sockets
	Changes Changes          // nil: directories are not pushed
	// Namespace is the one --namespace gave: the jump bar's default.
	Namespace string
}

// Options configure a Server.
type Options struct {
	// Trees are the contexts served; the first is the one "/" shows.
	Trees []Tree
	// Listen is the address listened on, host:port, as the Host header
	// names it.
	Listen string
	// Hosts are further names the server answers to (a DNS name in front
	// of it), with or without a port; without, the listen port is meant.
	Hosts []string
	// TLS says the server is reached over HTTPS: the cookie is Secure.
	TLS bool
	// Token is the secret every request must carry, 64 hex digits; ""
	// makes a new one.
	Token string
	// Wait bounds how long a directory's first listing is waited for.
	Wait time.Duration
	// Palettes are the page's colors.
	Palettes Palettes
	// Keys are the page's keys, the terminal UI's: for each of its
	// scopes ("tree" for a directory, "viewer" for a leaf, "log" for log
	// panes, each with the global keys), the keys of each action, as
	// keymap files name them ("down": ["down", "j"]).
	Keys map[string]map[string][]string
}

// Server serves the trees of Options.
type Server struct {
	trees map[string]*Tree // by context
	start string
	token string
	hosts map[string]bool
	tls   bool
	wait  time.Duration
	css   []byte // theme.css
	keys  []byte // keys.json
	live  liveDirs
	// linger is how long a directory stays followed after its last
	// socket (dirLinger).
	linger time.Duration
	// dropped counts the log lines let go for sockets that read too
	// slowly.
	dropped atomic.Int64
}

// tokenBytes is the token's strength: 256 bits.
const tokenBytes = 32

// cookieName is the cookie that carries the token after the start URL.
const cookieName = "kfsui-token"

// New checks o and returns its server.
func New(o Options) (*Server, error) {
	if len(o.Trees) == 0 {
		return nil, errors.New("web: no context to serve")
	}
	if o.Palettes == (Palettes{}) {
		o.Palettes = plainPalettes
	}
	var err error
	s := &Server{trees: map[string]*Tree{}, start: o.Trees[0].Context, token: o.Token, hosts: map[string]bool{},
		tls: o.TLS, wait: o.Wait, css: themeCSS(o.Palettes), linger: dirLinger}
	if s.wait <= 0 {
		s.wait = 30 * time.Second
	}
	for i := range o.Trees {
		s.trees[o.Trees[i].Context] = &o.Trees[i]
	}
	if s.token == "" {
		b := make([]byte, tokenBytes)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("web: making the token: %w", err)
		}
		s.token = hex.EncodeToString(b)
	}
	if s.keys, err = json.Marshal(o.Keys); err != nil {
		return nil, err
	}
	if _, err := hex.DecodeString(s.token); err != nil || len(s.token) != 2*tokenBytes {
		return nil, errors.New("web: the token must be 64 hex digits")
	}
	host, port, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("web: --listen %q: %w", o.Listen, err)
	}
	s.allow(host, port)
	if ip := net.ParseIP(host); host == "" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		// A browser on this host may name it either way.
		s.allow("localhost", port)
		s.allow("127.0.0.1", port)
		s.allow("::1", port)
	}
	for _, h := range o.Hosts {
		if hh, p, err := net.SplitHostPort(h); err == nil {
			s.allow(hh, p)
		} else {
			s.allow(strings.Trim(h, "[]"), port)
		}
	}
	return s, nil
}

func (s *Server) allow(host, port string) {
	s.hosts[strings.ToLower(net.JoinHostPort(host, port))] = true
}

// Token is the secret the start URL carries.
func (s *Server) Token() string { return s.token }

// StartURL is the URL that opens the server in a browser and hands it the
// token, for base ("http://127.0.0.1:8080").
func (s *Server) StartURL(base string) string {
	return strings.TrimSuffix(base, "/") + "/?token=" + s.token
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "kfsui web is read-only: only GET is served", http.StatusMethodNotAllowed)
			return
		}
		if !s.hosts[strings.ToLower(hostWithPort(r))] {
			http.Error(w, "kfsui web: this server does not answer to the host "+quoteHost(r.Host), http.StatusForbidden)
			return
		}
		if !s.authorize(w, r) {
			return
		}
		s.route(w, r)
	})
}

// secureHeaders are on every answer: scripts, styles and connections from
// the server itself only, no framing, no sniffing, no referrer.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// hostWithPort is the request's Host with the port a browser leaves out.
func hostWithPort(r *http.Request) string {
	if _, _, err := net.SplitHostPort(r.Host); err == nil {
		return r.Host
	}
	if r.TLS != nil {
		return net.JoinHostPort(strings.Trim(r.Host, "[]"), "443")
	}
	return net.JoinHostPort(strings.Trim(r.Host, "[]"), "80")
}

// quoteHost quotes a Host header for an error page, bounded.
func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100] + "…"
	}
	return fmt.Sprintf("%q", h)
}

// authorize checks the token: from the start URL's token parameter (then
// kept in a cookie, and the URL shown without it), the cookie, or an
// Authorization: Bearer header (for scripts). It answers 401 itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	if q := r.URL.Query(); q.Has("token") {
		if !s.matches(q.Get("token")) {
			unauthorized(w)
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: s.tls})
		q.Del("token")
		// "//host/..." would leave for another site: one leading slash.
		to := "/" + strings.TrimLeft(r.URL.EscapedPath(), "/")
		if len(q) > 0 {
			to += "?" + q.Encode()
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return false
	}
	if c, err := r.Cookie(cookieName); err == nil && s.matches(c.Value) {
		return true
	}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && s.matches(auth) {
		return true
	}
	unauthorized(w)
	return false
}

// matches compares a token with the server's in constant time.
func (s *Server) matches(token string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

func unauthorized(w http.ResponseWriter) {
	http.Error(w, "kfsui web: open the URL kfsui printed at start-up (it carries the token), "+
		"or send the token as Authorization: Bearer TOKEN", http.StatusUnauthorized)
}
