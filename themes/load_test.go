package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	file := "base: light\nerror: '#ff0000'\nheader-background: navy\nchroma: dracula\n"
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	th, err := Resolve("mine", dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "mine" || th.Error != tcell.NewHexColor(0xff0000) || th.HeaderBackground != tcell.ColorNavy ||
		th.Chroma != "dracula" || th.Directory != Light().Directory {
		t.Errorf("mine = %+v", th)
	}
	for _, name := range Names() {
		if th, err := Resolve(name, dir, false); err != nil || th.Name != name {
			t.Errorf("built-in %s: %+v, %v", name, th, err)
		}
	}
	if th, _ := Resolve("light", dir, true); th.Name != "monochrome" || th.Chroma != "" {
		t.Errorf("NO_COLOR gave %+v", th)
	}
	if _, err := Resolve("nope", dir, false); err == nil || !strings.Contains(err.Error(), `unknown theme "nope"`) {
		t.Errorf("unknown theme: %v", err)
	}
}

func TestParseErrorsNameLineAndField(t *testing.T) {
	cases := []struct{ file, want string }{
		{"error: red\nerrr: blue\n", `theme.yaml:2: unknown field "errr"`},
		{"title: '#12'\n", `theme.yaml:1: title: color "#12": want #rrggbb`},
		{"focus: notacolor\n", `theme.yaml:1: focus: unknown color "notacolor"`},
		{"base: neon\n", `theme.yaml:1: base: unknown theme "neon"`},
	}
	for _, c := range cases {
		if _, err := Parse("theme.yaml", []byte(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.file, err, c.want)
		}
	}
}
