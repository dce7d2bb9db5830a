package model

import (
	"slices"
	"strings"

	"github.com/kfsui/kfsui/k8s"
)

// Completion is what Tab makes of the jump bar's text: the text before
// the word being completed, and the words it may become, sorted.
type Completion struct {
	Prefix  string
	Word    string
	Matches []string
}

// Common is the longest text every match begins with, after Prefix: what
// Tab fills in.
func (c Completion) Common() string {
	if len(c.Matches) == 0 {
		return c.Word
	}
	common := c.Matches[0]
	for _, m := range c.Matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	return common
}

// Complete completes the jump bar's last word, as the terminal UI's jump
// bar and the web's do: after "ctx " a context's name (names may hold
// '/' and ' ': the whole argument is the word); after a '/' a segment of
// the directory before it; after a resource ("deploy w") a name of that
// type where the jump would go; else a type's alias. list gives a
// directory's entries as far as they are known; base and defaultNS are
// as Jump's.
func Complete(text string, cat *k8s.Catalog, base Path, defaultNS string, contexts []string, list func(Path) []Entry) Completion {
	cut := strings.LastIndexAny(text, " /") + 1
	c := Completion{Prefix: text[:cut], Word: text[cut:]}
	var candidates []string
	if cmd, arg, ok := strings.Cut(text, " "); ok && (cmd == "ctx" || cmd == "context") {
		c.Prefix, c.Word = cmd+" ", arg
		candidates = contexts
	} else if strings.Contains(c.Prefix, "/") {
		dirText := strings.TrimSuffix(c.Prefix[strings.LastIndex(c.Prefix, " ")+1:], "/")
		dir, err := Root, error(nil)
		if dirText != "" {
			dir, err = Jump(dirText, cat, base, defaultNS)
		}
		if err == nil {
			for _, e := range list(dir) {
				name := e.Name
				if e.Dir {
					name += "/"
				}
				candidates = append(candidates, name)
			}
		}
	} else if fields := strings.Fields(c.Prefix); len(fields) == 1 {
		if p, err := Jump(fields[0], cat, base, defaultNS); err == nil {
			for _, e := range list(p) {
				candidates = append(candidates, e.Name)
			}
		}
	} else {
		candidates = cat.Aliases()
	}
	for _, cand := range candidates {
		if strings.HasPrefix(cand, c.Word) {
			c.Matches = append(c.Matches, cand)
		}
	}
	slices.Sort(c.Matches)
	c.Matches = slices.Compact(c.Matches)
	return c
}
