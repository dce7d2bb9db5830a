package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
)

// ClipboardMode chooses where yanked text goes.
type ClipboardMode string

// Clipboard modes.
const (
	ClipboardAuto   ClipboardMode = "auto"   // OSC 52 and a native tool where there is one
	ClipboardOSC52  ClipboardMode = "osc52"  // only the terminal, through OSC 52
	ClipboardNative ClipboardMode = "native" // only wl-copy, xclip, xsel or pbcopy
	ClipboardOff    ClipboardMode = "off"
)

// ParseClipboardMode checks a --clipboard or KFSUI_CLIPBOARD value.
func ParseClipboardMode(s string) (ClipboardMode, error) {
	switch m := ClipboardMode(s); m {
	case ClipboardAuto, ClipboardOSC52, ClipboardNative, ClipboardOff:
		return m, nil
	}
	return "", fmt.Errorf("clipboard mode %q: want auto, osc52, native or off", s)
}

// osc52Max is the most kfsui sends through OSC 52. Terminals cut longer
// sequences or drop them (xterm and tmux accept about 100,000 base64
// bytes); a larger payload is refused, or sent by the native tool only,
// never truncated.
const osc52Max = 74 << 10

// clipboard copies text to the terminal's clipboard with OSC 52 (which works
// over SSH and inside tmux with set-clipboard on) and to the desktop's
// clipboard with a native tool, as the mode says.
type clipboard struct {
	mode   ClipboardMode
	screen tcell.Screen // the screen the app draws on, for OSC 52; nil before Run
	native []string     // the native tool's command, nil if none
}

func newClipboard(mode ClipboardMode) *clipboard {
	c := &clipboard{mode: mode}
	if mode != ClipboardOSC52 && mode != ClipboardOff {
		c.native = nativeTool()
	}
	return c
}

// nativeTool finds a clipboard program for this desktop, if any.
func nativeTool() []string {
	candidates := [][]string{}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		candidates = append(candidates, []string{"wl-copy"})
	}
	if os.Getenv("DISPLAY") != "" {
		candidates = append(candidates, []string{"xclip", "-selection", "clipboard"}, []string{"xsel", "--clipboard", "--input"})
	}
	candidates = append(candidates, []string{"pbcopy"})
	for _, c := range candidates {
		if _, err := exec.LookPath(c[0]); err == nil {
			return c
		}
	}
	return nil
}

// yank copies text, as the mode says, and flashes what happened: what was
// copied, its size and by which way, or why not. OSC 52 goes out with the
// next draw, from the UI goroutine; a native tool runs off it. UI
// goroutine only.
func (a *App) yank(what, text string) {
	c := a.clip
	if c.mode == ClipboardOff {
		a.flash(what+" not copied: the clipboard is off (--clipboard off)", true)
		return
	}
	size := humanSize(len(text))
	var via, why []string
	if c.mode != ClipboardNative {
		if len(text) > osc52Max {
			why = append(why, fmt.Sprintf("%s is over the %s OSC 52 limit", size, humanSize(osc52Max)))
		} else {
			c.osc52([]byte(text))
			via = append(via, "OSC 52")
		}
	}
	report := func(via, why []string) {
		if len(via) == 0 {
			a.flash(fmt.Sprintf("%s not copied: %s", what, strings.Join(why, "; ")), true)
			return
		}
		msg := fmt.Sprintf("copied %s (%s) via %s", what, size, strings.Join(via, " and "))
		if len(why) > 0 {
			msg += " (" + strings.Join(why, "; ") + ")"
		}
		a.flash(msg, false)
	}
	switch {
	case c.mode == ClipboardOSC52:
		report(via, why)
	case c.native == nil:
		if c.mode == ClipboardNative {
			why = append(why, "no wl-copy, xclip, xsel or pbcopy found")
		}
		report(via, why)
	default:
		go func() {
			if err := runNative(c.native, text); err != nil {
				why = append(why, fmt.Sprintf("%s: %v", c.native[0], err))
			} else {
				via = append(via, c.native[0])
			}
			a.ui.Do(func() { report(via, why) })
		}()
	}
}

// osc52 posts data through the terminal: written to the tty directly,
// since tcell sends OSC 52 only for terminals whose terminfo it knows as
// xterm-like (not TERM=screen, tmux's usual). Inside GNU screen the
// sequence is wrapped so that screen passes it on; tmux takes it as it is
// when its set-clipboard option is on. The UI goroutine draws too, so
// nothing else writes to the tty meanwhile. Without a tty (the simulation
// screen of tests) it goes through tcell.
func (c *clipboard) osc52(data []byte) {
	s := c.screen
	if s == nil {
		return
	}
	tty, ok := s.Tty()
	if !ok {
		s.SetClipboard(data)
		return
	}
	seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString(data) + "\x07"
	if os.Getenv("STY") != "" && os.Getenv("TMUX") == "" {
		seq = "\x1bP" + seq + "\x1b\\"
	}
	_, _ = tty.Write([]byte(seq))
}

func runNative(cmdline []string, text string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...)
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	return nil
}

func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// yankPath copies a path.
func (a *App) yankPath(path string) {
	if path == "" {
		a.flash("nothing selected", true)
		return
	}
	a.yank("the path", path)
}
