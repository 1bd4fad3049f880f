package fake

import (
	"errors"
	"fmt"
	"sync"
)

// Op names a port call a fault can be injected into.
type Op string

// The calls of the fakes, one Op each.
const (
	OpReceive       Op = "receive"        // Queue.Receive
	OpDelete        Op = "delete"         // Queue.Delete (the whole batch call)
	OpGet           Op = "get"            // Store.Get
	OpSave          Op = "save"           // Store.Save
	OpCreate        Op = "create"         // Store.Create
	OpDeleteEvent   Op = "delete-event"   // Store.Delete
	OpList          Op = "list"           // Store.List
	OpDeadlines     Op = "deadlines"      // Store.Deadlines
	OpChanged       Op = "changed"        // Store.Changed (the change stream)
	OpReconcile     Op = "reconcile"      // Store.Reconcile
	OpAppendHistory Op = "append-history" // Store.AppendHistory
	OpHistory       Op = "history"        // Store.History
	OpDays          Op = "days"           // Store.Days
	OpClaimConfig   Op = "claim-config"   // Store.ClaimConfigAlert
	OpReleaseConfig Op = "release-config" // Store.ReleaseConfigAlert
	OpPublish       Op = "publish"        // Publisher.Publish
	OpAcquireLease  Op = "acquire-lease"  // Store.AcquireLease
	OpRenewLease    Op = "renew-lease"    // Store.RenewLease
	OpReleaseLease  Op = "release-lease"  // Store.ReleaseLease

	OpClaimAutoCreate   Op = "claim-auto-create"   // Store.ClaimAutoCreate
	OpReleaseAutoCreate Op = "release-auto-create" // Store.ReleaseAutoCreate
)

// Ops is every Op, for tests that inject a fault into each call in turn.
var Ops = []Op{OpReceive, OpDelete, OpGet, OpSave, OpCreate, OpDeleteEvent, OpList, OpDeadlines, OpChanged, OpReconcile,
	OpAppendHistory, OpHistory, OpDays, OpClaimConfig, OpReleaseConfig, OpPublish, OpAcquireLease, OpRenewLease, OpReleaseLease,
	OpClaimAutoCreate, OpReleaseAutoCreate}

// ErrInjected is the error every injected fault wraps.
var ErrInjected = errors.New("injected fault")

// Faults makes chosen calls fail. The zero value and a nil *Faults fail
// nothing. One Faults is usually shared by a test's queue, store and
// publisher. Safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	calls  map[Op]int
	nth    map[Op]map[int]bool
	always map[Op]bool
}

// FailNth makes the nth call of op (counting from 1, since the last Reset)
// fail once.
func (f *Faults) FailNth(op Op, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.nth == nil {
		f.nth = map[Op]map[int]bool{}
	}
	if f.nth[op] == nil {
		f.nth[op] = map[int]bool{}
	}
	f.nth[op][n] = true
}

// FailNext makes the next call of op fail once.
func (f *Faults) FailNext(op Op) { f.FailNth(op, f.Calls(op)+1) }

// FailAlways makes every call of op fail until Heal or Reset.
func (f *Faults) FailAlways(op Op) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.always == nil {
		f.always = map[Op]bool{}
	}
	f.always[op] = true
}

// Heal stops failing op.
func (f *Faults) Heal(op Op) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.always, op)
	delete(f.nth, op)
}

// Reset forgets every fault and call count.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.nth, f.always = nil, nil, nil
}

// Calls counts the calls of op since the last Reset, failed ones included.
func (f *Faults) Calls(op Op) int {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Pending reports whether a FailNth fault has not fired yet.
func (f *Faults) Pending() bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ns := range f.nth {
		if len(ns) > 0 {
			return true
		}
	}
	return false
}

// hit counts a call of op and returns the injected error if it must fail.
func (f *Faults) hit(op Op) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[Op]int{}
	}
	f.calls[op]++
	n := f.calls[op]
	if f.nth[op][n] {
		delete(f.nth[op], n)
		return fmt.Errorf("%s call %d: %w", op, n, ErrInjected)
	}
	if f.always[op] {
		return fmt.Errorf("%s: %w", op, ErrInjected)
	}
	return nil
}
