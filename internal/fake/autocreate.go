package fake

import (
	"context"
	"fmt"
)

// The auto-create counter, as the DynamoDB adapter keeps it: how many
// events pings have created, bounded in total.

// ClaimAutoCreate takes one of limit slots; false when all are taken.
func (s *Store) ClaimAutoCreate(_ context.Context, limit int) (bool, error) {
	if err := s.call(OpClaimAutoCreate, "ClaimAutoCreate %d", limit); err != nil {
		return false, fmt.Errorf("claim an auto-create slot: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.autoCreated >= limit {
		return false, nil
	}
	s.autoCreated++
	return true, nil
}

// ReleaseAutoCreate gives back a slot.
func (s *Store) ReleaseAutoCreate(_ context.Context) error {
	if err := s.call(OpReleaseAutoCreate, "ReleaseAutoCreate"); err != nil {
		return fmt.Errorf("release an auto-create slot: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoCreated = max(s.autoCreated-1, 0)
	return nil
}
