// Package config reads kfsui's configuration directory: config.yaml with
// defaults for the command line's flags. Flags given on the command line
// win over the file.
//
// Concurrency: plain functions and values; safe from any goroutine.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"
)

// Dir is kfsui's configuration directory: $XDG_CONFIG_HOME/kfsui, or
// ~/.config/kfsui. It holds config.yaml, keymap.yaml and themes/.
func Dir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "kfsui")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config", "kfsui")
	}
	return ""
}

// Config holds the defaults config.yaml may set. A zero field was not set.
type Config struct {
	// Theme names a built-in theme or a file in themes/.
	Theme string `yaml:"theme"`
	// Tail is how many lines a log pane starts with.
	Tail int64 `yaml:"tail"`
	// LogBuffer bounds the lines a log pane keeps.
	LogBuffer int `yaml:"log-buffer"`
	// Clipboard is where yanked text goes: auto, osc52, native or off.
	Clipboard string `yaml:"clipboard"`
	// Mouse turns clicks and the wheel on or off; nil: not set.
	Mouse *bool `yaml:"mouse"`
	// Favorites are the namespaces on the digit keys 1 to 9.
	Favorites []string `yaml:"favorites"`
	// HideEmptyTypes lists only types with objects; nil: not set.
	HideEmptyTypes *bool `yaml:"hide-empty-types"`
	// Refresh is how often the open leaf is fetched again; nil: not set,
	// 0: never.
	Refresh *time.Duration `yaml:"refresh"`
	// IdleTimeout is how long a listing nobody shows keeps its watch;
	// nil: not set, 0: forever.
	IdleTimeout *time.Duration `yaml:"idle-timeout"`
	// TreeWidth is the tree pane's share of the width, in percent; 0:
	// not set. The app writes it when the split moves (see Set).
	TreeWidth int `yaml:"tree-width"`
}

// The tree pane's share of the width, in percent.
const (
	MinTreeWidth     = 15
	MaxTreeWidth     = 85
	DefaultTreeWidth = 40
)

// Load reads the config file at path; a missing file is an empty Config.
// Errors name the file, the line and the field.
func Load(path string) (Config, error) {
	var c Config
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return c, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return c, fmt.Errorf("%s:%d: want a mapping of field: value", filepath.Base(path), root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var err error
		switch k.Value {
		case "theme":
			err = v.Decode(&c.Theme)
		case "tail":
			err = v.Decode(&c.Tail)
			if err == nil && c.Tail <= 0 {
				err = errors.New("must be a positive number of lines")
			}
		case "log-buffer":
			err = v.Decode(&c.LogBuffer)
			if err == nil && c.LogBuffer <= 0 {
				err = errors.New("must be a positive number of lines")
			}
		case "clipboard":
			err = v.Decode(&c.Clipboard)
		case "favorites":
			err = v.Decode(&c.Favorites)
			if err == nil && len(c.Favorites) > 9 {
				err = errors.New("at most 9, one per digit key")
			}
		case "mouse":
			c.Mouse, err = decodeBool(v)
		case "hide-empty-types":
			c.HideEmptyTypes, err = decodeBool(v)
		case "refresh":
			c.Refresh, err = decodeDuration(v)
		case "idle-timeout":
			c.IdleTimeout, err = decodeDuration(v)
		case "tree-width":
			err = v.Decode(&c.TreeWidth)
			if err == nil && (c.TreeWidth < MinTreeWidth || c.TreeWidth > MaxTreeWidth) {
				err = fmt.Errorf("must be a percentage from %d to %d", MinTreeWidth, MaxTreeWidth)
			}
		default:
			err = errors.New("unknown field")
		}
		if err != nil {
			return c, fmt.Errorf("%s:%d: %s: %w", filepath.Base(path), k.Line, k.Value, err)
		}
	}
	return c, nil
}

func decodeBool(v *yaml.Node) (*bool, error) {
	var on bool
	if err := v.Decode(&on); err != nil {
		return nil, errors.New("want true or false")
	}
	return &on, nil
}

// decodeDuration reads a Go duration such as 30s, 5m or 1h30m; 0 turns
// the setting off.
func decodeDuration(v *yaml.Node) (*time.Duration, error) {
	var s string
	if err := v.Decode(&s); err != nil || v.Kind != yaml.ScalarNode {
		return nil, errors.New("want a duration such as 30s or 5m")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil, fmt.Errorf("want a duration such as 30s or 5m, got %q", s)
	}
	if d < 0 {
		return nil, errors.New("must not be negative")
	}
	return &d, nil
}

// Set writes one field of the config file at path, keeping the rest of
// the file as it is (comments included), creating file and directory if
// need be. The file is replaced in one rename, so a crash cannot leave it
// half written; a symbolic link (a dotfiles repository's) stays one, as
// the file it points to is the one replaced, and the file keeps its mode.
func Set(path, field, value string) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping of field: value", filepath.Base(path), root.Line)
	}
	set := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == field {
			root.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Value: value, LineComment: root.Content[i+1].LineComment}
			set = true
		}
	}
	if !set {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: field}, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
