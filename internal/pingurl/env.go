package pingurl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/settings"
)

var (
	_ Tokens = (*dynamo.Tokens)(nil)
	_ Keys   = (*dynamo.Keys)(nil)
)

// FromEnv builds the handler on the real queue and tokens table, named by
// MEMON_QUEUE_URL and MEMON_TOKEN_TABLE (and MEMON_TABLE, default the tokens
// table's name without "-tokens"), with the standard AWS configuration
// (AWS_REGION, AWS_ENDPOINT_URL, ...). The Lambda and memon-pingurl share it.
func FromEnv(ctx context.Context, getenv settings.Lookup, cfg Config) (*Handler, error) {
	queueURL, tokenTable := getenv(settings.EnvQueueURL), getenv(settings.EnvTokenTable)
	var missing []error
	if queueURL == "" {
		missing = append(missing, fmt.Errorf("%s is not set: the stack output QueueUrl (`make local` writes it to .local/memon.env)", settings.EnvQueueURL))
	}
	if tokenTable == "" {
		missing = append(missing, fmt.Errorf("%s is not set: the stack output TokenTableName (deployed with -c httpPings=true)", settings.EnvTokenTable))
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	// The events table: only its TokenHash is read, to check that a token
	// is still its event's.
	events := settings.EventsTableBeside(getenv, tokenTable)
	db := dynamodb.NewFromConfig(awsCfg)
	sender := queue.NewSender(sqs.NewFromConfig(awsCfg), queueURL, "")
	return New(dynamo.NewTokens(db, events, tokenTable), dynamo.NewKeys(db, tokenTable), sender, cfg, time.Now), nil
}
