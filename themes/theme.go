// Package themes holds kfsui's color themes: the UI's colors and the chroma
// style the viewer highlights with.
//
// Concurrency: themes are plain values; share them freely.
package themes

import (
	"fmt"
	"sort"

	"github.com/gdamore/tcell/v2"
)

// Theme is a complete set of UI colors.
type Theme struct {
	Name string

	Background tcell.Color
	Foreground tcell.Color
	Muted      tcell.Color // hints, placeholders, secondary text
	Border     tcell.Color
	Focus      tcell.Color // border and title of the focused pane
	Title      tcell.Color

	Directory tcell.Color // directory entries in the tree
	Leaf      tcell.Color // leaf entries in the tree
	Selection tcell.Color // background of the selected tree row
	Error     tcell.Color
	Warning   tcell.Color

	// An object's row in the tree, by its health (see model.Health).
	Failing    tcell.Color
	InProgress tcell.Color
	Done       tcell.Color
	Fine       tcell.Color

	// Diffs in the viewer: the lines added and removed.
	Added   tcell.Color
	Removed tcell.Color

	HeaderBackground tcell.Color
	HeaderForeground tcell.Color
	Badge            tcell.Color // the read-only badge

	// Chroma is the name of the chroma style for highlighted leaves.
	Chroma string
}

// Dark is the default theme.
func Dark() Theme {
	return Theme{
		Name:             "dark",
		Background:       tcell.ColorDefault,
		Foreground:       tcell.NewHexColor(0xd0d0d0),
		Muted:            tcell.NewHexColor(0x808080),
		Border:           tcell.NewHexColor(0x5f5f87),
		Focus:            tcell.NewHexColor(0x5fafff),
		Title:            tcell.NewHexColor(0xffd75f),
		Directory:        tcell.NewHexColor(0x5fafff),
		Leaf:             tcell.NewHexColor(0xd0d0d0),
		Selection:        tcell.NewHexColor(0x3a3a5a),
		Error:            tcell.NewHexColor(0xff5f5f),
		Warning:          tcell.NewHexColor(0xffaf00),
		Failing:          tcell.NewHexColor(0xff5f5f),
		InProgress:       tcell.NewHexColor(0xffd75f),
		Done:             tcell.NewHexColor(0x808080),
		Fine:             tcell.NewHexColor(0x5fafff),
		Added:            tcell.NewHexColor(0x5fd75f),
		Removed:          tcell.NewHexColor(0xff5f5f),
		HeaderBackground: tcell.NewHexColor(0x262640),
		HeaderForeground: tcell.NewHexColor(0xd0d0d0),
		Badge:            tcell.NewHexColor(0x5fd75f),
		Chroma:           "monokai",
	}
}

// Light suits terminals with a light background.
func Light() Theme {
	return Theme{
		Name:             "light",
		Background:       tcell.ColorDefault,
		Foreground:       tcell.NewHexColor(0x1c1c1c),
		Muted:            tcell.NewHexColor(0x6c6c6c),
		Border:           tcell.NewHexColor(0x8787af),
		Focus:            tcell.NewHexColor(0x005fd7),
		Title:            tcell.NewHexColor(0x875f00),
		Directory:        tcell.NewHexColor(0x005fd7),
		Leaf:             tcell.NewHexColor(0x1c1c1c),
		Selection:        tcell.NewHexColor(0xd0d0f0),
		Error:            tcell.NewHexColor(0xd70000),
		Warning:          tcell.NewHexColor(0xaf5f00),
		Failing:          tcell.NewHexColor(0xd70000),
		InProgress:       tcell.NewHexColor(0xaf5f00),
		Done:             tcell.NewHexColor(0x6c6c6c),
		Fine:             tcell.NewHexColor(0x005fd7),
		Added:            tcell.NewHexColor(0x008700),
		Removed:          tcell.NewHexColor(0xd70000),
		HeaderBackground: tcell.NewHexColor(0xe4e4f0),
		HeaderForeground: tcell.NewHexColor(0x1c1c1c),
		Badge:            tcell.NewHexColor(0x008700),
		Chroma:           "github",
	}
}

// HighContrast uses the terminal's basic colors at full strength.
func HighContrast() Theme {
	return Theme{
		Name:             "high-contrast",
		Background:       tcell.ColorBlack,
		Foreground:       tcell.ColorWhite,
		Muted:            tcell.ColorSilver,
		Border:           tcell.ColorWhite,
		Focus:            tcell.ColorYellow,
		Title:            tcell.ColorYellow,
		Directory:        tcell.ColorAqua,
		Leaf:             tcell.ColorWhite,
		Selection:        tcell.ColorNavy,
		Error:            tcell.ColorRed,
		Warning:          tcell.ColorYellow,
		Failing:          tcell.ColorRed,
		InProgress:       tcell.ColorYellow,
		Done:             tcell.ColorSilver,
		Fine:             tcell.ColorAqua,
		Added:            tcell.ColorLime,
		Removed:          tcell.ColorRed,
		HeaderBackground: tcell.ColorNavy,
		HeaderForeground: tcell.ColorWhite,
		Badge:            tcell.ColorLime,
		Chroma:           "bw",
	}
}

var builtin = map[string]func() Theme{
	"dark":          Dark,
	"light":         Light,
	"high-contrast": HighContrast,
}

// Builtin returns the built-in theme called name.
func Builtin(name string) (Theme, error) {
	f, ok := builtin[name]
	if !ok {
		return Theme{}, fmt.Errorf("unknown theme %q (built in: %v)", name, Names())
	}
	return f(), nil
}

// Names lists the built-in themes.
func Names() []string {
	out := make([]string, 0, len(builtin))
	for n := range builtin {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
