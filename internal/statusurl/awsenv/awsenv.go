// Package awsenv wires the read endpoint (internal/statusurl) to DynamoDB
// from the environment: the tables the stack names, with the standard AWS
// configuration. The Lambda (lambdas/statusurl) and memon-pingurl share it,
// so both read exactly the same.
package awsenv

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/statusurl"
)

var (
	_ statusurl.Keys    = (*dynamo.Keys)(nil)
	_ statusurl.Events  = (*dynamo.Reader)(nil)
	_ statusurl.History = (*dynamo.Reader)(nil)
)

// FromEnv builds the read handler over the tokens table (its keys),
// MEMON_TOKEN_TABLE, the events table MEMON_TABLE (default: the tokens
// table's name without "-tokens") and the history table
// MEMON_HISTORY_TABLE (default: the events table's name + "-history");
// MEMON_STATUS_PAGE=true (or details) serves the status page. Its reads
// ask for the attributes of schema.StatusReads alone, the wider list only
// with details: what the stack's role for it allows.
func FromEnv(ctx context.Context, getenv settings.Lookup, cfg statusurl.Config) (*statusurl.Handler, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return fromEnv(getenv, dynamodb.NewFromConfig(awsCfg), cfg, time.Now)
}

// fromEnv is FromEnv over a client and a clock.
func fromEnv(getenv settings.Lookup, db *dynamodb.Client, cfg statusurl.Config, now func() time.Time) (*statusurl.Handler, error) {
	tokens := getenv(settings.EnvTokenTable)
	if tokens == "" {
		return nil, fmt.Errorf("%s is not set: the stack output TokenTableName (deployed with -c httpPings=true)", settings.EnvTokenTable)
	}
	events := settings.EventsTableBeside(getenv, tokens)
	history := cmp.Or(getenv(settings.EnvHistoryTable), events+"-history")
	page := getenv(settings.EnvStatusPage)
	var err error
	if cfg.StatusPage, cfg.StatusDetails, err = settings.ParseStatusPage(page); err != nil {
		return nil, fmt.Errorf("%s=%q: %w (stack context statusPage)", settings.EnvStatusPage, page, err)
	}
	reads := dynamo.NewReader(db, events, history, schema.StatusReads(cfg.StatusDetails))
	return statusurl.New(dynamo.NewKeys(db, tokens), reads, reads, cfg, now), nil
}
