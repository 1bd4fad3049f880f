package memon

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Ping tokens: the secret in an HTTPS ping URL (<PingUrl>/ping/<token>).
// A token is 24 random bytes (192 bits) in unpadded base64url, so it is
// exactly TokenLen characters from A-Z a-z 0-9 - _. Only its SHA-256 is
// stored: a copy of the table does not let anyone ping. A plain hash (no
// salt, no slow KDF) is enough because the token is random, not a password.
const (
	tokenBytes = 24
	TokenLen   = 32 // base64url length of tokenBytes
)

// NewToken returns a fresh random token.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a ping token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// WellFormedToken reports whether s has a token's shape. A malformed token is
// still looked up (as its hash) by the ping endpoint, so that a malformed and
// an unknown token cost the same and look the same.
func WellFormedToken(s string) bool {
	if len(s) != TokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// HashToken is the stored form of a token: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
