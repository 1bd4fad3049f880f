// Package version is the one place MEMon's binaries take their version from:
// memon-send, memon-config and memon-poller print the same string.
//
// `make build`, `make dist`, `make lambda` and the CDK app's Lambda build all
// stamp it with one linker flag (see LinkerFlag), set from `git describe`.
// An unstamped build falls back to the module version or the VCS revision the
// go command recorded; only an unstamped `go run` or test says "dev".
package version

import (
	"os/exec"
	"runtime/debug"
	"strings"
)

// stamp is set at link time: -ldflags "-X github.com/peerj/memon/internal/version.stamp=v1.2.3".
var stamp string

// Package is this package's import path, for the linker flag.
const Package = "github.com/peerj/memon/internal/version"

// LinkerFlag is the -X flag that stamps v into every binary.
func LinkerFlag(v string) string { return "-X " + Package + ".stamp=" + v }

// String is the version: the stamp, else what the build recorded, else "dev".
func String() string {
	if stamp != "" {
		return stamp
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return fromBuildInfo(bi)
}

func fromBuildInfo(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v // go install github.com/peerj/memon/cmd/...@v1.2.3
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) >= 12 {
		return rev[:12] + dirty
	}
	return "dev"
}

// Describe is what the builds stamp: `git describe --tags --always --dirty`
// in dir (the module root), or "dev" outside a git checkout. The Makefile
// runs the same command.
func Describe(dir string) string {
	cmd := exec.Command("git", "describe", "--tags", "--always", "--dirty")
	cmd.Dir = dir
	out, err := cmd.Output()
	if v := strings.TrimSpace(string(out)); err == nil && v != "" {
		return v
	}
	return "dev"
}
