package main

import (
	"context"
	"strings"
	"testing"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// The built binary against moto: badges prints every tag's and every
// event's badge URLs once under a new badge key, refuses to make a second
// without --rotate, and --rotate ends the old key; status-page likewise.
func TestBadgesAndStatusPagePrintTheirURLsOnce(t *testing.T) {
	m := newMoto(t)
	tokensTable := m.table + settings.TokenTableSuffix
	if err := srv.CreateTokenTable(context.Background(), tokensTable); err != nil {
		t.Fatal(err)
	}
	keys := dynamo.NewKeys(m.db, tokensTable)
	m.extraEnv = append(m.extraEnv, settings.EnvStatusURL+"=https://read.example/")
	m.ok("set", "etl/orders", "--period", "1h", "--tag", "nightly", "--tag", "data")
	m.ok("set", "backup", "--period", "1d", "--tag", "data")

	keyOf := func(url, prefix string) string {
		t.Helper()
		rest, ok := strings.CutPrefix(url, prefix)
		key, _, _ := strings.Cut(rest, "/")
		if !ok || !memon.WellFormedToken(key) {
			t.Fatalf("%q is not under %s<key>/", url, prefix)
		}
		return key
	}
	resolves := func(key string, want memon.KeyKind) bool {
		got, err := keys.Lookup(context.Background(), memon.HashToken(key))
		return err == nil && got.Kind == want
	}

	code, out, errs := m.run("badges")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 9 {
		t.Fatalf("badges: exit %d\n%s%s", code, out, errs)
	}
	key := keyOf(lines[0], "https://read.example/badge/")
	var want []string
	for _, g := range []string{"*", "data", "nightly"} {
		for _, f := range []string{"svg", "json", "shields"} {
			want = append(want, "https://read.example/badge/"+key+"/"+g+"."+f)
		}
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") || !resolves(key, memon.KeyBadge) ||
		!strings.Contains(errs, "/badge/"+key+"/event/backup.svg") {
		t.Errorf("badges printed\n%s\nwant\n%s\nstderr %s", out, strings.Join(want, "\n"), errs)
	}
	if code, out, errs := m.run("badges"); code != exitUsage || out != "" || !strings.Contains(errs, "badges --rotate") {
		t.Errorf("a second badges: exit %d %q %q", code, out, errs)
	}
	rotated := keyOf(strings.Split(m.ok("badges", "--rotate"), "\n")[0], "https://read.example/badge/")
	if rotated == key || resolves(key, memon.KeyBadge) || !resolves(rotated, memon.KeyBadge) {
		t.Errorf("--rotate: the old key resolves %v, the new %v", resolves(key, memon.KeyBadge), resolves(rotated, memon.KeyBadge))
	}

	page := strings.TrimSpace(m.ok("status-page"))
	pkey := keyOf(page, "https://read.example/status/")
	if page != "https://read.example/status/"+pkey+"/" || !resolves(pkey, memon.KeyStatus) || resolves(pkey, memon.KeyBadge) {
		t.Errorf("status-page printed %q", page)
	}
	if code, _, errs := m.run("status-page"); code != exitUsage || !strings.Contains(errs, "status-page --rotate") {
		t.Errorf("a second status-page: exit %d %q", code, errs)
	}
	again := keyOf(strings.TrimSpace(m.ok("status-page", "--rotate")), "https://read.example/status/")
	if again == pkey || resolves(pkey, memon.KeyStatus) || !resolves(again, memon.KeyStatus) || !resolves(rotated, memon.KeyBadge) {
		t.Error("status-page --rotate: the old page key still resolves, or the badge key stopped")
	}
}
