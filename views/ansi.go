package views

import (
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
)

// Segment is a run of text in one style.
type Segment struct {
	Style tcell.Style
	Text  string
}

// ParseANSI turns a log line into styled segments: SGR sequences (colors,
// bold, ...) become styles on top of base, every other escape sequence
// (cursor movement, OSC such as clipboard or title) is dropped, other
// control characters and invalid UTF-8 show as U+FFFD, and tabs become
// spaces to the next multiple of 8. Text is never interpreted as tags: the
// log pane draws segments cell by cell.
//
// Safe from any goroutine.
func ParseANSI(line string, base tcell.Style) []Segment {
	var segs []Segment
	var cur strings.Builder
	style := base
	col := 0
	flush := func() {
		if cur.Len() > 0 {
			segs = append(segs, Segment{Style: style, Text: cur.String()})
			cur.Reset()
		}
	}
	scanANSI(line, func(r rune) {
		if r == '\t' {
			pad := 8 - col%8
			cur.WriteString(strings.Repeat(" ", pad))
			col += pad
			return
		}
		cur.WriteRune(r)
		col++
	}, func(_, params string) {
		flush()
		style = applySGR(style, base, params)
	})
	flush()
	return segs
}

// scanANSI walks a log line: text calls text with each rune to show (a
// tab as is; other control characters and invalid UTF-8 as U+FFFD), and
// each SGR sequence calls sgr with the sequence and its parameters; every
// other escape sequence is dropped. ParseANSI and TerminalSafe are its two
// readers, so the pane and kfsui tail drop exactly the same things.
func scanANSI(line string, text func(rune), sgr func(seq, params string)) {
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == 0x1b:
			n, params, final := escapeSequence(line[i:])
			if final == 'm' {
				sgr(line[i:i+n], params)
			}
			i += n
			continue
		case c == '\t':
			text('\t')
			i++
			continue
		case c < 0x20 || c == 0x7f:
			text('\uFFFD')
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		if r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
			r = '\uFFFD'
		}
		text(r)
		i += size
	}
}

// escapeSequence measures the escape sequence at the start of s (which
// begins with ESC). For a CSI sequence it returns its parameters and final
// byte; for anything else final is 0.
func escapeSequence(s string) (n int, params string, final byte) {
	if len(s) < 2 {
		return len(s), "", 0
	}
	switch s[1] {
	case '[': // CSI: parameters, intermediates, one final byte 0x40-0x7e.
		for j := 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1, s[2:j], s[j]
			}
		}
		return len(s), "", 0
	case ']', 'P', '_', '^', 'X': // OSC and other strings: up to BEL or ST.
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1, "", 0
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2, "", 0
			}
		}
		return len(s), "", 0
	}
	return 2, "", 0
}

var ansiColors = [16]tcell.Color{
	tcell.ColorBlack, tcell.ColorMaroon, tcell.ColorGreen, tcell.ColorOlive,
	tcell.ColorNavy, tcell.ColorPurple, tcell.ColorTeal, tcell.ColorSilver,
	tcell.ColorGray, tcell.ColorRed, tcell.ColorLime, tcell.ColorYellow,
	tcell.ColorBlue, tcell.ColorFuchsia, tcell.ColorAqua, tcell.ColorWhite,
}

// applySGR applies "Select Graphic Rendition" parameters to style.
func applySGR(style, base tcell.Style, params string) tcell.Style {
	if params == "" {
		return base
	}
	ps := strings.Split(params, ";")
	num := func(i int) int {
		if i >= len(ps) {
			return -1
		}
		n := 0
		for _, ch := range ps[i] {
			if ch < '0' || ch > '9' {
				return -1
			}
			n = n*10 + int(ch-'0')
			if n > 1<<16 {
				return -1
			}
		}
		return n
	}
	// extended reads 38/48's color: 5;n or 2;r;g;b. It returns the color
	// and how many more parameters it used.
	extended := func(i int) (tcell.Color, int) {
		switch num(i + 1) {
		case 5:
			if n := num(i + 2); n >= 0 && n < 256 {
				return tcell.PaletteColor(n), 2
			}
			return tcell.ColorDefault, 2
		case 2:
			r, g, b := num(i+2), num(i+3), num(i+4)
			if r >= 0 && g >= 0 && b >= 0 && r < 256 && g < 256 && b < 256 {
				return tcell.NewRGBColor(int32(r), int32(g), int32(b)), 4
			}
			return tcell.ColorDefault, 4
		}
		return tcell.ColorDefault, 0
	}
	_, baseBg, _ := base.Decompose()
	baseFg, _, _ := base.Decompose()
	for i := 0; i < len(ps); i++ {
		switch n := num(i); {
		case n == 0 || ps[i] == "":
			style = base
		case n == 1:
			style = style.Bold(true)
		case n == 2:
			style = style.Dim(true)
		case n == 3:
			style = style.Italic(true)
		case n == 4:
			style = style.Underline(true)
		case n == 5:
			style = style.Blink(true)
		case n == 7:
			style = style.Reverse(true)
		case n == 9:
			style = style.StrikeThrough(true)
		case n == 22:
			style = style.Bold(false).Dim(false)
		case n == 23:
			style = style.Italic(false)
		case n == 24:
			style = style.Underline(false)
		case n == 25:
			style = style.Blink(false)
		case n == 27:
			style = style.Reverse(false)
		case n == 29:
			style = style.StrikeThrough(false)
		case n >= 30 && n <= 37:
			style = style.Foreground(ansiColors[n-30])
		case n == 38:
			c, used := extended(i)
			style, i = style.Foreground(c), i+used
		case n == 39:
			style = style.Foreground(baseFg)
		case n >= 40 && n <= 47:
			style = style.Background(ansiColors[n-40])
		case n == 48:
			c, used := extended(i)
			style, i = style.Background(c), i+used
		case n == 49:
			style = style.Background(baseBg)
		case n >= 90 && n <= 97:
			style = style.Foreground(ansiColors[n-90+8])
		case n >= 100 && n <= 107:
			style = style.Background(ansiColors[n-100+8])
		}
	}
	return style
}

// TerminalSafe returns line as it may be written to a terminal directly:
// SGR sequences (colors, bold) are kept, every other escape sequence
// (OSC 52 clipboard writes, window titles, cursor moves) is dropped, other
// control characters but tabs and invalid UTF-8 become U+FFFD. kfsui tail
// uses it when its output is a terminal.
//
// Safe from any goroutine.
func TerminalSafe(line string) string {
	var b strings.Builder
	scanANSI(line, func(r rune) { b.WriteRune(r) }, func(seq, params string) {
		// Only well-formed ones: parameters with other bytes would pass
		// invalid UTF-8 or stray bytes to the terminal.
		if strings.Trim(params, "0123456789;:") == "" {
			b.WriteString(seq)
		}
	})
	return b.String()
}
