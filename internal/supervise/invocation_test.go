package supervise

import "testing"

func TestUIInvocation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ui   bool
	}{
		{nil, true},
		{[]string{"--context", "dev"}, true},
		{[]string{"--context=dev", "-n", "team-a", "--mouse"}, true},
		{[]string{"-nteam-a", "--hide-empty-types", "--path", "/namespaces"}, true},
		{[]string{"--context", "dev", "--context", "prod"}, true},
		{[]string{"--mouse=false", "--tail", "50"}, true},
		// A verb, wherever it stands after the flags and their values.
		{[]string{"ls", "/namespaces"}, false},
		{[]string{"--context", "dev", "cat", "/x"}, false},
		{[]string{"--mouse", "tail", "-f", "/x"}, false},
		{[]string{"-n", "a", "mount", "/mnt"}, false},
		// Help and version print and end: nothing to supervise.
		{[]string{"--help"}, false},
		{[]string{"-h"}, false},
		{[]string{"--version"}, false},
		{[]string{"-v"}, false},
		{[]string{"--context", "dev", "--help"}, false},
		// Unsure: left to the command line.
		{[]string{"--", "x"}, false},
		{[]string{"-"}, false},
	} {
		if got := UIInvocation(tc.args); got != tc.ui {
			t.Errorf("UIInvocation(%q) = %v, want %v", tc.args, got, tc.ui)
		}
	}
}
