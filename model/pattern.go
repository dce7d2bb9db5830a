package model

import "regexp"

// PatternOptions say how a pattern typed by a user is read.
type PatternOptions struct {
	// Fixed takes the pattern as a string, not a regular expression
	// (grep -F).
	Fixed bool
	// IgnoreCase matches either case; a pattern may still turn it off
	// with (?-i).
	IgnoreCase bool
}

// CompilePattern compiles what a user typed to search with: the tree's
// filter after "~", the viewer's and the log panes' search and filter,
// kfsui grep's PATTERN. The syntax is Go's RE2, as grep -E's. The error
// is the regexp package's, for the caller to say where the pattern came
// from.
func CompilePattern(pattern string, o PatternOptions) (*regexp.Regexp, error) {
	if o.Fixed {
		pattern = regexp.QuoteMeta(pattern)
	}
	if o.IgnoreCase {
		pattern = "(?i)" + pattern
	}
	return regexp.Compile(pattern)
}
