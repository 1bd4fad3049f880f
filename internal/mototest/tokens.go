package mototest

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

// CreateTokenTable creates the ping tokens table (hash TokenHash) the stack
// adds with httpPings=true.
func (s *Server) CreateTokenTable(ctx context.Context, name string) error {
	return s.CreateTable(ctx, name, schema.TokensTable)
}

// EnsureTokenTable creates the tokens table of the events table events
// (its name + settings.TokenTableSuffix, as the stack names it) unless it
// exists, and returns its name. The stack makes it with httpPings=true,
// which moto cannot deploy (it creates no function URL from
// CloudFormation), so `make local` makes it here for memon-pingurl's routes.
func (s *Server) EnsureTokenTable(ctx context.Context, events string) (string, error) {
	name := events + settings.TokenTableSuffix
	db := dynamodb.NewFromConfig(s.Config(ctx))
	_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
	var missing *dtypes.ResourceNotFoundException
	switch {
	case err == nil:
		return name, nil
	case !errors.As(err, &missing):
		return "", fmt.Errorf("describe table %s: %w", name, err)
	}
	if err := CreateTableWith(ctx, db, name, schema.TokensTable); err != nil {
		return "", fmt.Errorf("create the tokens table %s: %w", name, err)
	}
	return name, nil
}
