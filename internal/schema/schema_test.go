package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// declared returns the package-level constants, variables and types of the
// non-test files in dir: name -> the string literal it is set to ("" when
// it is not a string constant).
func declared(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = ""
				case *ast.ValueSpec:
					for i, n := range s.Names {
						out[n.Name] = ""
						if i < len(s.Values) {
							if lit, ok := s.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								out[n.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("nothing declared in %s", dir)
	}
	return out
}

// TestDomainExportsNoStorageName: package memon, the public API, exports
// none of this package's names and no string constant whose value is an
// attribute name; the storage layout stays internal.
func TestDomainExportsNoStorageName(t *testing.T) {
	ours := declared(t, ".")
	attrs := map[string]string{}
	for name, v := range ours {
		if v != "" && (strings.HasPrefix(name, "Attr") || strings.HasPrefix(name, "Hist") || strings.HasPrefix(name, "Count") || strings.HasPrefix(name, "Token")) {
			attrs[v] = name
		}
	}
	if len(attrs) < 40 {
		t.Fatalf("found only %d attribute names here", len(attrs))
	}
	for name, v := range declared(t, filepath.Join("..", "..", "pkg", "memon")) {
		if !ast.IsExported(name) {
			continue
		}
		if _, clash := ours[name]; clash {
			t.Errorf("pkg/memon exports %s, a name of the storage schema", name)
		}
		if a, ok := attrs[v]; ok {
			t.Errorf("pkg/memon exports %s = %q, the attribute name schema.%s", name, v, a)
		}
	}
}
