package main

import (
	"flag"
	"strconv"
	"strings"
)

// unitWords maps what people type after a number ("1 hour") to the unit a
// duration takes ("1h").
var unitWords = map[string]string{
	"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
	"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
	"h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
	"d": "d", "day": "d", "days": "d",
}

// splitDuration catches a duration typed as two words (`--period 1 hour`),
// which would otherwise read "hour" as a second EVENT and say "too many
// arguments". Duration flags are the ones whose usage names `DUR`.
func splitDuration(fs *flag.FlagSet, args []string) error {
	for i, a := range args {
		if a == "--" {
			return nil
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if arg, _ := flag.UnquoteUsage(f); arg != "DUR" {
			continue
		}
		next := i + 1
		if !hasValue {
			value, next = args[min(i+1, len(args)-1)], i+2
		}
		if next >= len(args) {
			continue
		}
		unit, ok := unitWords[strings.ToLower(args[next])]
		if _, err := strconv.Atoi(value); err != nil || !ok {
			continue
		}
		return flagError(name, value+" "+args[next],
			"write --"+name+" "+value+unit+": a duration is "+durationForm)
	}
	return nil
}
