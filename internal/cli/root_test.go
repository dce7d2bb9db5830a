package cli

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/kfsui/kfsui/internal/supervise"
)

// kubeconfig writes a kubeconfig with one context, dev, for server.
func kubeconfig(t *testing.T, server string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: t}
contexts:
- name: dev
  context: {cluster: c, user: u}
current-context: dev
`, server)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = Main("kfsui", args, Env{Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), code
}

func TestMainErrorsAreOneClearLine(t *testing.T) {
	refused := kubeconfig(t, "https://127.0.0.1:1")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad flag", []string{"--bogus"}, exitUsage, "unknown flag: --bogus"},
		{"stray argument", []string{"extra"}, exitUsage, `unknown command "extra"`},
		{"unknown context", []string{"--kubeconfig", refused, "--context", "nope"}, exitError, `unknown context "nope" (the kubeconfig has: dev)`},
		{"unreadable kubeconfig", []string{"--kubeconfig", filepath.Join(t.TempDir(), "missing")}, exitError, "no such file or directory"},
		{"refused", []string{"--kubeconfig", refused}, exitError, "cannot reach the API server at https://127.0.0.1:1"},
		{"bad timeout", []string{"--kubeconfig", refused, "--request-timeout", "soon"}, exitError, "timeout"},
		{"invalid path", []string{"--kubeconfig", refused, "ls", "/namespaces/../etc"}, exitError, "no such path"},
		{"cat without path", []string{"cat"}, exitUsage, "cat takes exactly 1 path, got 0"},
		{"bad start path", []string{"--kubeconfig", refused, "--path", "/nope"}, exitUsage, `--path "/nope": not a directory path`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errOut)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "kfsui: ") || !strings.Contains(errOut, c.want) {
				t.Errorf("stderr = %q, want one line with %q", errOut, c.want)
			}
		})
	}
}

// A server that accepts connections and never answers must not hang kfsui:
// it gives up after --request-timeout.
func TestMainGivesUpOnASilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c // hold it open, say nothing
		}
	}()
	defer func() {
		ln.Close()
		for c := range accepted {
			c.Close()
		}
	}()
	cfg := kubeconfig(t, "https://"+ln.Addr().String())
	start := time.Now()
	_, errOut, code := run("--kubeconfig", cfg, "--request-timeout", "1s")
	took := time.Since(start)
	if code != exitError || !strings.Contains(errOut, "cannot reach the API server") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if took > 5*time.Second {
		t.Errorf("took %v with --request-timeout 1s", took)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := run("--version")
	if code != 0 || !strings.HasPrefix(out, "kfsui ") {
		t.Errorf("--version = %q, exit %d", out, code)
	}
	out, _, code = run("--help")
	for _, flag := range []string{"--context", "--kubeconfig", "-n, --namespace", "--cluster", "--user", "--as ", "--as-group", "--token", "--server", "--certificate-authority", "--insecure-skip-tls-verify", "--request-timeout", "ls", "cat"} {
		if !strings.Contains(out, flag) {
			t.Errorf("--help lacks %q", flag)
		}
	}
	if code != 0 {
		t.Errorf("--help exit %d", code)
	}
}

func TestPluginName(t *testing.T) {
	var out, errb bytes.Buffer
	Main("/usr/local/bin/kubectl-kfsui", []string{"--help"}, Env{Stdout: &out, Stderr: &errb})
	if !strings.Contains(out.String(), "kubectl kfsui [flags]") {
		t.Errorf("as a kubectl plugin, usage does not say `kubectl kfsui`:\n%s", out.String())
	}
}

func TestConfigFileErrorsAndFlagsWin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	if err := os.MkdirAll(filepath.Join(dir, "kfsui"), 0o700); err != nil {
		t.Fatal(err)
	}
	refused := kubeconfig(t, "https://127.0.0.1:1")
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "kfsui", name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("config.yaml", "theme: light\ntial: 5\n")
	if _, errOut, code := run("--kubeconfig", refused); code != exitError || !strings.Contains(errOut, "config: config.yaml:2: tial: unknown field") {
		t.Errorf("bad config: exit %d, %q", code, errOut)
	}
	write("config.yaml", "theme: neon\n")
	if _, errOut, _ := run("--kubeconfig", refused); !strings.Contains(errOut, `theme: unknown theme "neon"`) {
		t.Errorf("config's unknown theme: %q", errOut)
	}
	// The flag wins over the file: the theme is fine, the server is not.
	if _, errOut, _ := run("--kubeconfig", refused, "--theme", "dark"); !strings.Contains(errOut, "cannot reach the API server") {
		t.Errorf("--theme did not override the file: %q", errOut)
	}
	write("config.yaml", "")
	write("keymap.yaml", "quit: q\nnope: x\n")
	if _, errOut, _ := run("--kubeconfig", refused); !strings.Contains(errOut, `keymap: keymap.yaml:2: unknown action "nope"`) {
		t.Errorf("bad keymap: %q", errOut)
	}
}

// The early supervisor tells the UI's command line from a verb's by the
// root command's flags that take no value: its list must be the
// command's.
func TestRootBoolFlagsAreTheCommands(t *testing.T) {
	var want []string
	root := newRootCommand("kfsui", nil, Env{Stdout: io.Discard, Stderr: io.Discard})
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	visit := func(f *pflag.Flag) {
		if f.Value.Type() == "bool" {
			want = append(want, f.Name)
			if f.Shorthand != "" {
				want = append(want, f.Shorthand)
			}
		}
	}
	root.Flags().VisitAll(visit) // the root's own and persistent flags
	slices.Sort(want)
	got := slices.Sorted(slices.Values(supervise.RootBoolFlags()))
	if !slices.Equal(got, want) {
		t.Errorf("supervise.RootBoolFlags() = %v, the root command's bool flags are %v", got, want)
	}
}
