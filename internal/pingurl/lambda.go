package pingurl

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/peerj/memon/internal/functionurl"
)

// FunctionURL adapts the handler to Lambda function URL events, so the
// Lambda serves exactly what memon-pingurl serves.
func FunctionURL(h *Handler) func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return functionurl.Handler(h)
}
