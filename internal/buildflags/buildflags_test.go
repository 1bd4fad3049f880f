package buildflags

import (
	"os/exec"
	"strings"
	"testing"
)

// TestMakefileBuildsWithTheseFlags: `make build lambda` (dry run) uses
// exactly this package's environment and flags for every binary.
func TestMakefileBuildsWithTheseFlags(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	out, err := exec.Command("make", "-s", "-n", "-C", "../..", "build", "lambda").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build lambda: %v\n%s", err, out)
	}
	want := map[string]Kind{"./cmd/memon-send": SmallCLI, "./cmd/memon-config": CLI, "./lambdas/poller": CLI}
	seen := 0
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.Contains(line, "go build") {
			continue
		}
		seen++
		kind, pkg := CLI, line[strings.LastIndex(line, " ")+1:]
		if k, ok := want[pkg]; ok {
			kind = k
		}
		if strings.Contains(line, "GOOS=linux GOARCH=arm64") {
			kind = Lambda
		}
		for _, w := range append(Env(kind), Flags(kind, "")...) {
			if !strings.Contains(strings.ReplaceAll(line, "'", ""), w) {
				t.Errorf("%s is built without %q:\n%s", pkg, w, line)
			}
		}
	}
	if seen < 4 {
		t.Fatalf("found %d go build lines in:\n%s", seen, out)
	}
}

func TestFlagsByKind(t *testing.T) {
	if f := strings.Join(Flags(Lambda, ""), " "); !strings.Contains(f, "-tags lambda.norpc") || !strings.Contains(f, "-ldflags=-s -w -buildid=") {
		t.Errorf("lambda flags %s", f)
	}
	if f := strings.Join(Flags(SmallCLI, ""), " "); !strings.Contains(f, "-gcflags=all=-l") {
		t.Errorf("small cli flags %s", f)
	}
	if e := strings.Join(Env(Lambda), " "); e != "CGO_ENABLED=0 GOOS=linux GOARCH=arm64" {
		t.Errorf("lambda env %s", e)
	}
}
