package memon

import (
	"errors"
	"strings"
	"testing"
)

func TestKeyKinds(t *testing.T) {
	t.Parallel()
	for _, k := range KeyKinds() {
		if err := k.Validate(); err != nil {
			t.Errorf("%s: %v", k, err)
		}
		if k.Many() != (k == KeyAPI) {
			t.Errorf("%s: Many() = %v; only api keys come many to a stack", k, k.Many())
		}
	}
	if err := KeyKind("write-key").Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown kind: %v", err)
	}
}

func TestValidateKeyLabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		label string
		ok    bool
	}{
		{"", true},
		{"home assistant on the NAS", true},
		{"Grafana – prod", true},
		{strings.Repeat("x", MaxKeyLabelLen), true},
		{strings.Repeat("x", MaxKeyLabelLen+1), false},
		{"two\nlines", false},
		{"bell\a", false},
		{"\xff", false},
	} {
		if err := ValidateKeyLabel(tc.label); (err == nil) != tc.ok {
			t.Errorf("ValidateKeyLabel(%q) = %v, want ok %v", tc.label, err, tc.ok)
		}
	}
}

func TestKeyIDIsTheHashPrefix(t *testing.T) {
	t.Parallel()
	h := HashToken("k")
	if id := KeyID(h); len(id) != KeyIDLen || !strings.HasPrefix(h, id) {
		t.Errorf("KeyID(%q) = %q", h, id)
	}
}
