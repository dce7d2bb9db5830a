package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kfsui/kfsui/internal/config"
	"github.com/kfsui/kfsui/internal/trace"
	"github.com/kfsui/kfsui/internal/web"
	"github.com/kfsui/kfsui/k8s"
	"github.com/kfsui/kfsui/keymap"
	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/themes"
)

// webFlags are kfsui web's own flags.
type webFlags struct {
	listen         string
	hosts          []string
	tlsCert        string
	tlsKey         string
	insecureListen bool
	reveal         bool
	idle           time.Duration
}

func newWebCommand(flags *genericclioptions.ConfigFlags, beside *[]string) *cobra.Command {
	var f webFlags
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Serve the tree to a browser, read-only, until Ctrl-C",
		Long: "kfsui web serves the tree at http://127.0.0.1:8080 from the same caches as the UI: the URL\n" +
			"is the path (/namespaces/team-a/deployments/web/manifest.yaml; /@prod/... for a context given\n" +
			"with another --context), ?raw gives a leaf as kfsui cat prints it, ?json a directory. Every\n" +
			"request needs the token of the URL printed at start-up (a cookie after that, or\n" +
			"Authorization: Bearer TOKEN). The server reads the cluster with the kubeconfig's identity:\n" +
			"whoever has the token sees what you may see. It listens on loopback unless --listen says\n" +
			"otherwise, and then only with --tls-cert and --tls-key (or --insecure-listen).",
		Example: "  kfsui web\n" +
			"  kfsui web --context dev --context prod\n" +
			"  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/namespaces/team-a/pods?json",
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveWeb(cmd.Context(), flags, *beside, f, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&f.listen, "listen", "127.0.0.1:8080", "the address to listen on, host:port (a non-loopback host needs --tls-cert and --tls-key)")
	cmd.Flags().StringArrayVar(&f.hosts, "host", nil, "a further name browsers reach the server by (a DNS name in front of it); repeatable")
	cmd.Flags().StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM)")
	cmd.Flags().StringVar(&f.tlsKey, "tls-key", "", "the key of --tls-cert (PEM)")
	cmd.Flags().BoolVar(&f.insecureListen, "insecure-listen", false, "allow a non-loopback --listen over plain HTTP (the token and the cluster's data cross the network in clear text)")
	cmd.Flags().BoolVar(&f.reveal, "reveal-secrets", false, "show Secrets' values (base64-decoded) instead of [hidden: N bytes]")
	cmd.Flags().DurationVar(&f.idle, "idle-timeout", defaultIdleTimeout, "stop the watch and cache of a directory nobody looked at for this long (0: keep all)")
	return cmd
}

// checkListen refuses what would expose the cluster by mistake: a
// non-loopback address without TLS, unless --insecure-listen says so. It
// returns a warning to print for an insecure one.
func checkListen(f webFlags) (warning string, err error) {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return "", usageError{errors.New("--tls-cert and --tls-key go together")}
	}
	host, _, err := net.SplitHostPort(f.listen)
	if err != nil {
		return "", usageError{fmt.Errorf("--listen %q: want host:port (127.0.0.1:8080)", f.listen)}
	}
	if loopback(host) || f.tlsCert != "" {
		return "", nil
	}
	if !f.insecureListen {
		return "", usageError{fmt.Errorf("--listen %s is reachable from other hosts: give --tls-cert and --tls-key, "+
			"or --insecure-listen to serve plain HTTP anyway", f.listen)}
	}
	return fmt.Sprintf("kfsui web: warning: serving plain HTTP on %s: anyone on the network can read the token and "+
		"the cluster's data as they pass, and with the token read the cluster as you", f.listen), nil
}

