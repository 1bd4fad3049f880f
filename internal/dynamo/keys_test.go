package dynamo

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/pkg/memon"
)

// newMotoKeys is stack keys and ping tokens over fresh tables in moto, with
// one event "job" that has a ping token.
func newMotoKeys(t *testing.T) (*Keys, *Tokens, string) {
	t.Helper()
	st, _ := newMotoJob(t)
	ctx := context.Background()
	tokensTable := st.table + "-tokens"
	if err := srv.CreateTokenTable(ctx, tokensTable); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(srv.Config(ctx))
	tokens := NewTokens(db, st.table, tokensTable)
	token, err := tokens.Issue(ctx, "job", false)
	if err != nil {
		t.Fatal(err)
	}
	return NewKeys(db, tokensTable), tokens, token
}

func TestKeysManyAPIKeysListedAndRevokedByID(t *testing.T) {
	t.Parallel()
	keys, _, _ := newMotoKeys(t)
	ctx := context.Background()
	a, ka, err := keys.Issue(ctx, memon.KeyAPI, "home assistant")
	if err != nil {
		t.Fatal(err)
	}
	b, kb, err := keys.Issue(ctx, memon.KeyAPI, "")
	if err != nil {
		t.Fatal(err)
	}
	if a == b || !memon.WellFormedToken(a) || ka.ID == kb.ID || ka.ID != memon.KeyID(memon.HashToken(a)) {
		t.Fatalf("keys %q (%+v) and %q (%+v)", a, ka, b, kb)
	}
	for _, s := range []string{a, b} {
		if got, err := keys.Lookup(ctx, memon.HashToken(s)); err != nil || got.Kind != memon.KeyAPI || got.ID != memon.KeyID(memon.HashToken(s)) {
			t.Fatalf("lookup of a new key: %+v, %v", got, err)
		}
	}
	list, err := keys.List(ctx, memon.KeyAPI)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	labels := map[string]string{list[0].ID: list[0].Label, list[1].ID: list[1].Label}
	if labels[ka.ID] != "home assistant" || labels[kb.ID] != "" || list[0].Created.IsZero() {
		t.Fatalf("list: %+v", list)
	}
	if err := keys.Revoke(ctx, memon.KeyAPI, ka.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken(a)); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("a revoked key still resolves: %v", err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken(b)); err != nil {
		t.Fatalf("revoking one key ended the other: %v", err)
	}
	if err := keys.Revoke(ctx, memon.KeyAPI, ka.ID); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("revoking it again: %v", err)
	}
	if _, _, err := keys.Rotate(ctx, memon.KeyAPI); !errors.Is(err, memon.ErrInvalid) {
		t.Fatalf("rotating api keys: %v", err)
	}
}

func TestKeysOnePerStackKindRotates(t *testing.T) {
	t.Parallel()
	keys, _, _ := newMotoKeys(t)
	ctx := context.Background()
	first, _, err := keys.Issue(ctx, memon.KeyPing, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := keys.Issue(ctx, memon.KeyPing, ""); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("a second ping key without rotation: %v", err)
	}
	second, k2, err := keys.Rotate(ctx, memon.KeyPing)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken(first)); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("the rotated-away key still resolves: %v", err)
	}
	if got, err := keys.Lookup(ctx, memon.HashToken(second)); err != nil || got.Kind != memon.KeyPing {
		t.Fatalf("the rotated-in key: %+v, %v", got, err)
	}
	// Kinds do not mix: another kind's key is its own.
	badge, _, err := keys.Issue(ctx, memon.KeyBadge, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := keys.Lookup(ctx, memon.HashToken(badge)); err != nil || got.Kind != memon.KeyBadge {
		t.Fatalf("badge key: %+v, %v", got, err)
	}
	if list, err := keys.List(ctx, memon.KeyPing); err != nil || len(list) != 1 || list[0].ID != k2.ID {
		t.Fatalf("ping keys after rotation: %+v, %v", list, err)
	}
	if err := keys.Revoke(ctx, memon.KeyPing, k2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken(second)); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("a revoked ping key still resolves: %v", err)
	}
	if _, _, err := keys.Issue(ctx, memon.KeyPing, ""); err != nil {
		t.Fatalf("a new ping key after revoking the old one: %v", err)
	}
}

// A ping token is no key, a key is no ping token, and a hash nobody issued is
// neither: the table holds both, and each lookup sees only its own.
func TestKeysAndPingTokensDoNotResolveAsEachOther(t *testing.T) {
	t.Parallel()
	keys, tokens, token := newMotoKeys(t)
	ctx := context.Background()
	key, _, err := keys.Issue(ctx, memon.KeyAPI, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken(token)); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("a ping token looked up as a key: %v", err)
	}
	if _, err := tokens.EventForToken(ctx, memon.HashToken(key)); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("a key used as a ping token: %v", err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken("nobody issued this")); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("an unknown key: %v", err)
	}
	// The slot item of a one-per-stack kind is no key either.
	if _, _, err := keys.Issue(ctx, memon.KeyStatus, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Lookup(ctx, "#"+string(memon.KeyStatus)); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("the slot item looked up as a key: %v", err)
	}
	// Revoking the event's tokens leaves the keys.
	if err := tokens.Revoke(ctx, "job"); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Lookup(ctx, memon.HashToken(key)); err != nil {
		t.Fatalf("revoking an event's tokens ended a key: %v", err)
	}
}
