package main

import (
	"flag"
	"reflect"
	"testing"

	"github.com/peerj/memon/internal/fake"
)

// TestFalseIsLeftOut: for every boolean flag of set, apply, export, show
// and html (read from each command's own flag set), --flag=false does what
// leaving the flag out does: the same output, exit code and table.
// apply --prune=false --yes=false therefore never deletes.
func TestFalseIsLeftOut(t *testing.T) {
	t.Parallel()
	table := func() (*fake.Store, string) {
		f := checksStore(t)
		// A file without etl, report and glue:click stream: a prune would delete them.
		file := writeFile(t, "events:\n  - name: backup\n    period: 1d\n    grace: 45m\n")
		return f, file
	}
	for _, c := range []*command{setCommand(), applyCommand(), exportCommand(), showCommand(), htmlCommand()} {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		fs.VisitAll(func(fl *flag.Flag) {
			if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				return
			}
			t.Run(c.name+" --"+fl.Name+"=false", func(t *testing.T) {
				run := func(extra ...string) (result, any) {
					f, file := table()
					args := map[string][]string{"set": {"set", "backup", "--grace", "45m"}, "apply": {"apply", "-f", file},
						"export": {"export"}, "show": {"show"}, "html": {"html"}}[c.name]
					r := runWith(t, f, t0, append(args, extra...)...)
					return r, stored(t, f)
				}
				left, leftTable := run()
				given, givenTable := run("--" + fl.Name + "=false")
				if left.code != given.code || left.stdout != given.stdout || left.stderr != given.stderr {
					t.Errorf("--%s=false: exit %d\n%s%s\nleft out: exit %d\n%s%s", fl.Name, given.code, given.stdout, given.stderr, left.code, left.stdout, left.stderr)
				}
				if !reflect.DeepEqual(leftTable, givenTable) {
					t.Errorf("--%s=false left another table than the flag left out", fl.Name)
				}
			})
		})
	}
	f, file := table()
	if r := runWith(t, f, t0, "apply", "-f", file, "--prune=false", "--yes=false"); r.code != 0 || len(stored(t, f)) != 4 {
		t.Errorf("apply --prune=false --yes=false: exit %d, %d events left, want 4\n%s%s", r.code, len(stored(t, f)), r.stdout, r.stderr)
	}
}
