package supervise

import (
	"slices"
)

// RootBoolFlags are the flags of kfsui's root command that take no value,
// long names and shorthands: what UIInvocation needs to tell a flag's
// value from a verb. internal/cli's tests keep it equal to the command's
// own flags.
func RootBoolFlags() []string {
	return []string{"disable-compression", "h", "help", "hide-empty-types", "insecure-skip-tls-verify", "mouse", "v", "version"}
}

// UIInvocation reports whether args (without the program name) run the
// terminal UI: the root command with flags only, no verb, no --help or
// --version. It reads the command line as cobra does, knowing only which
// flags take no value (RootBoolFlags), and errs on the side of no: a
// command line it is unsure of is left to the command line proper, which
// supervises the UI all the same, only later.
func UIInvocation(args []string) bool {
	bools := RootBoolFlags()
	for i := 0; i < len(args); i++ {
		a := args[i]
		var name string
		var hasValue bool
		switch {
		case a == "--" || a == "-" || a == "" || a[0] != '-':
			return false // a verb, a stray word, or the end of flags
		case a[1] == '-':
			name, hasValue = cutValue(a[2:])
		case len(a) == 2:
			name = a[1:]
		default:
			name, hasValue = a[1:2], true // -nteam-a: the value is attached
		}
		if name == "help" || name == "h" || name == "version" || name == "v" {
			return false
		}
		if !hasValue && !slices.Contains(bools, name) {
			i++ // the flag's value follows
		}
	}
	return true
}

// cutValue splits a long flag's "name=value" at its first "=": strings.Cut,
// which this package may not import (see the package doc).
func cutValue(s string) (name string, hasValue bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], true
		}
	}
	return s, false
}
