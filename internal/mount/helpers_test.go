package mount

import (
	"testing"

	"github.com/kfsui/kfsui/model"
)

func mustParse(t *testing.T, s string) model.Path {
	t.Helper()
	p, err := model.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
