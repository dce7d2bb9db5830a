package app

import (
	"slices"
	"strings"

	"github.com/rivo/tview"

	"github.com/kfsui/kfsui/model"
	"github.com/kfsui/kfsui/views"
)

// contextCandidates completes :ctx's argument: the kubeconfig's contexts
// starting with prefix, and "-" when there is a context to go back to.
func (a *App) contextCandidates(prefix string) []string {
	cs := a.opts.Contexts
	if cs == nil {
		return nil
	}
	var out []string
	for _, n := range cs.Names() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	if a.prevContext != "" && strings.HasPrefix("-", prefix) {
		out = append(out, "-")
	}
	slices.Sort(out)
	return out
}

// contextCommand runs what the jump bar holds if it is about contexts:
// "ctx" or "context" alone picks one from a list, with a name switches to
// it ("-": back), and CONTEXT:/PATH goes to PATH in CONTEXT. It reports
// whether text was one of those. UI goroutine only.
func (a *App) contextCommand(text string) bool {
	word, rest, _ := strings.Cut(text, " ")
	switch word {
	case "ctx", "context":
		switch rest = strings.TrimSpace(rest); {
		case rest == "":
			a.pickContext()
		case strings.HasPrefix(rest, "+") && a.opts.Contexts != nil:
			a.addRoot(strings.TrimPrefix(rest, "+"))
		default:
			a.switchContext(rest)
		}
		return true
	}
	cs := a.opts.Contexts
	if cs == nil || strings.HasPrefix(text, "/") {
		return false
	}
	ref, err := model.ParseRef(text, cs.Names())
	if err != nil || ref.Context == "" {
		return false
	}
	a.afterSwitch = ref.Path
	a.switchContext(ref.Context)
	return true
}

// contextsPage is the name of the page listing the contexts to pick from.
const contextsPage = "contexts"

// pickContext lists the kubeconfig's contexts, the one shown marked and
// selected; Enter switches to the one selected, Esc closes the list. UI
// goroutine only.
func (a *App) pickContext() {
	cs := a.opts.Contexts
	if cs == nil {
		a.flash("one context only: this session was given its connection", true)
		return
	}
	list := tview.NewList().ShowSecondaryText(false).SetHighlightFullLine(true)
	list.SetBorder(true).SetTitle(" contexts (Enter switches, Esc closes) ").SetTitleAlign(tview.AlignLeft)
	list.SetBackgroundColor(a.theme.Background).SetBorderColor(a.theme.Focus).SetTitleColor(a.theme.Title)
	list.SetMainTextColor(a.theme.Foreground).SetSelectedBackgroundColor(a.theme.Selection)
	back := a.tv.GetFocus()
	closeList := func() {
		a.pages.RemovePage(contextsPage)
		a.focus(back)
	}
	for i, name := range cs.Names() {
		mark := "  "
		if name == a.contextName() {
			mark = "* "
			defer list.SetCurrentItem(i)
		}
		list.AddItem(mark+views.Escape(name), "", 0, func() {
			closeList()
			a.switchContext(name)
		})
	}
	list.SetDoneFunc(closeList)
	width := 40
	for _, n := range cs.Names() {
		width = max(width, min(len(n)+8, 120))
	}
	a.pages.AddPage(contextsPage, centered(list, width, min(len(cs.Names())+2, 20)), true, true)
	a.tv.SetFocus(list)
}
