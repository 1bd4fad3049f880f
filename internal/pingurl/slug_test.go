package pingurl

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/bounds"
)

func TestHealthchecksBadRequests(t *testing.T) {
	for _, p := range []string{
		"/ping/" + goodToken + "/256", // a known token's exit code over 255
		"/" + goodToken + "/99999999999999999999",
		"/ping/" + pingKey + "/backup/300",
		"/ping/" + pingKey + "/Backup", // an upper-case slug, whatever the key
		"/ping/" + strings.Repeat("z", 32) + "/Backup/fail",
	} {
		r := newRig(t, Config{})
		if w := r.do("GET", p, ""); w.Code != 400 || w.Body.String() != "invalid url format" || len(r.sender.sent) != 0 {
			t.Errorf("%s: %d %q, want 400 invalid url format and nothing sent", p, w.Code, w.Body)
		}
	}
	r := newRig(t, Config{})
	if w := r.do("GET", "/ping/"+strings.Repeat("z", 32)+"/256", ""); w.Code != 404 {
		t.Errorf("an unknown token's exit code over 255: %d, want 404 (healthchecks finds the check first)", w.Code)
	}
}

func TestSlugPingsAreRateLimitedPerKey(t *testing.T) {
	const floor = 100 * time.Millisecond
	r := newRig(t, Config{Limits: bounds.Limits{MinLatency: floor, KeyRate: 1, KeyBurst: 3}})
	codes := ""
	for range 5 {
		// Each answer takes the floor: 0.1 s of refill a request.
		codes += " " + strconv.Itoa(r.do("GET", "/ping/"+pingKey+"/backup", "").Code)
	}
	if codes != " 200 200 200 429 429" {
		t.Errorf("five slug pings at once: %s, want three 200 then 429", codes)
	}
	if w := r.do("GET", "/ping/"+goodToken, ""); w.Code != 200 {
		t.Errorf("a token ping while the key is limited: %d, want 200", w.Code)
	}
	r.clock.Advance(time.Second)
	if w := r.do("GET", "/ping/"+pingKey+"/backup", ""); w.Code != 200 {
		t.Errorf("a slug ping a second later: %d, want 200", w.Code)
	}
	if len(r.slept) != 7 {
		t.Errorf("%d answers took the floor, want all 7", len(r.slept))
	}
}

func TestSlugPingCreatesAMissingEventOnlyWhenAsked(t *testing.T) {
	r := newRig(t, Config{})
	if w := r.do("POST", "/ping/"+pingKey+"/nightly-db/start", "begin"); w.Code != 404 || len(r.sender.sent) != 0 {
		t.Fatalf("a missing event without create=1: %d, %d sent; want 404 and nothing", w.Code, len(r.sender.sent))
	}
	w := r.do("POST", "/ping/"+pingKey+"/nightly-db/start?create=1&rid=r1", "begin")
	if w.Code != 201 || w.Body.String() != "Created" || w.Header().Get("Ping-Body-Limit") == "" {
		t.Fatalf("create=1: %d %q, want 201 Created with Ping-Body-Limit", w.Code, w.Body)
	}
	m := r.sender.sent[0]
	if m.Name != "nightly-db" || !m.Create || m.Signal != "start" || m.RunID != "r1" || m.Message != "begin" {
		t.Errorf("sent %+v, want a start asking to create nightly-db", m)
	}
	if w := r.do("GET", "/"+pingKey+"/backup?create=1", ""); w.Code != 200 || w.Body.String() != "OK" || r.sender.sent[1].Create {
		t.Errorf("create=1 for an existing event: %d %q, create %v; want 200 OK, nothing to create", w.Code, w.Body, r.sender.sent[1].Create)
	}
	if w := r.do("GET", "/ping/"+strings.Repeat("z", 32)+"/nightly-db?create=1", ""); w.Code != 404 || len(r.sender.sent) != 2 {
		t.Errorf("create=1 with a wrong key: %d, want 404 and nothing sent", w.Code)
	}
}
