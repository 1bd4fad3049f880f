package layout

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const mod = "github.com/peerj/memon/"

// rule is what one package may import: MEMon packages by exact path, other
// modules by path prefix (the standard library is always allowed).
type rule struct {
	own []string
	ext []string
}

var (
	awsSDK = []string{"github.com/aws/aws-sdk-go-v2/", "github.com/aws/smithy-go"}
	cdk    = []string{"github.com/aws/aws-cdk-go/", "github.com/aws/constructs-go/", "github.com/aws/jsii-runtime-go", "github.com/cdklabs/cdk-nag-go/"}
	lambda = []string{"github.com/aws/aws-lambda-go/"}
)

// layout is ARCHITECTURE.md's table as code: every package of the module,
// and what it may import. A package not listed fails the test, so a new
// package is placed in the layout when it is added.
var layout = map[string]rule{
	// The domain and its message contract: no AWS, no adapter.
	"pkg/memon/ping": {},
	"pkg/memon":      {own: []string{"pkg/memon/ping"}, ext: []string{"github.com/robfig/cron/"}},
	// The storage contract (of the domain's types) and the shared names.
	"internal/schema": {own: []string{"pkg/memon"}},
	// Test helpers.
	"internal/configtest": {own: []string{"pkg/memon"}},
	"internal/settings":   {},
	"internal/version":    {},
	// One adapter per AWS service: none imports another.
	"internal/dynamo": {own: []string{"pkg/memon", "internal/schema"}, ext: awsSDK},
	"internal/queue":  {own: []string{"pkg/memon/ping", "internal/settings"}, ext: awsSDK},
	"internal/notify": {own: []string{"pkg/memon"}, ext: awsSDK},
	// The work, in domain terms behind its ports.
	"internal/poller":  {own: []string{"pkg/memon"}, ext: []string{"golang.org/x/sync/"}},
	"internal/web":     {own: []string{"pkg/memon"}},
	"internal/report":  {own: []string{"pkg/memon", "internal/dynamo"}},
	"internal/pingurl": {own: []string{"pkg/memon", "internal/dynamo", "internal/queue", "internal/settings", "internal/bounds"}, ext: awsSDK},
	// The public read endpoint: no AWS in the handler; its wiring apart.
	"internal/statusurl":        {own: []string{"pkg/memon", "internal/bounds", "internal/web"}},
	"internal/statusurl/awsenv": {own: []string{"internal/statusurl", "internal/dynamo", "internal/schema", "internal/settings"}, ext: awsSDK},
	"internal/functionurl":      {ext: lambda},
	"internal/bounds":           {},
	// Test support.
	"internal/fake":            {own: []string{"pkg/memon"}},
	"internal/sim":             {own: []string{"pkg/memon", "internal/fake", "internal/poller"}},
	"internal/mototest":        {own: []string{"internal/schema", "internal/settings"}, ext: awsSDK},
	"internal/lambdatest":      {},
	"internal/eventbridgetest": {},
	"internal/flagtest":        {},
	"internal/browsertest":     {ext: []string{"github.com/chromedp/"}},
	"internal/layout":          {},
	"docs":                     {},
	// Release builds.
	"internal/buildflags":       {own: []string{"internal/version"}},
	"internal/buildflags/print": {own: []string{"internal/buildflags"}},
	// Mains: wire adapters and the work.
	"cmd/memon-send":    {own: []string{"pkg/memon/ping", "internal/queue", "internal/settings", "internal/version"}, ext: awsSDK},
	"cmd/memon-config":  {own: []string{"pkg/memon", "internal/dynamo", "internal/queue", "internal/notify", "internal/report", "internal/web", "internal/settings", "internal/version"}, ext: append(slices.Clone(awsSDK), "go.yaml.in/yaml/")},
	"cmd/memon-pingurl": {own: []string{"internal/pingurl", "internal/statusurl", "internal/statusurl/awsenv", "internal/settings", "internal/version"}},
	"lambdas/poller":    {own: []string{"pkg/memon", "internal/dynamo", "internal/queue", "internal/notify", "internal/poller", "internal/report", "internal/settings", "internal/version"}, ext: append(slices.Clone(awsSDK), lambda...)},
	"lambdas/pingurl":   {own: []string{"internal/pingurl", "internal/functionurl"}, ext: lambda},
	"lambdas/statusurl": {own: []string{"internal/statusurl", "internal/statusurl/awsenv", "internal/functionurl", "internal/settings"}, ext: lambda},
	"tools/benchreport": {},
	"tools/memon-local": {own: []string{"pkg/memon", "internal/mototest", "internal/settings"}, ext: awsSDK},
	// Infrastructure.
	"infra":                {own: []string{"pkg/memon", "internal/schema", "internal/settings", "internal/buildflags"}, ext: cdk},
	"pkg/memoncdk":         {own: []string{"pkg/memon", "internal/schema"}, ext: cdk},
	"examples/memon-check": {own: []string{"pkg/memoncdk"}, ext: cdk},
}

// packages lists every package of the module with its non-test imports.
func packages(t *testing.T, dir string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkgs[strings.TrimPrefix(f[0], mod)] = f[1:]
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// TestLayoutImports: every package of the module is placed in the layout
// and imports only what its rule allows.
func TestLayoutImports(t *testing.T) {
	dir := root(t)
	pkgs := packages(t, dir)
	for pkg, imports := range pkgs {
		r, ok := layout[pkg]
		if !ok {
			t.Errorf("package %s is not in the layout: add it to ARCHITECTURE.md and to this test's layout", pkg)
			continue
		}
		for _, imp := range imports {
			if own, ok := strings.CutPrefix(imp, mod); ok {
				if !slices.Contains(r.own, own) {
					t.Errorf("%s imports %s, which the layout does not allow", pkg, own)
				}
				continue
			}
			if !strings.Contains(strings.Split(imp, "/")[0], ".") {
				continue // the standard library
			}
			if !slices.ContainsFunc(r.ext, func(p string) bool { return strings.HasPrefix(imp, p) }) {
				t.Errorf("%s imports %s, which the layout does not allow", pkg, imp)
			}
		}
	}
	for pkg := range layout {
		if _, ok := pkgs[pkg]; !ok {
			t.Errorf("the layout lists %s, which is no package of the module", pkg)
		}
	}
}

// TestArchitectureNamesEveryPackage: ARCHITECTURE.md names each package
// (as `path` or under a `dir/*` entry), so the map a newcomer reads covers
// the whole module.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	dir := root(t)
	b, err := os.ReadFile(filepath.Join(dir, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for pkg := range packages(t, dir) {
		parent := pkg[:max(strings.LastIndex(pkg, "/"), 0)]
		if !strings.Contains(doc, "`"+pkg+"`") && !strings.Contains(doc, "`"+pkg+"/`") && !(parent != "" && strings.Contains(doc, "`"+parent+"/*`")) {
			t.Errorf("ARCHITECTURE.md does not name %s", pkg)
		}
	}
}
