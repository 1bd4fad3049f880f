package main

import (
	"path/filepath"
	"testing"

	"github.com/peerj/memon/internal/buildflags"
	"github.com/peerj/memon/internal/flagtest"
)

// TestEveryBoolFlagFalseIsTheFlagLeftOut: for every boolean flag of
// memon-pingurl (read from its flag set), `--flag=false` through the built
// binary, with no MEMON_* environment, exits and prints what leaving the
// flag out does.
func TestEveryBoolFlagFalseIsTheFlagLeftOut(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "memon-pingurl")
	if out, err := buildflags.Command(buildflags.CLI, ".", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bools := flagtest.BoolFlags(newFlagSet(&options{}))
	if len(bools) < 1 {
		t.Fatal("found no boolean flag")
	}
	run := func(args ...string) string { return flagtest.Outcome(t, bin, args...) }
	base := []string{"--addr", "127.0.0.1:0"}
	left := run(base...)
	for _, f := range bools {
		if off := run(append([]string{"--" + f + "=false"}, base...)...); off != left {
			t.Errorf("memon-pingurl --%s=false differs from the flag left out:\n--%s=false: %s\nleft out:   %s", f, f, off, left)
		}
		if on := run(append([]string{"--" + f}, base...)...); on == left {
			t.Errorf("memon-pingurl --%s did what no flag does: this test tells nothing apart", f)
		}
	}
}
