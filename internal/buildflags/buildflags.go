// Package buildflags is how MEMon's binaries are built for release, defined
// once: the Makefile asks for these flags (go run ./internal/buildflags/print),
// the CDK app builds the Lambdas with them (infra/build.go), and the tests
// that check a built binary (memon-send's size, the end-to-end test) build
// it the same way.
package buildflags

import (
	"os"
	"os/exec"

	"github.com/peerj/memon/internal/version"
)

// Kind is what is built.
type Kind int

const (
	CLI      Kind = iota // a command for this host
	SmallCLI             // a command whose size matters (memon-send): no inlining either
	Lambda               // a Lambda bootstrap for provided.al2023 on arm64
)

const (
	// LDFlags strip the symbol table and the build id: smaller binaries,
	// byte-identical across builds (so a Lambda asset changes only with
	// its code).
	LDFlags = "-s -w -buildid="
	// SmallGCFlags turn inlining off everywhere, which makes memon-send
	// about a tenth smaller at no cost that matters for a one-shot command.
	SmallGCFlags = "all=-l"
	// LambdaTags leave out aws-lambda-go's RPC mode, which provided.al2023
	// never uses.
	LambdaTags = "lambda.norpc"
)

// Flags are the `go build` flags for kind (everything but -o and the
// package), with ver stamped in as the binaries' version ("" stamps none).
func Flags(kind Kind, ver string) []string {
	ld := LDFlags
	if ver != "" {
		ld += " " + version.LinkerFlag(ver)
	}
	flags := []string{"-trimpath", "-ldflags=" + ld}
	switch kind {
	case SmallCLI:
		flags = append(flags, "-gcflags="+SmallGCFlags)
	case Lambda:
		flags = append(flags, "-tags", LambdaTags)
	}
	return flags
}

// Env is the environment for kind on top of the caller's: always static
// (no cgo); a Lambda for linux/arm64.
func Env(kind Kind) []string {
	env := []string{"CGO_ENABLED=0"}
	if kind == Lambda {
		env = append(env, "GOOS=linux", "GOARCH=arm64")
	}
	return env
}

// Command returns `go build` of pkg into out for kind, run in dir (inside
// the module), stamped with the checkout's version as the Makefile does.
func Command(kind Kind, dir, out, pkg string) *exec.Cmd {
	cmd := exec.Command("go", append(append([]string{"build"}, Flags(kind, version.Describe(dir))...), "-o", out, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Env(kind)...)
	return cmd
}
