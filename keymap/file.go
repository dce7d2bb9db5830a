package keymap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FileName is the keymap file's name in kfsui's config directory.
const FileName = "keymap.yaml"

// Load returns the default keymap with the overrides of the file at path
// applied. A missing file means no overrides. Errors name the file and the
// line.
//
// The file maps action names to keys, as a list or as one string of keys
// separated by spaces; "action@scope" changes the action in one scope only:
//
//	quit: [q, ctrl-q]
//	down: j down ctrl-n
//	back@viewer: esc
//
// The keys given replace the action's default keys. A key an override takes
// is taken away from any other action of the same scope.
//
// Safe from any goroutine.
func Load(path string) (*Keymap, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(path), data)
}

// Parse applies the overrides in data (a keymap file named name) to the
// default keymap.
func Parse(name string, data []byte) (*Keymap, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := Default()
	if len(doc.Content) == 0 {
		return m, nil // an empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of action: keys", name, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		keys, err := keysOf(v)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", name, v.Line, k.Value, err)
		}
		if err := m.override(k.Value, keys); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, k.Line, err)
		}
	}
	return New(m.bindings), nil
}

// keysOf reads a list of keys or a string of space-separated keys.
func keysOf(v *yaml.Node) ([]Key, error) {
	var words []string
	switch v.Kind {
	case yaml.ScalarNode:
		words = strings.Fields(v.Value)
	case yaml.SequenceNode:
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, errors.New("want keys, as a list or a string")
			}
			words = append(words, item.Value)
		}
	default:
		return nil, errors.New("want keys, as a list or a string")
	}
	if len(words) == 0 {
		return nil, errors.New("no keys given")
	}
	keys := make([]Key, 0, len(words))
	for _, w := range words {
		k, err := ParseKey(w)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// override gives the bindings of "action" or "action@scope" the keys, and
// takes those keys away from the other bindings of the same scopes.
func (m *Keymap) override(name string, keys []Key) error {
	action, scope, scoped := strings.Cut(name, "@")
	found := false
	for i := range m.bindings {
		b := &m.bindings[i]
		if string(b.Action) != action || (scoped && string(b.Scope) != scope) {
			continue
		}
		found = true
		b.Keys = append([]Key(nil), keys...)
		for j := range m.bindings {
			o := &m.bindings[j]
			if j == i || (o.Scope != b.Scope && o.Scope != ScopeGlobal && b.Scope != ScopeGlobal) {
				continue
			}
			o.Keys = without(o.Keys, keys)
		}
	}
	if !found {
		if scoped {
			return fmt.Errorf("unknown action %q in scope %q", action, scope)
		}
		return fmt.Errorf("unknown action %q", action)
	}
	return nil
}

func without(keys, drop []Key) []Key {
	var out []Key
	for _, k := range keys {
		keep := true
		for _, d := range drop {
			keep = keep && k != d
		}
		if keep {
			out = append(out, k)
		}
	}
	return out
}
