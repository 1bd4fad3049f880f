package memon

import (
	"errors"
	"fmt"
)

// ErrInvalid marks bad input: a malformed ping, flag or stored item.
var ErrInvalid = errors.New("invalid")

// ErrNotFound marks a reference to an event that does not exist.
var ErrNotFound = errors.New("not found")

// FieldError names the field at fault, the value given and the accepted form,
// so that every message tells the user what to fix.
type FieldError struct {
	Field string // e.g. "period", "Enabled", "name"
	Value string // what was given
	Want  string // the accepted form
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %q is invalid: %s", e.Field, e.Value, e.Want)
}

// Unwrap lets errors.Is(err, ErrInvalid) hold for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, value, want string) error {
	return &FieldError{Field: field, Value: value, Want: want}
}

// ErrConflict reports that a conditional write lost: the event changed since
// it was read. Re-read and re-apply.
var ErrConflict = errors.New("event changed since it was read")
