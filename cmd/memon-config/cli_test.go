package main

import (
	"strings"
	"testing"
)

func TestFlagTypoSuggestsTheNearestFlag(t *testing.T) {
	t.Parallel()
	r := runWith(t, newFake(), t0, "set", "job", "--period", "1h", "--grase", "5m")
	if r.code != exitUsage || !strings.Contains(r.stderr, "flag provided but not defined: --grase; did you mean --grace?") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	r = runWith(t, newFake(), t0, "set", "job", "--zzzzzzzz")
	if r.code != exitUsage || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("a flag nothing is near: exit %d: %s", r.code, r.stderr)
	}
	r = runWith(t, newFake(), t0, "apply", "--help")
	if !strings.Contains(r.stdout+r.stderr, "  -f FILE") || strings.Contains(r.stdout+r.stderr, "--f FILE") {
		t.Errorf("apply --help:\n%s%s", r.stdout, r.stderr)
	}
}
