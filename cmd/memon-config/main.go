// Command memon-config creates, edits, lists and removes MEMon events: the
// configuration side of memon.py's `config`, `show` and `html`.
//
// main only wires the process (signals, arguments, writers) to run; the
// commands live in files named for them and take their clock, zone,
// environment and store from an app, so tests drive them without AWS.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
