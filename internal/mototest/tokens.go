package mototest

import (
	"context"
	"errors"
	"fmt"

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
	var exists *dtypes.ResourceInUseException
	if err := s.CreateTokenTable(ctx, name); err != nil && !errors.As(err, &exists) {
		return "", fmt.Errorf("the tokens table: %w", err)
	}
	return name, nil
}
