package views

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/themes"
)

// Viewer shows one leaf, highlighted, with its path as the title.
//
// Concurrency: UI goroutine only.
type Viewer struct {
	*tview.TextView
	theme  themes.Theme
	path   string
	text   string // the leaf's plain text, as fetched
	tagged string // text as Highlight made it

	search  *regexp.Regexp
	matches []int // lines with a match
	current int   // index into matches, -1 before n
	// searchLines are the lines shown while searching, tagged.
	searchLines []string

	// links are the lines that lead somewhere (tree.txt's objects), in
	// order, with their targets; link indexes the selected one.
	links   []int
	targets map[int]string
	link    int
}

// NewViewer returns an empty viewer.
func NewViewer(theme themes.Theme) *Viewer {
	v := &Viewer{TextView: tview.NewTextView(), theme: theme}
	v.SetDynamicColors(true).SetWrap(true).SetScrollable(true)
	v.SetTextColor(theme.Foreground).SetBackgroundColor(theme.Background)
	v.SetBorder(true).SetTitleAlign(tview.AlignLeft)
	v.SetBorderColor(theme.Border).SetTitleColor(theme.Title)
	v.setTitle("")
	v.SetText(colorTag(theme.Muted) + "Select a leaf (manifest.yaml, manifest.json, status.yaml, events.txt,\ndescribe.txt) in the tree and press Enter to open it here. ? shows every key.")
	return v
}

func (v *Viewer) setTitle(path string) {
	if path == "" {
		v.SetTitle(" viewer ")
		return
	}
	v.SetTitle(" " + escape(path) + " ")
}

// Show displays text for path; tagged is text as Highlight returned it,
// computed off the UI goroutine. Showing the same path again (a refresh)
// keeps the scroll position; a new path starts at the top.
func (v *Viewer) Show(path, text, tagged string) {
	row, col := v.GetScrollOffset()
	same := path == v.path
	v.path, v.text, v.tagged = path, text, tagged
	v.links, v.targets = nil, nil
	v.setTitle(path)
	if v.search != nil {
		v.SetSearch(v.search)
	} else {
		v.SetText(tagged)
	}
	if same {
		v.ScrollTo(row, col)
	} else {
		v.ScrollToBeginning()
	}
}

// ShowMessage displays a status line (loading, or an error from the API)
// for path in place of its text. Errors are drawn in the theme's error
// color; either way the message is escaped.
func (v *Viewer) ShowMessage(path, msg string, isErr bool) {
	v.path, v.text, v.tagged = path, "", ""
	v.links, v.targets = nil, nil
	v.matches = nil
	v.setTitle(path)
	color := v.theme.Muted
	if isErr {
		color = v.theme.Error
	}
	v.SetText(colorTag(color) + escape(msg) + "[-]")
	v.ScrollToBeginning()
}

// SetLinks makes lines of the text shown (numbered from 0) lead to
// targets, for Link, and selects the one on line sel, or the first. The
// selected line is drawn in reverse; MoveLink moves the selection. Called
// after Show; the next Show or ShowMessage drops the links.
func (v *Viewer) SetLinks(targets map[int]string, sel int) {
	v.links, v.targets, v.link = nil, targets, 0
	for line := range targets {
		v.links = append(v.links, line)
	}
	slices.Sort(v.links)
	if i, ok := slices.BinarySearch(v.links, sel); ok {
		v.link = i
	}
	v.drawLinks()
}

// HasLinks reports whether the text shown has lines that lead somewhere.
func (v *Viewer) HasLinks() bool { return len(v.links) > 0 }

// MoveLink selects the link n lines of links further (negative: back),
// stopping at the first and the last, and scrolls it into view.
func (v *Viewer) MoveLink(n int) {
	if len(v.links) == 0 {
		return
	}
	v.link = max(0, min(v.link+n, len(v.links)-1))
	v.drawLinks()
}

// Link returns the target of the selected line, "" if there is none.
func (v *Viewer) Link() string {
	if len(v.links) == 0 {
		return ""
	}
	return v.targets[v.links[v.link]]
}

