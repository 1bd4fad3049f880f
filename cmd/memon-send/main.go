// Command memon-send tells MEMon that a job ran: it puts one ping on the
// MEMon SQS queue, or wraps a command and reports its start, success or
// failure. It imports the SQS client only, so it stays a small static binary.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
