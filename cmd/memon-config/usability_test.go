package main

import (
	"strings"
	"testing"
)

// TestSetHelpSaysWhatADurationLooksLike (#9 point 4).
func TestSetHelpSaysWhatADurationLooksLike(t *testing.T) {
	t.Parallel()
	r := runWith(t, newFake(), t0, "set", "--help")
	for _, want := range []string{"90s, 15m, 1h, 1d", "a bare number is seconds"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("set --help lacks %q (exit %d):\n%s", want, r.code, r.stdout)
		}
	}
}
