package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// store is the part of dynamo.Store memon-config uses: commands see only
// this, so unit tests run against a fake and can prove nothing was written.
type store interface {
	Get(ctx context.Context, name string) (*memon.Event, error)
	Save(ctx context.Context, ev *memon.Event) error
	Create(ctx context.Context, ev *memon.Event) error
	Delete(ctx context.Context, name string) error
	List(ctx context.Context) ([]memon.Listed, error)
	History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error)
	AppendHistory(ctx context.Context, tr memon.Transition) error
	Days(ctx context.Context, name string, from, to time.Time) ([]memon.DayCounts, error)
}

var _ store = (*dynamo.Store)(nil)

// globals are the flags every command takes: where the tables are.
type globals struct {
	table, history, region string
	tokens                 string // the tokens table: set by resolve, no flag
}

// flags defines the global flags once, on their own set. Commands accept them
// after the verb too by sharing these very flag.Values (see command.flagSet):
// defining them a second time would reset what was typed before the verb.
func (g *globals) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("memon-config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.table, "table", "", "events table `NAME` (env "+settings.EnvTable+", default "+settings.DefaultTable+")")
	fs.StringVar(&g.history, "history-table", "", "history table `NAME` (env "+settings.EnvHistoryTable+", default "+settings.DefaultHistoryTable+")")
	fs.StringVar(&g.region, "region", "", "AWS `REGION` (env AWS_REGION or the AWS_PROFILE profile's region)")
	return fs
}

// resolve fills what the flags left empty from the environment, then the
// stack's defaults.
func (g *globals) resolve(env settings.Lookup) {
	g.table = cmp.Or(g.table, env(settings.EnvTable), settings.DefaultTable)
	g.history = cmp.Or(g.history, env(settings.EnvHistoryTable), settings.DefaultHistoryTable)
	// The tokens table: MEMON_TOKEN_TABLE, else the events table's name +
	// "-tokens", as the stack names it.
	g.tokens = cmp.Or(env(settings.EnvTokenTable), g.table+settings.TokenTableSuffix)
}

// openDynamo builds the real store from the standard AWS configuration
// (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).
func openDynamo(ctx context.Context, g *globals) (store, error) {
	cfg, err := loadAWS(ctx, g)
	if err != nil {
		return nil, err
	}
	return dynamo.New(dynamodb.NewFromConfig(cfg), g.table, g.history), nil
}

// loadAWS loads the standard AWS configuration, with --region applied.
func loadAWS(ctx context.Context, g *globals) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if g.region != "" {
		opts = append(opts, config.WithRegion(g.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("load the AWS configuration (AWS_PROFILE, AWS_REGION, ~/.aws/config): %w", err)
	}
	if cfg.Region == "" {
		return cfg, usagef("no AWS region: give --region REGION, or set AWS_REGION or a region in the AWS_PROFILE profile")
	}
	return cfg, nil
}
