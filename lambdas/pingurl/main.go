// Command pingurl is the Lambda behind MEMon's function URL (stack context
// httpPings=true): it serves internal/pingurl's ping API. Reserved
// concurrency and the handler's minimum latency bound what a flood costs.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/peerj/memon/internal/functionurl"
	"github.com/peerj/memon/internal/pingurl"
)

func main() {
	ctx := context.Background()
	h, err := pingurl.FromEnv(ctx, os.Getenv, pingurl.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "memon-pingurl:", err)
		os.Exit(2)
	}
	lambda.Start(functionurl.Handler(h))
}
