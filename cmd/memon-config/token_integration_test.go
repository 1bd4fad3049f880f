package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// The built binary against moto: token creates, rotates and shows; only the
// hash is stored; delete revokes.
func TestTokenCreateRotateShowAgainstMoto(t *testing.T) {
	m := newMoto(t)
	if err := srv.CreateTokenTable(context.Background(), m.table+settings.TokenTableSuffix); err != nil {
		t.Fatal(err)
	}
	m.extraEnv = []string{settings.EnvPingURL + "=http://127.0.0.1:9/"}
	tokens := dynamo.NewTokens(m.db, m.table, m.table+settings.TokenTableSuffix)
	m.ok("set", "backup", "--period", "1d")
	if out := m.ok("show", "backup"); !strings.Contains(out, "ping token: none") {
		t.Fatalf("show before token: %q", out)
	}

	url := strings.TrimSpace(m.ok("token", "backup"))
	first, ok := strings.CutPrefix(url, "http://127.0.0.1:9/ping/")
	if !ok || !memon.WellFormedToken(first) {
		t.Fatalf("token printed %q, want http://127.0.0.1:9/ping/<token>", url)
	}
	item := m.item("backup")
	if h, _ := item[schema.AttrTokenHash].(*types.AttributeValueMemberS); h == nil || h.Value != memon.HashToken(first) {
		t.Fatalf("stored TokenHash %v, want the hash of the printed token", item[schema.AttrTokenHash])
	}
	for attr, v := range item {
		if s, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(s.Value, first) {
			t.Fatalf("the token itself is stored in %s", attr)
		}
	}
	if name, err := tokens.EventForToken(context.Background(), memon.HashToken(first)); err != nil || name != "backup" {
		t.Fatalf("lookup of the new token: %q, %v", name, err)
	}
	if out := m.ok("show", "backup"); !strings.Contains(out, "ping token: yes") || strings.Contains(out, first) {
		t.Fatalf("show after token: %q", out)
	}

	if code, out, errs := m.run("token", "backup"); code != exitUsage || out != "" || !strings.Contains(errs, "--rotate") {
		t.Fatalf("token again without --rotate: exit %d, %q, %q", code, out, errs)
	}
	second, _ := strings.CutPrefix(strings.TrimSpace(m.ok("token", "backup", "--rotate")), "http://127.0.0.1:9/ping/")
	if second == first || !memon.WellFormedToken(second) {
		t.Fatalf("rotated token %q", second)
	}
	if _, err := tokens.EventForToken(context.Background(), memon.HashToken(first)); err == nil {
		t.Fatal("the rotated-away token still resolves")
	}
	if name, err := tokens.EventForToken(context.Background(), memon.HashToken(second)); err != nil || name != "backup" {
		t.Fatalf("the rotated-in token: %q, %v", name, err)
	}

	m.ok("delete", "backup")
	if _, err := tokens.EventForToken(context.Background(), memon.HashToken(second)); err == nil {
		t.Fatal("the deleted event's token still resolves")
	}
	if code, _, errs := m.run("token", "nope"); code != exitFailure || !strings.Contains(errs, "no event named") {
		t.Errorf("token for a missing event: exit %d, %q", code, errs)
	}
}

// Without --ping-url or MEMON_PING_URL the URL comes from the stack; with no
// stack the error says what to do.
func TestTokenWithoutStackSaysHowToGetAPingURL(t *testing.T) {
	m := newMoto(t)
	m.ok("set", "backup", "--period", "1d")
	code, out, errs := m.run("token", "backup")
	if code == 0 || out != "" || !strings.Contains(errs, "--ping-url") || !strings.Contains(errs, "stack") {
		t.Fatalf("exit %d, %q, %q: want a failure naming the stack and --ping-url", code, out, errs)
	}
}
