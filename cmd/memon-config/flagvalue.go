package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// durationValue binds a flag to a time.Duration written as MEMon writes
// durations (90s, 15m, 1h, 1d, 1h30m, or bare seconds), so the flag
// package parses it once and reports a bad value with the flag's name.
// A usage naming `DUR` lets splitDuration catch "--since 1 hour".
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return memon.FormatDuration(*v.d)
}

func (v durationValue) Set(s string) error {
	d, err := memon.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want %s", durationForm)
	}
	*v.d = d
	return nil
}

// durationFlag binds name to *p with default def.
func durationFlag(fs *flag.FlagSet, p *time.Duration, name string, def time.Duration, usage string) {
	*p = def
	fs.Var(durationValue{p}, name, usage)
}
