package views

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/kfsui/kfsui/themes"
)

type rows []LogRow

func (r rows) Len() int         { return len(r) }
func (r rows) Row(i int) LogRow { return r[i] }

func TestParseANSI(t *testing.T) {
	base := tcell.StyleDefault
	segs := ParseANSI("a\x1b[31mred\x1b[0m \x1b[1;38;5;82mgreen\x1b[m\x1b]52;c;aGk=\x07\x1b]0;title\x1b\\\x1b[2Jz\tq\x00\xff", base)
	var text strings.Builder
	for _, s := range segs {
		text.WriteString(s.Text)
	}
	if got, want := text.String(), "ared green"+"z     q\uFFFD\uFFFD"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	fg := func(i int) tcell.Color { c, _, _ := segs[i].Style.Decompose(); return c }
	if segs[1].Text != "red" || fg(1) != tcell.ColorMaroon {
		t.Errorf("red segment = %+v", segs[1])
	}
	if _, _, attr := segs[3].Style.Decompose(); segs[3].Text != "green" || fg(3) != tcell.PaletteColor(82) || attr&tcell.AttrBold == 0 {
		t.Errorf("green segment = %+v", segs[3])
	}
}

func TestLogPaneShowsLinesLiterallyAndFollows(t *testing.T) {
	p := NewLogPane(themes.Dark())
	var r rows
	for i := 0; i < 100; i++ {
		r = append(r, LogRow{Text: fmt.Sprintf("line %03d", i), Container: "app", Time: time.Unix(int64(i), 0)})
	}
	r = append(r, LogRow{Text: "tag [red]x[-] osc \x1b]52;c;aGk=\x07done", Container: "app"})
	r = append(r, LogRow{Text: "no newline yet", Container: "app", Partial: true})
	p.SetRows(r)
	p.SetStatus("following")
	screen := strings.Join(screenText(t, p, 60, 12), "\n")
	for _, want := range []string{"line 099", "tag [red]x[-] osc done", "no newline yet", "following"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "line 000") {
		t.Errorf("a following pane shows the start:\n%s", screen)
	}

	p.Top()
	p.RowsChanged(5, 0)
	screen = strings.Join(screenText(t, p, 60, 12), "\n")
	if !strings.Contains(screen, "line 000") || !strings.Contains(screen, "PAUSED, 5 new") {
		t.Errorf("paused pane:\n%s", screen)
	}

	p.SetSearch(regexp.MustCompile("line 05"))
	if !p.NextMatch(false) {
		t.Fatal("no match found")
	}
	screen = strings.Join(screenText(t, p, 60, 12), "\n")
	if !strings.Contains(screen, "line 050") {
		t.Errorf("n did not move to the match:\n%s", screen)
	}
	// Every match is highlighted, context around it is not.
	s := tcell.NewSimulationScreen("UTF-8")
	_ = s.Init()
	s.SetSize(60, 12)
	p.SetRect(0, 0, 60, 12)
	p.Draw(s)
	s.Show()
	cells, w, _ := s.GetContents()
	reversed := map[string]bool{}
	for y := 1; y < 11; y++ {
		var text strings.Builder
		rev := false
		for x := 1; x < 9; x++ {
			c := cells[y*w+x]
			text.WriteString(string(c.Runes))
			_, _, attr := c.Style.Decompose()
			rev = rev || attr&tcell.AttrReverse != 0
		}
		reversed[text.String()] = rev
	}
	if !reversed["line 050"] || !reversed["line 051"] || reversed["line 049"] {
		t.Errorf("highlighting by row: %v", reversed)
	}
	p.Bottom()
	if !p.Following() || p.NewWhilePaused() != 0 {
		t.Error("G did not resume following")
	}
}

func TestLogPaneWrapsAndPrefixes(t *testing.T) {
	p := NewLogPane(themes.Dark())
	p.SetRows(rows{{Text: strings.Repeat("x", 60) + " END", Container: "sidecar"}})
	p.SetPrefix(true)
	screen := strings.Join(screenText(t, p, 42, 8), "\n")
	if !strings.Contains(screen, "sidecar xxx") || !strings.Contains(screen, "END") {
		t.Errorf("wrapped, prefixed line:\n%s", screen)
	}
	p.ToggleWrap()
	screen = strings.Join(screenText(t, p, 42, 8), "\n")
	if strings.Contains(screen, "END") {
		t.Errorf("unwrapped line not cut:\n%s", screen)
	}
	if containerColor("app") != containerColor("app") {
		t.Error("container colors are not stable")
	}
}

// A multi-megabyte line draws its start and says how much more there is,
// without laying out every byte on every frame.
func TestLogPaneHugeLineIsCut(t *testing.T) {
	p := NewLogPane(themes.Dark())
	p.SetRows(rows{{Text: "START" + strings.Repeat("z", 4<<20)}})
	start := time.Now()
	screen := strings.Join(screenText(t, p, 120, 40), "\n")
	if took := time.Since(start); took > time.Second {
		t.Errorf("drawing took %v", took)
	}
	if !strings.Contains(screen, fmt.Sprintf("… %d more by", 4<<20+5-16<<10)) {
		t.Errorf("the end of the cut line:\n%s", screen)
	}
	p.Top()
	if screen := strings.Join(screenText(t, p, 120, 40), "\n"); !strings.Contains(screen, "│STARTzzz") {
		t.Errorf("the start of the cut line:\n%s", screen)
	}
}
