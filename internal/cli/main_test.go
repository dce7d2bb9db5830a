package cli

import (
	"os"
	"testing"
)

// The command line reads the user's config directory: point it at an empty
// one, so a developer's own config.yaml or keymap.yaml cannot change what
// the tests see.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kfsui-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
