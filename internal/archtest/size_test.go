package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The terminal UI and the command line are where code piles up: one
// concept per file, each file short enough to read whole and each
// function short enough to hold in one's head (../shared/STYLE.md).
const (
	maxFileLines = 400
	maxFuncLines = 80
)

func TestFileAndFunctionSizes(t *testing.T) {
	for _, dir := range []string{"app", "internal/cli"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			checkSizes(t, f)
		}
	}
}

// checkSizes reports a file over maxFileLines and each function in it
// over maxFuncLines, its doc comment not counted.
func checkSizes(t *testing.T, path string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(filepath.ToSlash(path), "../../")
	if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
		t.Errorf("%s: %d lines (at most %d): split it by concern", name, n, maxFileLines)
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1; n > maxFuncLines {
			t.Errorf("%s: %s is %d lines (at most %d)", name, fd.Name.Name, n, maxFuncLines)
		}
	}
}
