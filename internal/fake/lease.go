package fake

import (
	"context"
	"fmt"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// The poll lease, as the DynamoDB adapter keeps it in the history table:
// one holder until an expiry, and the change-stream checkpoint the last
// holder left on release.

// AcquireLease takes the lease when it is free, expired or already
// holder's, and returns the checkpoint the last holder stored; a
// *memon.LeaseHeldError when another holder's lease runs.
func (s *Store) AcquireLease(_ context.Context, holder string, now time.Time, ttl time.Duration) (string, error) {
	if err := s.call(OpAcquireLease, "AcquireLease %s", holder); err != nil {
		return "", fmt.Errorf("acquire the poll lease: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease.holder != "" && s.lease.holder != holder && s.lease.until.After(now) {
		return "", &memon.LeaseHeldError{Holder: s.lease.holder, Until: s.lease.until}
	}
	s.lease.holder, s.lease.until = holder, now.Add(ttl)
	return s.lease.checkpoint, nil
}

// RenewLease extends holder's lease to now+ttl.
func (s *Store) RenewLease(_ context.Context, holder string, now time.Time, ttl time.Duration) error {
	if err := s.call(OpRenewLease, "RenewLease %s", holder); err != nil {
		return fmt.Errorf("hold the poll lease: %w", err)
	}
	return s.holdLease(holder, now.Add(ttl), nil)
}

// ReleaseLease ends holder's lease at now and stores the checkpoint.
func (s *Store) ReleaseLease(_ context.Context, holder string, now time.Time, checkpoint string) error {
	if err := s.call(OpReleaseLease, "ReleaseLease %s", holder); err != nil {
		return fmt.Errorf("hold the poll lease: %w", err)
	}
	return s.holdLease(holder, now, &checkpoint)
}

func (s *Store) holdLease(holder string, until time.Time, checkpoint *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease.holder != holder {
		return &memon.LeaseHeldError{Holder: s.lease.holder, Until: s.lease.until}
	}
	s.lease.until = until
	if checkpoint != nil {
		s.lease.checkpoint = *checkpoint
	}
	return nil
}

// TakeLease makes holder the lease's holder until until, as another poller
// taking it (or keeping it) would.
func (s *Store) TakeLease(holder string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lease.holder, s.lease.until = holder, until
}

// LeaseHolder returns the lease's holder and expiry.
func (s *Store) LeaseHolder() (string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lease.holder, s.lease.until
}