// loopback reports whether host names this machine only.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveWeb listens, connects and serves until a signal or ctx ends.
func serveWeb(parent context.Context, flags *genericclioptions.ConfigFlags, beside []string, f webFlags, stderr io.Writer) error {
	warning, err := checkListen(f)
	if err != nil {
		return err
	}
	var certs []tls.Certificate
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		certs = append(certs, cert)
	}
	// The address first: one in use is the error, not a slow server.
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	defer ln.Close()
	// KFSUI_TRACE with KFSUI_TRACE_STATS records the live heap, for the
	// web bench.
	tr := trace.New()
	defer tr.Close()
	return withContexts(parent, flags, 0, func(ctx context.Context, cs *k8s.Contexts) error {
		names := append([]string{cs.Start()}, beside...)
		trees, err := webTrees(ctx, cs, names, f)
		if err != nil {
			return err
		}
		keys, err := keymap.Load(filepath.Join(config.Dir(), keymap.FileName))
		if err != nil {
			return err
		}
		srv, err := web.New(web.Options{Trees: trees, Listen: ln.Addr().String(), Hosts: f.hosts, TLS: certs != nil,
			Palettes: palettes(), Keys: webKeys(keys)})
		if err != nil {
			return err
		}
		scheme := "http"
		if certs != nil {
			scheme = "https"
			ln = tls.NewListener(ln, &tls.Config{Certificates: certs, MinVersion: tls.VersionTLS12})
		}
		if warning != "" {
			fmt.Fprintln(stderr, warning)
		}
		fmt.Fprintf(stderr, "kfsui web: serving %s, read-only, as the kubeconfig's user; open\n  %s\n",
			strings.Join(names, ", "), srv.StartURL(scheme+"://"+ln.Addr().String()))
		hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
		sigs := make(chan os.Signal, 2)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
		served := make(chan error, 1)
		go func() { served <- hs.Serve(ln) }()
		select {
		case err := <-served:
			return err
		case <-sigs:
		case <-ctx.Done():
		}
		stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(stop)
		fmt.Fprintln(stderr, "kfsui web: stopped")
		return nil
	})
}

// webTrees connects to each context of names and makes its tree.
func webTrees(parent context.Context, cs *k8s.Contexts, names []string, f webFlags) ([]web.Tree, error) {
	conns, err := connectEach(parent, cs, names)
	if err != nil {
		return nil, err
	}
	trees := make([]web.Tree, len(names))
	for i, conn := range conns {
		fs := model.NewFSFor(conn, model.Options{})
		fs.SetRevealSecrets(f.reveal)
		conn.Lists().SetIdleTimeout(f.idle)
		trees[i] = web.Tree{Context: conn.Info.Context, FS: fs, Logs: conn, Changes: conn.Lists()}
		if conn.Info.NamespaceExplicit {
			trees[i].Namespace = conn.Info.Namespace
		}
	}
	return trees, nil
}

// webKeys are the terminal UI's keys as the page uses them, by scope.
func webKeys(keys *keymap.Keymap) map[string]map[string][]string {
	return map[string]map[string][]string{
		"tree":   keys.Names(keymap.ScopeGlobal, keymap.ScopeTree),
		"viewer": keys.Names(keymap.ScopeGlobal, keymap.ScopeViewer),
		"log":    keys.Names(keymap.ScopeGlobal, keymap.ScopeLog),
	}
}

// palettes are the project's light and dark themes as the page's colors.
func palettes() web.Palettes {
	of := func(t themes.Theme, background string) web.Palette {
		return web.Palette{
			Background: hexOr(t.Background, background), Foreground: hexOr(t.Foreground, "#d0d0d0"), Muted: hexOr(t.Muted, "#808080"),
			Directory: hexOr(t.Directory, "#5fafff"), Failing: hexOr(t.Failing, "#ff5f5f"), InProgress: hexOr(t.InProgress, "#ffd75f"),
			Done: hexOr(t.Done, "#808080"), Fine: hexOr(t.Fine, "#5fafff"), Header: hexOr(t.HeaderBackground, "#262640"),
			HeaderText: hexOr(t.HeaderForeground, "#d0d0d0"), Selection: hexOr(t.Selection, "#3a3a5a"), Chroma: t.Chroma,
		}
	}
	return web.Palettes{Light: of(themes.Light(), "#ffffff"), Dark: of(themes.Dark(), "#1c1c1c")}
}

// hexOr is c as #rrggbb, or fallback for the terminal's default color.
func hexOr(c tcell.Color, fallback string) string {
	if h := c.Hex(); h >= 0 && c != tcell.ColorDefault {
		return fmt.Sprintf("#%06x", h)
	}
	return fallback
}
