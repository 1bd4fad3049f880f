package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/peerj/memon/internal/buildflags"
)

// PollerPackage is the poller Lambda's main package, relative to the module root.
const PollerPackage = "./lambdas/poller"

// DefaultPollerCodeDir is where `make lambda` and the CDK app put the poller's
// bootstrap binary, relative to the module root.
const DefaultPollerCodeDir = "build/poller"

// BuildPoller compiles the poller Lambda from moduleRoot into outDir/bootstrap
// exactly as `make lambda` does, and returns outDir.
func BuildPoller(moduleRoot, outDir string) (string, error) {
	return outDir, BuildLambda(moduleRoot, PollerPackage, outDir)
}

// BuildLambda cross-compiles the main package pkg (inside the Go module at dir)
// into outDir/bootstrap for the provided.al2023 arm64 runtime, with the
// release flags of internal/buildflags (reproducible). Docker is not needed.
func BuildLambda(dir, pkg, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	out, err := filepath.Abs(filepath.Join(outDir, "bootstrap"))
	if err != nil {
		return err
	}
	if msg, err := buildflags.Command(buildflags.Lambda, dir, out, pkg).CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	return nil
}