// drawLinks shows the text with the selected link's line reversed and
// keeps that line on screen.
func (v *Viewer) drawLinks() {
	if len(v.links) == 0 {
		return
	}
	sel := v.links[v.link]
	lines := strings.Split(v.text, "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == sel {
			b.WriteString("[::r]" + escape(line) + "[::R]")
		} else {
			b.WriteString(escape(line))
		}
	}
	row, col := v.GetScrollOffset()
	v.SetText(keepBreaks(b.String()))
	_, _, _, h := v.GetInnerRect()
	switch {
	case sel < row:
		row = sel
	case h > 0 && sel >= row+h:
		row = sel - h + 1
	}
	v.ScrollTo(row, col)
}

// Path returns the path shown, "" when empty.
func (v *Viewer) Path() string { return v.path }

// Text returns the plain text shown, "" while a message is shown.
func (v *Viewer) Text() string { return v.text }

// ScrollBy scrolls by n lines (negative: up).
func (v *Viewer) ScrollBy(n int) {
	row, col := v.GetScrollOffset()
	v.ScrollTo(max(row+n, 0), col)
}

// Page scrolls by n pages.
func (v *Viewer) Page(n int) {
	_, _, _, h := v.GetInnerRect()
	v.ScrollBy(n * max(h, 1))
}

// Top scrolls to the first line.
func (v *Viewer) Top() { v.ScrollToBeginning() }

// Bottom scrolls to the last line.
func (v *Viewer) Bottom() { v.ScrollToEnd() }

// SetSearch highlights every match of re in the text (nil: none, and the
// syntax colors come back) and returns how many lines match. While a
// search is on the text shows without syntax colors, so the matches stand
// out.
func (v *Viewer) SetSearch(re *regexp.Regexp) int {
	v.search, v.matches, v.current = re, nil, -1
	if re == nil {
		v.SetText(v.tagged)
		return 0
	}
	var b strings.Builder
	for i, line := range strings.Split(v.text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		found := re.FindAllStringIndex(line, -1)
		if len(found) > 0 {
			v.matches = append(v.matches, i)
		}
		at := 0
		for _, m := range found {
			if m[1] == m[0] {
				continue
			}
			b.WriteString(escape(line[at:m[0]]))
			b.WriteString("[::r]" + escape(line[m[0]:m[1]]) + "[::R]")
			at = m[1]
		}
		b.WriteString(escape(line[at:]))
	}
	// Lines are escaped one by one: keep the breaks escape keeps within
	// one (see escape).
	v.searchLines = strings.Split(keepBreaks(b.String()), "\n")
	v.SetText(strings.Join(v.searchLines, "\n"))
	return len(v.matches)
}

// rowOf returns the screen row line starts on: lines wrap at the view's
// width, so a line number is not a row. tview.WordWrap wraps as the view
// does.
func (v *Viewer) rowOf(line int) int {
	_, _, w, _ := v.GetInnerRect()
	if w <= 0 {
		return line
	}
	row := 0
	for _, l := range v.searchLines[:min(line, len(v.searchLines))] {
		row += max(len(tview.WordWrap(l, w)), 1)
	}
	return row
}

// NextMatch scrolls to the next line with a match (back: the previous),
// wrapping around, with some context above it. It reports whether there
// is one.
func (v *Viewer) NextMatch(back bool) bool {
	if len(v.matches) == 0 {
		return false
	}
	if v.current < 0 {
		row, _ := v.GetScrollOffset()
		v.current = len(v.matches) - 1
		if back {
			v.current = 0
		}
		for i, l := range v.matches {
			if l >= row {
				v.current = (i - 1 + len(v.matches)) % len(v.matches)
				if back {
					v.current = i
				}
				break
			}
		}
	}
	if back {
		v.current = (v.current - 1 + len(v.matches)) % len(v.matches)
	} else {
		v.current = (v.current + 1) % len(v.matches)
	}
	_, _, _, h := v.GetInnerRect()
	v.ScrollTo(max(v.rowOf(v.matches[v.current])-h/3, 0), 0)
	return true
}
