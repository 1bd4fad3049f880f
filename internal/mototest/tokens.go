package mototest

import (
	"context"

	"github.com/peerj/memon/internal/schema"
)

// CreateTokenTable creates the ping tokens table (hash TokenHash) the stack
// adds with httpPings=true.
func (s *Server) CreateTokenTable(ctx context.Context, name string) error {
	return s.CreateTable(ctx, name, schema.TokensTable)
}
