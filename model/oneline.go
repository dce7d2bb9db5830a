package model

import "strings"

// OneLine folds an error onto one line, for a footer or a one-line error
// on stderr: some API errors span several.
func OneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
