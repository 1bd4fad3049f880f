package memon

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Stack keys: secrets that open something for the whole stack rather than
// one event (a ping token opens one event). Each is a random key shown once
// when it is made, stored only as its HashToken, exactly like a ping token,
// and of one kind. The kinds are named here and nowhere else.
type KeyKind string

const (
	// KeyPing signs slug pings (<PingUrl>/<ping-key>/<slug>), healthchecks'
	// ping key: one per stack, rotatable.
	KeyPing KeyKind = "ping-key"
	// KeyAPI reads the Management API (X-Api-Key): as many as the operators
	// make, each read-only and labelled, listed and revoked one by one.
	KeyAPI KeyKind = "api-key"
	// KeyBadge opens the badge URLs: one per stack, rotatable.
	KeyBadge KeyKind = "badge-key"
	// KeyStatus opens the status page: one per stack, rotatable.
	KeyStatus KeyKind = "status-key"
)

// KeyKinds lists every kind.
func KeyKinds() []KeyKind { return []KeyKind{KeyPing, KeyAPI, KeyBadge, KeyStatus} }

// Many reports whether a stack may hold several keys of the kind at once;
// the others hold at most one, which Rotate replaces.
func (k KeyKind) Many() bool { return k == KeyAPI }

// Validate reports an unknown kind.
func (k KeyKind) Validate() error {
	if !slices.Contains(KeyKinds(), k) {
		return fmt.Errorf("key kind %q: want one of %v: %w", string(k), KeyKinds(), ErrInvalid)
	}
	return nil
}

// Key is what is known of a stack key: never the key, nor its whole hash.
type Key struct {
	Kind    KeyKind
	ID      string // KeyID of its hash
	Label   string
	Created time.Time
}

// KeyIDLen is the length of a key's id: the first hex characters of its
// hash, enough to tell a stack's keys apart and useless to find the key.
const KeyIDLen = 12

// KeyID is the id of the key whose HashToken is hash: what `list` shows and
// `revoke` takes, never the key.
func KeyID(hash string) string { return hash[:min(len(hash), KeyIDLen)] }

// MaxKeyLabelLen bounds a key's label: a note for people, shown by list.
const MaxKeyLabelLen = 100

// ValidateKeyLabel accepts a label of at most MaxKeyLabelLen bytes without
// control characters (it is printed on one line of a terminal).
func ValidateKeyLabel(label string) error {
	if len(label) > MaxKeyLabelLen || strings.ContainsFunc(label, unicode.IsControl) || !utf8.ValidString(label) {
		return &FieldError{Field: "label", Value: label, Want: fmt.Sprintf("at most %d bytes of text on one line", MaxKeyLabelLen)}
	}
	return nil
}
