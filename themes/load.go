package themes

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/gdamore/tcell/v2"
	"go.yaml.in/yaml/v3"
)

// Monochrome draws with the terminal's own colors only and highlights
// nothing: what NO_COLOR asks for.
func Monochrome() Theme {
	return Theme{
		Name:             "monochrome",
		Background:       tcell.ColorDefault,
		Foreground:       tcell.ColorDefault,
		Muted:            tcell.ColorDefault,
		Border:           tcell.ColorDefault,
		Focus:            tcell.ColorDefault,
		Title:            tcell.ColorDefault,
		Directory:        tcell.ColorDefault,
		Leaf:             tcell.ColorDefault,
		Selection:        tcell.ColorDefault,
		Error:            tcell.ColorDefault,
		Warning:          tcell.ColorDefault,
		Failing:          tcell.ColorDefault,
		InProgress:       tcell.ColorDefault,
		Done:             tcell.ColorDefault,
		Fine:             tcell.ColorDefault,
		Added:            tcell.ColorDefault,
		Removed:          tcell.ColorDefault,
		HeaderBackground: tcell.ColorDefault,
		HeaderForeground: tcell.ColorDefault,
		Badge:            tcell.ColorDefault,
		Chroma:           "",
	}
}

// Resolve returns the theme called name: a user theme from dir
// (<dir>/<name>.yaml) if there is one, else a built-in. With noColor set
// (NO_COLOR in the environment) it is Monochrome, whatever name says.
//
// A user theme file sets any of a Theme's colors by field name in
// lower-case with dashes (background, header-background, ...) as a color
// name or #rrggbb, and "chroma" for the viewer's style; "base" names the
// built-in it starts from (dark by default). Errors name the file, line and
// field.
//
// Safe from any goroutine.
func Resolve(name, dir string, noColor bool) (Theme, error) {
	if noColor {
		return Monochrome(), nil
	}
	if name == "" {
		name = "dark"
	}
	if dir != "" && !strings.ContainsAny(name, `/\`) {
		path := filepath.Join(dir, name+".yaml")
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			t, err := Parse(filepath.Base(path), data)
			if err != nil {
				return Theme{}, err
			}
			t.Name = name
			return t, nil
		case !errors.Is(err, os.ErrNotExist):
			return Theme{}, err
		}
	}
	return Builtin(name)
}

// Parse reads a theme file named name.
func Parse(name string, data []byte) (Theme, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Theme{}, fmt.Errorf("%s: %w", name, err)
	}
	t := Dark()
	if len(doc.Content) == 0 {
		return t, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Theme{}, fmt.Errorf("%s:%d: want a mapping of field: color", name, root.Line)
	}
	// base first, wherever it is, so the other fields apply on top.
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "base" {
			b, err := Builtin(root.Content[i+1].Value)
			if err != nil {
				return Theme{}, fmt.Errorf("%s:%d: base: %w", name, root.Content[i+1].Line, err)
			}
			t = b
		}
	}
	fields := colorFields()
	v := reflect.ValueOf(&t).Elem()
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, val := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "base":
			continue
		case "chroma":
			t.Chroma = val.Value
			continue
		}
		idx, ok := fields[k.Value]
		if !ok {
			return Theme{}, fmt.Errorf("%s:%d: unknown field %q", name, k.Line, k.Value)
		}
		c, err := parseColor(val.Value)
		if err != nil {
			return Theme{}, fmt.Errorf("%s:%d: %s: %w", name, val.Line, k.Value, err)
		}
		v.Field(idx).Set(reflect.ValueOf(c))
	}
	return t, nil
}

// colorFields maps the file's field names to the Theme's color fields:
// HeaderBackground is "header-background".
func colorFields() map[string]int {
	out := map[string]int{}
	typ := reflect.TypeOf(Theme{})
	colorType := reflect.TypeOf(tcell.Color(0))
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Type != colorType {
			continue
		}
		var b strings.Builder
		for j, r := range f.Name {
			if r >= 'A' && r <= 'Z' {
				if j > 0 {
					b.WriteByte('-')
				}
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		}
		out[b.String()] = i
	}
	return out
}

func parseColor(s string) (tcell.Color, error) {
	switch strings.ToLower(s) {
	case "default", "":
		return tcell.ColorDefault, nil
	}
	if strings.HasPrefix(s, "#") && len(s) != 7 {
		return 0, fmt.Errorf("color %q: want #rrggbb", s)
	}
	c := tcell.GetColor(strings.ToLower(s))
	if c == tcell.ColorDefault {
		return 0, fmt.Errorf("unknown color %q", s)
	}
	return c, nil
}
