package pingurl

import (
	"strings"
	"testing"

	"github.com/peerj/memon/pkg/memon"
)

func TestKumaPushIsASuccessOrAFailure(t *testing.T) {
	for _, tc := range []struct {
		method, query string
		signal        memon.Signal
		message       string
		duration      float64
	}{
		{"GET", "", memon.Success, "", 0},
		{"GET", "?status=up&msg=OK&ping=", memon.Success, "OK", 0},
		{"GET", "?status=up&msg=fine&ping=1500", memon.Success, "fine", 1.5},
		{"POST", "?status=down&msg=disk%20full", memon.Fail, "disk full", 0},
		{"HEAD", "?status=down", memon.Fail, "", 0},
		{"GET", "?ping=abc", memon.Success, "", 0}, // not a number: ignored, as Kuma does
	} {
		r := newRig(t, Config{})
		w := r.do(tc.method, "/api/push/"+goodToken+tc.query, "")
		if w.Code != 200 || w.Body.String() != `{"ok":true}` || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s %s: %d %q %s, want 200 {\"ok\":true} as JSON", tc.method, tc.query, w.Code, w.Body, w.Header().Get("Content-Type"))
		}
		m := r.sender.sent[0]
		if m.Name != "backup" || m.Signal != tc.signal || m.Message != tc.message || m.Via != memon.ViaURL {
			t.Errorf("%s: sent %+v, want %s with message %q", tc.query, m, tc.signal, tc.message)
		}
		if (m.Duration == nil) != (tc.duration == 0) || (m.Duration != nil && *m.Duration != tc.duration) {
			t.Errorf("%s: duration %v, want %v s", tc.query, m.Duration, tc.duration)
		}
	}
}

func TestKumaPushUnknownAndMalformedAnswerAlike(t *testing.T) {
	var bodies []string
	for _, p := range []string{
		"/api/push/" + strings.Repeat("z", memon.TokenLen),
		"/api/push/short?status=up",
		"/api/push/" + goodToken + "x",
	} {
		r := newRig(t, Config{})
		w := r.do("GET", p, "")
		if w.Code != 404 || r.tokens.lookups != 1 || len(r.sender.sent) != 0 {
			t.Errorf("%s: %d, %d lookups, %d sent; want 404 after one lookup, nothing sent", p, w.Code, r.tokens.lookups, len(r.sender.sent))
		}
		bodies = append(bodies, w.Body.String())
	}
	for _, b := range bodies {
		if b != `{"ok":false,"msg":"Monitor not found or not active."}` {
			t.Errorf("404 body %q, want Kuma's", b)
		}
	}
	r := newRig(t, Config{})
	if w := r.do("GET", "/api/push/"+goodToken+"?ping=-1", ""); w.Code != 404 || len(r.sender.sent) != 0 || r.tokens.lookups != 0 {
		t.Errorf("a negative ping: %d, sent %d, %d lookups; want Kuma's 404 before any lookup", w.Code, len(r.sender.sent), r.tokens.lookups)
	}
}
