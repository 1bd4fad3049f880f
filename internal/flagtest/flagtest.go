// Package flagtest helps the commands' tests read their own flag sets.
package flagtest

import (
	"flag"
	"sort"
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
