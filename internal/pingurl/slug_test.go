package pingurl

import (
	"strconv"
	"strings"
	"testing"
	"time"
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
	r := newRig(t, Config{MinLatency: floor, KeyRate: 1, KeyBurst: 3})
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
