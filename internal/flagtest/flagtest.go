// Package flagtest helps the commands' tests read their own flag sets.
package flagtest

import (
	"bytes"
	"errors"
	"flag"
	"os/exec"
	"sort"
	"testing"
)

// BoolFlags names the boolean flags defined on fs, sorted: what a test of
// `--flag=false` enumerates, rather than a hand-kept list.
func BoolFlags(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	return names
}

// Outcome runs bin with args and nothing of the environment but PATH, and
// returns its exit status and combined output, for comparing two runs.
func Outcome(t testing.TB, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run %s: %v", bin, err)
	}
	return cmd.ProcessState.String() + "\n" + out.String()
}
