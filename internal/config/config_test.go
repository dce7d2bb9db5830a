package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	c, err := Load(write(t, "theme: light\ntail: 200\nlog-buffer: 9000\n"))
	if err != nil || c.Theme != "light" || c.Tail != 200 || c.LogBuffer != 9000 || c.Mouse != nil {
		t.Errorf("Load = %+v, %v", c, err)
	}
	if c, err := Load(write(t, "mouse: false\nclipboard: osc52\n")); err != nil || c.Mouse == nil || *c.Mouse || c.Clipboard != "osc52" {
		t.Errorf("mouse and clipboard: %+v, %v", c, err)
	}
	c, err = Load(write(t, "hide-empty-types: true\nrefresh: 5s\nidle-timeout: 0\n"))
	if err != nil || c.HideEmptyTypes == nil || !*c.HideEmptyTypes || c.Refresh == nil || *c.Refresh != 5*time.Second ||
		c.IdleTimeout == nil || *c.IdleTimeout != 0 {
		t.Errorf("hide-empty-types, refresh, idle-timeout: %+v, %v", c, err)
	}
	if c, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err != nil || c.Theme != "" || c.Mouse != nil {
		t.Errorf("missing file: %+v, %v", c, err)
	}
	for text, want := range map[string]string{
		"theme: dark\ncolour: red\n": `config.yaml:2: colour: unknown field`,
		"tail: lots\n":               `config.yaml:1: tail:`,
		"log-buffer: -5\n":           `config.yaml:1: log-buffer: must be a positive number`,
		"[1, 2]\n":                   `config.yaml:1: want a mapping`,
		"hide-empty-types: maybe\n":  `config.yaml:1: hide-empty-types: want true or false`,
		"mouse: 3\n":                 `config.yaml:1: mouse: want true or false`,
		"refresh: soon\n":            `config.yaml:1: refresh: want a duration such as 30s or 5m, got "soon"`,
		"idle-timeout: -1m\n":        `config.yaml:1: idle-timeout: must not be negative`,
		"theme: x\nrefresh: [1]\n":   `config.yaml:2: refresh: want a duration`,
	} {
		if _, err := Load(write(t, text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
