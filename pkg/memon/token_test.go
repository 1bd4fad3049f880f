package memon

import (
	"strings"
	"testing"
)

func TestNewTokenIsRandomWellFormedAndHashed(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !WellFormedToken(tok) {
			t.Fatalf("NewToken() = %q: not well formed", tok)
		}
		if seen[tok] {
			t.Fatalf("NewToken() repeated %q", tok)
		}
		seen[tok] = true
		h := HashToken(tok)
		if len(h) != 64 || strings.Contains(h, tok) || HashToken(tok) != h {
			t.Fatalf("HashToken(%q) = %q: want a stable 64-hex-digit digest", tok, h)
		}
	}
}

func TestWellFormedToken(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"abcdefghijklmnopqrstuvwxyzABCD-_", true},
		{"abcdefghijklmnopqrstuvwxyzABCD-", false},   // 31
		{"abcdefghijklmnopqrstuvwxyzABCD-_0", false}, // 33
		{"abcdefghijklmnopqrstuvwxyzABCD+/", false},  // std base64
		{"abcdefghijklmnopqrstuvwxyzABC%2F", false},
		{"", false},
	} {
		if got := WellFormedToken(tc.in); got != tc.want {
			t.Errorf("WellFormedToken(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
