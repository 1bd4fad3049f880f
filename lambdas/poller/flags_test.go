package main

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/peerj/memon/internal/buildflags"
	"github.com/peerj/memon/internal/flagtest"
)

// TestEveryBoolFlagFalseIsTheFlagLeftOut: for every boolean flag of
// memon-poller (read from its flag set), `--flag=false` through the built
// binary, outside Lambda and with no MEMON_* environment, exits and prints
// what leaving the flag out does (`--once=false` asks for --once or --every,
// as no flag does; `--once` would go on to the environment).
func TestEveryBoolFlagFalseIsTheFlagLeftOut(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "memon-poller")
	if out, err := buildflags.Command(buildflags.CLI, moduleRoot, bin, "./lambdas/poller").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bools := flagtest.BoolFlags(newFlagSet(&options{}, func(string) string { return "" }, io.Discard))
	if len(bools) < 3 {
		t.Fatalf("found only the boolean flags %v", bools)
	}
	run := func(args ...string) string { return flagtest.Outcome(t, bin, args...) }
	base := []string{"--budget", "1s"}
	left := run(base...)
	for _, f := range bools {
		if off := run(append([]string{"--" + f + "=false"}, base...)...); off != left {
			t.Errorf("memon-poller --%s=false differs from the flag left out:\n--%s=false: %s\nleft out:   %s", f, f, off, left)
		}
	}
	if on := run("--once"); on == left {
		t.Errorf("memon-poller --once did what no flag does: this test tells nothing apart\n%s", on)
	}
}
