package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// The built binary against moto: api-key create prints a key once and
// stores its hash, list shows ids and labels and never a key, revoke ends
// one key.
func TestAPIKeyCreateListRevokeAgainstMoto(t *testing.T) {
	m := newMoto(t)
	tokensTable := m.table + settings.TokenTableSuffix
	if err := srv.CreateTokenTable(context.Background(), tokensTable); err != nil {
		t.Fatal(err)
	}
	keys := dynamo.NewKeys(m.db, tokensTable)

	code, out, errs := m.run("api-key", "create")
	if code != exitUsage || out != "" || !strings.Contains(errs, "--read-only") || !strings.Contains(errs, "no write keys") {
		t.Fatalf("create without --read-only: exit %d, %q, %q", code, out, errs)
	}
	first := strings.TrimSpace(m.ok("api-key", "create", "--read-only", "--label", "home assistant"))
	second := strings.TrimSpace(m.ok("api-key", "create", "--read-only"))
	if !memon.WellFormedToken(first) || !memon.WellFormedToken(second) || first == second {
		t.Fatalf("keys printed %q and %q", first, second)
	}
	for _, k := range []string{first, second} {
		if got, err := keys.Lookup(context.Background(), memon.HashToken(k)); err != nil || got.Kind != memon.KeyAPI {
			t.Fatalf("the printed key does not resolve: %+v, %v", got, err)
		}
	}
	scan, err := m.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &tokensTable})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range scan.Items {
		for attr, v := range item {
			if s, ok := v.(*types.AttributeValueMemberS); ok && (strings.Contains(s.Value, first) || strings.Contains(s.Value, second)) {
				t.Fatalf("a key itself is stored in %s", attr)
			}
		}
	}

	list := m.ok("api-key", "list")
	id1, id2 := memon.KeyID(memon.HashToken(first)), memon.KeyID(memon.HashToken(second))
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || strings.Contains(list, first) || strings.Contains(list, second) ||
		!strings.Contains(list, id1) || !strings.Contains(list, id2) || !strings.Contains(list, "home assistant") {
		t.Fatalf("list:\n%s", list)
	}

	m.ok("api-key", "revoke", id1)
	if _, err := keys.Lookup(context.Background(), memon.HashToken(first)); err == nil {
		t.Fatal("the revoked key still resolves")
	}
	if _, err := keys.Lookup(context.Background(), memon.HashToken(second)); err != nil {
		t.Fatalf("revoking one key ended the other: %v", err)
	}
	if list := m.ok("api-key", "list"); strings.Contains(list, id1) || !strings.Contains(list, id2) {
		t.Fatalf("list after revoke:\n%s", list)
	}
	if code, _, errs := m.run("api-key", "revoke", id1); code != exitFailure || !strings.Contains(errs, "no API key") {
		t.Fatalf("revoking it again: exit %d, %q", code, errs)
	}
	for _, args := range [][]string{{"api-key"}, {"api-key", "rotate"}, {"api-key", "revoke"}, {"api-key", "list", "--read-only"},
		{"api-key", "create", "--read-only", "--label", "two\nlines"}} {
		if code, out, errs := m.run(args...); code != exitUsage || out != "" || errs == "" {
			t.Errorf("memon-config %q: exit %d, %q, %q", args, code, out, errs)
		}
	}
}

// ping-key prints the stack's one ping key once; a second ping-key is
// refused, --rotate replaces it and the old one stops resolving.
func TestPingKeyPrintsOnceAndRotatesAgainstMoto(t *testing.T) {
	m := newMoto(t)
	tokensTable := m.table + settings.TokenTableSuffix
	if err := srv.CreateTokenTable(context.Background(), tokensTable); err != nil {
		t.Fatal(err)
	}
	keys := dynamo.NewKeys(m.db, tokensTable)
	first := strings.TrimSpace(m.ok("ping-key"))
	if got, err := keys.Lookup(context.Background(), memon.HashToken(first)); err != nil || got.Kind != memon.KeyPing {
		t.Fatalf("the printed ping key %q does not resolve: %+v, %v", first, got, err)
	}
	if code, out, errs := m.run("ping-key"); code != exitUsage || out != "" || !strings.Contains(errs, "--rotate") {
		t.Fatalf("a second ping-key: exit %d, %q, %q; want a usage error naming --rotate", code, out, errs)
	}
	second := strings.TrimSpace(m.ok("ping-key", "--rotate"))
	if second == first {
		t.Fatal("--rotate printed the same key")
	}
	if _, err := keys.Lookup(context.Background(), memon.HashToken(first)); err == nil {
		t.Fatal("the rotated-away ping key still resolves")
	}
	if got, err := keys.Lookup(context.Background(), memon.HashToken(second)); err != nil || got.Kind != memon.KeyPing {
		t.Fatalf("the new ping key does not resolve: %+v, %v", got, err)
	}
}
