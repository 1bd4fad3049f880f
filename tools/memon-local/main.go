// Command memon-local runs MEMon on this machine against moto, with the
// real stack deployed into it: `make local`, `make local-down` and the alert
// watching of `make demo` (scripts/demo.sh). Python is needed only for
// moto_server itself.
//
//	memon-local up        start moto_server on localhost:$MOTO_PORT (default 5055) unless
//	                      something answers there, deploy the stack unless it is complete,
//	                      write $MEMON_LOCAL_DIR/memon.env (default .local) and outputs.json
//	memon-local down      stop the moto_server that up started (its pid file), never another
//	memon-local alerts subscribe TOPIC_ARN QUEUE_NAME   create a queue subscribed to the topic, print its URL
//	memon-local alerts drain QUEUE_URL                  drop what the queue holds
//	memon-local alerts watch [SECS]                     subscribe a queue to $MEMON_TOPIC_ARN and print every
//	                                                    alert as it arrives, until Ctrl-C (or SECS)
//	memon-local alerts watch QUEUE_URL SUBJECT [SECS]   print alerts as they arrive until SUBJECT
//	                                                    is among them (exit 1 after SECS, default 20)
//	memon-local event batch|states|ecs NAME [fail]      put a sample AWS job event for NAME on $MEMON_QUEUE_URL,
//	                                                    as the stack's EventBridge rule would
//
// The alert commands use the standard AWS environment (memon.env).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: memon-local up | down | alerts subscribe TOPIC_ARN QUEUE_NAME | alerts drain QUEUE_URL | alerts watch [SECS] | alerts watch QUEUE_URL SUBJECT [SECS] | event batch|states|ecs NAME [fail]`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 1 && args[0] == "up":
		err = localFrom(getenv, stderr).up(ctx)
	case len(args) == 1 && args[0] == "down":
		err = localFrom(getenv, stderr).down()
	case len(args) >= 2 && args[0] == "alerts":
		return alerts(ctx, args[1:], getenv, stdout, stderr)
	case len(args) >= 1 && args[0] == "event":
		return sendJobEvent(ctx, args[1:], getenv, time.Now(), stdout, stderr)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "local: error: %v\n", err)
		return 1
	}
	return 0
}
