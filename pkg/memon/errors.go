package memon

import (
	"errors"

	"github.com/peerj/memon/pkg/memon/ping"
)

// ErrInvalid marks bad input: a malformed ping, flag or stored item. It is
// ping.ErrInvalid, so errors.Is holds whichever package refused.
var ErrInvalid = ping.ErrInvalid

// ErrNotFound marks a reference to an event that does not exist.
var ErrNotFound = errors.New("not found")

// FieldError names the field at fault, the value given and the accepted
// form, so that every message tells the user what to fix.
type FieldError = ping.FieldError

func invalid(field, value, want string) error {
	return &FieldError{Field: field, Value: value, Want: want}
}

// ErrConflict reports that a conditional write lost: the event changed since
// it was read. Re-read and re-apply.
var ErrConflict = errors.New("event changed since it was read")
