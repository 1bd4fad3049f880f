package poller

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayoutImports holds ARCHITECTURE.md's import rules: the domain
// imports no AWS, the poll no adapter, an adapter no other adapter.
func TestLayoutImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}",
		"github.com/peerj/memon/pkg/memon/...", "github.com/peerj/memon/internal/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/peerj/memon/"
	adapters := map[string]bool{mod + "internal/dynamo": true, mod + "internal/queue": true, mod + "internal/notify": true}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		for _, imp := range imports {
			switch {
			case pkg == mod+"pkg/memon/ping" && (strings.Contains(imp, "aws") || strings.HasPrefix(imp, mod) || strings.Contains(imp, ".")):
				t.Errorf("the message contract imports %s: it is the standard library only", imp)
			case pkg == mod+"pkg/memon" && (strings.Contains(imp, "aws") || strings.HasPrefix(imp, mod) && imp != mod+"pkg/memon/ping"):
				t.Errorf("the domain imports %s", imp)
			case pkg == mod+"internal/poller" && (strings.Contains(imp, "aws") || strings.HasPrefix(imp, mod) && imp != mod+"pkg/memon"):
				t.Errorf("the poll imports %s: it speaks to adapters only through its ports", imp)
			case adapters[pkg] && adapters[imp]:
				t.Errorf("adapter %s imports adapter %s", pkg, imp)
			case pkg == mod+"internal/fake" && (strings.Contains(imp, "aws") || strings.HasPrefix(imp, mod) && imp != mod+"pkg/memon"):
				t.Errorf("the fakes import %s: they speak domain types only", imp)
			}
		}
	}
}
