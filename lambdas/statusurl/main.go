// Command statusurl is the Lambda behind the stack output StatusUrl (stack
// context httpPings=true): it serves internal/statusurl's read routes (the
// read-only Management API, badges, the status page). Its role only reads;
// reserved concurrency and the handler's floor bound what a flood costs.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/peerj/memon/internal/functionurl"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/statusurl"
	"github.com/peerj/memon/internal/statusurl/awsenv"
)

func main() {
	// MEMON_PING_URL: the ping endpoint, where /ping/... is sent on.
	h, err := awsenv.FromEnv(context.Background(), os.Getenv, statusurl.Config{PingURL: os.Getenv(settings.EnvPingURL)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "memon-statusurl:", err)
		os.Exit(2)
	}
	lambda.Start(functionurl.Handler(h))
}
