package keymap

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
)

// Key is one key press: a special key, or a printable rune.
type Key struct {
	Code tcell.Key // tcell.KeyRune for printable keys
	Rune rune      // set when Code is tcell.KeyRune
}

// namedKeys maps the names keymap files use to tcell keys. Names are
// lowercase; Ctrl-letter keys are written "ctrl-x".
var namedKeys = map[string]tcell.Key{
	"enter":     tcell.KeyEnter,
	"tab":       tcell.KeyTab,
	"backtab":   tcell.KeyBacktab,
	"esc":       tcell.KeyEscape,
	"backspace": tcell.KeyBackspace2,
	"delete":    tcell.KeyDelete,
	"up":        tcell.KeyUp,
	"down":      tcell.KeyDown,
	"left":      tcell.KeyLeft,
	"right":     tcell.KeyRight,
	"home":      tcell.KeyHome,
	"end":       tcell.KeyEnd,
	"pgup":      tcell.KeyPgUp,
	"pgdn":      tcell.KeyPgDn,
	"space":     tcell.KeyRune, // handled in ParseKey
}

// ParseKey parses a key as written in keymap files and help: a single
// character ("j", "G", "?"), a name ("enter", "pgdn", "space") or "ctrl-"
// plus a letter.
func ParseKey(s string) (Key, error) {
	if s == "space" {
		return Key{Code: tcell.KeyRune, Rune: ' '}, nil
	}
	if utf8.RuneCountInString(s) == 1 {
		r, _ := utf8.DecodeRuneInString(s)
		if r < 0x20 || r == 0x7f {
			return Key{}, fmt.Errorf("key %q: control characters are written ctrl-<letter>", s)
		}
		return Key{Code: tcell.KeyRune, Rune: r}, nil
	}
	lower := strings.ToLower(s)
	if code, ok := namedKeys[lower]; ok {
		return Key{Code: code}, nil
	}
	if letter, ok := strings.CutPrefix(lower, "ctrl-"); ok && len(letter) == 1 && letter[0] >= 'a' && letter[0] <= 'z' {
		return Key{Code: tcell.KeyCtrlA + tcell.Key(letter[0]-'a')}, nil
	}
	return Key{}, fmt.Errorf("unknown key %q", s)
}

// FromEvent returns the Key an event stands for.
func FromEvent(ev *tcell.EventKey) Key {
	if ev.Key() == tcell.KeyRune {
		return Key{Code: tcell.KeyRune, Rune: ev.Rune()}
	}
	return Key{Code: ev.Key()}
}

// String writes the key as ParseKey reads it.
func (k Key) String() string {
	if k.Code == tcell.KeyRune {
		if k.Rune == ' ' {
			return "space"
		}
		return string(k.Rune)
	}
	for name, code := range namedKeys {
		if code == k.Code && name != "space" {
			return name
		}
	}
	if k.Code >= tcell.KeyCtrlA && k.Code <= tcell.KeyCtrlZ {
		return "ctrl-" + string(rune('a'+k.Code-tcell.KeyCtrlA))
	}
	return fmt.Sprintf("key(%d)", k.Code)
}

// Label is the key as help and hints show it: arrows as glyphs, Ctrl keys
// as ^C.
func (k Key) Label() string {
	switch k.Code {
	case tcell.KeyUp:
		return "↑"
	case tcell.KeyDown:
		return "↓"
	case tcell.KeyLeft:
		return "←"
	case tcell.KeyRight:
		return "→"
	case tcell.KeyEnter:
		return "Enter"
	case tcell.KeyTab:
		return "Tab"
	case tcell.KeyEscape:
		return "Esc"
	case tcell.KeyPgUp:
		return "PgUp"
	case tcell.KeyPgDn:
		return "PgDn"
	case tcell.KeyHome:
		return "Home"
	case tcell.KeyEnd:
		return "End"
	}
	if k.Code >= tcell.KeyCtrlA && k.Code <= tcell.KeyCtrlZ {
		return "Ctrl-" + string(rune('A'+k.Code-tcell.KeyCtrlA))
	}
	return k.String()
}
