package pingurl

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/internal/functionurl"
	"github.com/peerj/memon/pkg/memon"
)

// fakeTokens maps token hashes to events and counts lookups.
type fakeTokens struct {
	mu      sync.Mutex
	byHash  map[string]string
	lookups int
	err     error
	delay   time.Duration // simulated lookup time, on the fake clock
	clock   *fake.Clock
}

func (f *fakeTokens) EventForToken(_ context.Context, hash string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if f.clock != nil {
		f.clock.Advance(f.delay)
	}
	if f.err != nil {
		return "", f.err
	}
	name, ok := f.byHash[hash]
	if !ok {
		return "", memon.ErrNotFound
	}
	return name, nil
}

func (f *fakeTokens) EventExists(_ context.Context, name string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if f.err != nil {
		return false, f.err
	}
	for _, n := range f.byHash {
		if n == name {
			return true, nil
		}
	}
	return false, nil
}

// fakeKeys holds stack keys by hash and counts lookups.
type fakeKeys struct {
	mu      sync.Mutex
	kinds   map[string]memon.KeyKind
	lookups int
}

func (f *fakeKeys) Lookup(_ context.Context, hash string) (memon.Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	kind, ok := f.kinds[hash]
	if !ok {
		return memon.Key{}, memon.ErrNotFound
	}
	return memon.Key{Kind: kind, ID: memon.KeyID(hash)}, nil
}

type fakeSender struct {
	mu   sync.Mutex
	sent []memon.Message
	err  error
}

func (f *fakeSender) Send(_ context.Context, m memon.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.sent = append(f.sent, m)
	return nil
}

const (
	goodToken = "abcdefghijklmnopqrstuvwxyzABCD-_"
	pingKey   = "pk-0123456789abcdefghijklmnopqrs"
	apiKey    = "ak-0123456789abcdefghijklmnopqrs"
)

type rig struct {
	h      *Handler
	tokens *fakeTokens
	keys   *fakeKeys
	sender *fakeSender
	clock  *fake.Clock
	slept  []time.Time // the fake time each answer was released at
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	clock := fake.NewClock(time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC))
	r := &rig{clock: clock, sender: &fakeSender{},
		tokens: &fakeTokens{byHash: map[string]string{memon.HashToken(goodToken): "backup"}, clock: clock, delay: 7 * time.Millisecond},
		keys:   &fakeKeys{kinds: map[string]memon.KeyKind{memon.HashToken(pingKey): memon.KeyPing, memon.HashToken(apiKey): memon.KeyAPI}}}
	r.h = New(r.tokens, r.keys, r.sender, cfg, clock.Now)
	r.h.gate.Sleep = func(_ context.Context, d time.Duration) {
		clock.Advance(max(d, 0))
		r.slept = append(r.slept, clock.Now())
	}
	return r
}

func (r *rig) do(method, target, body string) *httptest.ResponseRecorder {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w
}

func intp(i int) *int { return &i }

func TestEachURLFormQueuesTheRightPing(t *testing.T) {
	for _, tc := range []struct {
		method, path, body string
		want               memon.Message
	}{
		{"GET", "/ping/" + goodToken, "", memon.Message{Signal: memon.Success}},
		{"HEAD", "/ping/" + goodToken, "", memon.Message{Signal: memon.Success}},
		{"POST", "/ping/" + goodToken, "all done\n", memon.Message{Signal: memon.Success, Message: "all done\n"}},
		{"GET", "/ping/" + goodToken + "/start", "", memon.Message{Signal: memon.Start}},
		{"GET", "/ping/" + goodToken + "/fail", "", memon.Message{Signal: memon.Fail}},
		{"GET", "/ping/" + goodToken + "/0", "", memon.Message{Signal: memon.Success}},
		{"POST", "/ping/" + goodToken + "/3", "disk full", memon.Message{Signal: memon.Fail, ExitCode: intp(3), Message: "disk full"}},
		{"GET", "/ping/" + goodToken + "/255", "", memon.Message{Signal: memon.Fail, ExitCode: intp(255)}},
		{"GET", "/ping/" + goodToken + "?rid=run-42", "", memon.Message{Signal: memon.Success, RunID: "run-42"}},
		{"GET", "/ping/" + goodToken + "/start?rid=r%201", "", memon.Message{Signal: memon.Start, RunID: "r 1"}},
		{"GET", "/ping/" + goodToken + "/", "", memon.Message{Signal: memon.Success}},
		{"POST", "/ping/" + goodToken + "/fail/", "oops", memon.Message{Signal: memon.Fail, Message: "oops"}},
		{"GET", "/" + goodToken, "", memon.Message{Signal: memon.Success}},
		{"HEAD", "/" + goodToken + "/", "", memon.Message{Signal: memon.Success}},
		{"GET", "/" + goodToken + "/start?rid=5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278", "", memon.Message{Signal: memon.Start, RunID: "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"}},
		{"POST", "/" + goodToken + "/1", "exit 1", memon.Message{Signal: memon.Fail, ExitCode: intp(1), Message: "exit 1"}},
		{"POST", "/ping/" + goodToken + "/log", "pruned 3", memon.Message{Signal: memon.Log, Message: "pruned 3"}},
		{"POST", "/" + pingKey + "/backup/log", "pruned 4", memon.Message{Signal: memon.Log, Message: "pruned 4"}},
		{"GET", "/ping/" + pingKey + "/backup", "", memon.Message{Signal: memon.Success}},
		{"GET", "/" + pingKey + "/backup/", "", memon.Message{Signal: memon.Success}},
		{"POST", "/ping/" + pingKey + "/backup/fail", "broke", memon.Message{Signal: memon.Fail, Message: "broke"}},
		{"GET", "/" + pingKey + "/backup/7?rid=r", "", memon.Message{Signal: memon.Fail, ExitCode: intp(7), RunID: "r"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := newRig(t, Config{})
			w := r.do(tc.method, tc.path, tc.body)
			if w.Code != 200 || w.Body.String() != "OK" || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("status %d %q (%s), want 200 OK as healthchecks answers it", w.Code, w.Body, w.Header().Get("Content-Type"))
			}
			if got := w.Header().Get("Ping-Body-Limit"); got != strconv.Itoa(memon.MaxMessageLen) {
				t.Errorf("Ping-Body-Limit %q, want %d", got, memon.MaxMessageLen)
			}
			if len(r.sender.sent) != 1 {
				t.Fatalf("sent %d messages, want 1", len(r.sender.sent))
			}
			got := r.sender.sent[0]
			if got.Name != "backup" || got.Signal != tc.want.Signal || got.RunID != tc.want.RunID || got.Message != tc.want.Message ||
				(got.ExitCode == nil) != (tc.want.ExitCode == nil) || (got.ExitCode != nil && *got.ExitCode != *tc.want.ExitCode) {
				t.Errorf("sent %+v, want %+v for event backup", got, tc.want)
			}
			if got.Time == 0 {
				t.Error("the message carries no time")
			}
		})
	}
}

func TestEveryNotFoundLooksAndTakesTheSame(t *testing.T) {
	const floor = 300 * time.Millisecond
	paths := []string{
		"/ping/" + strings.Repeat("z", memon.TokenLen), // well formed, unknown
		"/ping/short", // malformed: length
		"/ping/abcdefghijklmnopqrstuvwxyzABC%2B_",                           // malformed: character
		"/ping/" + goodToken + "/-1",                                        // known token, bad exit code
		"/ping/" + goodToken + "/start/x",                                   // known token, bad suffix
		"/ping/" + goodToken + "/success",                                   // known token, unknown signal
		"/" + strings.Repeat("z", memon.TokenLen),                           // hosted form, unknown
		"/" + strings.Repeat("z", memon.TokenLen) + "/start",                // unknown token (or key) with a suffix
		"/ping/" + strings.Repeat("z", memon.TokenLen) + "/backup",          // unknown key, existing name
		"/ping/" + strings.Repeat("z", memon.TokenLen) + "/backup/fail",     // unknown key, existing name
		"/ping/" + strings.Repeat("z", memon.TokenLen) + "/nosuch?create=1", // unknown key asks to create
		"/ping/" + pingKey + "/nosuch",                                      // right key, missing name
		"/ping/" + apiKey + "/backup",                                       // a key of another kind
		"/ping/" + pingKey + "/backup/x",                                    // right key, bad suffix
		"/ping/" + pingKey + "/back.up",                                     // right key, not a slug
		"/" + strings.Repeat("z", memon.TokenLen) + "/backup/log/x",         // too many segments
	}
	var bodies []string
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			r := newRig(t, Config{Limits: bounds.Limits{MinLatency: floor}})
			start := r.clock.Now()
			w := r.do("GET", p, "")
			if w.Code != 404 {
				t.Fatalf("status %d, want 404", w.Code)
			}
			bodies = append(bodies, w.Body.String())
			if len(r.sender.sent) != 0 {
				t.Errorf("queued %+v for a 404", r.sender.sent)
			}
			if n := r.tokens.lookups + r.keys.lookups; (n == 0 && !strings.HasSuffix(p, "/log/x")) || n > 2 {
				t.Errorf("%d lookups: a malformed token or key costs what an unknown one does, and none more than two reads (docs/security.md)", n)
			}
			if len(r.slept) != 1 || !r.slept[0].Equal(start.Add(floor)) {
				t.Errorf("answered at %v, want exactly start+%s (%v)", r.slept, floor, start.Add(floor))
			}
		})
	}
	for _, b := range bodies {
		if b != bodies[0] {
			t.Errorf("404 bodies differ: %q vs %q", b, bodies[0])
		}
	}
	r := newRig(t, Config{})
	for _, p := range []string{"/", "/ping/", "/a/b/c/d"} {
		if w := r.do("GET", p, ""); w.Code != 404 || w.Body.String() != bodies[0] || r.tokens.lookups != 0 {
			t.Errorf("%s, no form's path: %d %q, %d lookups; want the same 404 and no lookup", p, w.Code, w.Body, r.tokens.lookups)
		}
	}
	if bodies[0] != "not found" {
		t.Errorf("404 body %q, want healthchecks' %q", bodies[0], "not found")
	}
}

func TestOversizedBodyIs413WithoutLookup(t *testing.T) {
	r := newRig(t, Config{})
	w := r.do("POST", "/ping/"+goodToken, strings.Repeat("x", MaxBody+1))
	if w.Code != 413 || len(r.sender.sent) != 0 || r.tokens.lookups != 0 {
		t.Fatalf("status %d, sent %d, lookups %d: want 413, nothing sent, no lookup", w.Code, len(r.sender.sent), r.tokens.lookups)
	}
	w = r.do("POST", "/ping/"+goodToken, strings.Repeat("x", MaxBody))
	if w.Code != 200 || len(r.sender.sent) != 1 {
		t.Fatalf("a body of exactly %d bytes: status %d, want 200", MaxBody, w.Code)
	}
}

func TestThrottledBeyondMaxInFlight(t *testing.T) {
	r := newRig(t, Config{Limits: bounds.Limits{MaxInFlight: 1}})
	entered, release := make(chan struct{}), make(chan struct{})
	r.h.gate.Sleep = func(context.Context, time.Duration) { close(entered); <-release }
	done := make(chan int)
	go func() { done <- r.do("GET", "/ping/"+goodToken, "").Code }()
	<-entered
	if w := r.do("GET", "/ping/"+goodToken, ""); w.Code != 429 || w.Header().Get("Content-Type") == "" {
		t.Errorf("second request while one is in flight: %d, want 429", w.Code)
	}
	close(release)
	if code := <-done; code != 200 {
		t.Errorf("first request: %d, want 200", code)
	}
}

func TestFailuresAnswer503AndOtherMethods405(t *testing.T) {
	r := newRig(t, Config{})
	r.sender.err = errors.New("sqs down")
	if w := r.do("GET", "/ping/"+goodToken, ""); w.Code != 503 {
		t.Errorf("send failed: %d, want 503", w.Code)
	}
	r = newRig(t, Config{})
	r.tokens.err = errors.New("throttled")
	if w := r.do("GET", "/ping/"+goodToken, ""); w.Code != 503 || len(r.sender.sent) != 0 {
		t.Errorf("lookup failed: %d, want 503 and nothing sent", w.Code)
	}
	if w := r.do("DELETE", "/ping/"+goodToken, ""); w.Code != 405 || w.Header().Get("Allow") == "" {
		t.Errorf("DELETE: %d, want 405 with Allow", w.Code)
	}
}

func TestFunctionURLAdapterServesTheSameAPI(t *testing.T) {
	r := newRig(t, Config{})
	fn := functionurl.Handler(r.h)
	ev := events.LambdaFunctionURLRequest{
		RawPath: "/ping/" + goodToken + "/2", RawQueryString: "rid=abc",
		Body: base64.StdEncoding.EncodeToString([]byte("tail of log")), IsBase64Encoded: true,
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "x.lambda-url.us-east-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", SourceIP: "203.0.113.9"}},
	}
	resp, err := fn(context.Background(), ev)
	if err != nil || resp.StatusCode != 200 || resp.Body != "OK" {
		t.Fatalf("got %+v, %v; want 200 OK", resp, err)
	}
	m := r.sender.sent[0]
	if m.Signal != memon.Fail || m.ExitCode == nil || *m.ExitCode != 2 || m.RunID != "abc" || m.Message != "tail of log" {
		t.Errorf("sent %+v", m)
	}
	ev.RawPath = "/ping/unknown"
	resp, _ = fn(context.Background(), ev)
	if resp.StatusCode != 404 || resp.Body != notFound.body {
		t.Errorf("unknown token through the adapter: %+v", resp)
	}
	ev.Body, ev.RawPath = "%%% not base64", "/ping/"+goodToken
	if resp, _ = fn(context.Background(), ev); resp.StatusCode != 404 {
		t.Errorf("undecodable body: %+v, want 404", resp)
	}
}

// TestEveryAnswerTakesTheFloor: a 405, a 413 and a path the Lambda adapter
// cannot turn into a request take the floor too, so no request to the
// public endpoint is cheaper than it (the flood-cost bound rests on that).
func TestEveryAnswerTakesTheFloor(t *testing.T) {
	const floor = 300 * time.Millisecond
	for _, tc := range []struct {
		method, body string
		want         int
	}{
		{"DELETE", "", 405},
		{"PUT", "x", 405},
		{"POST", strings.Repeat("x", MaxBody+1), 413},
	} {
		r := newRig(t, Config{Limits: bounds.Limits{MinLatency: floor}})
		start := r.clock.Now()
		if w := r.do(tc.method, "/ping/"+goodToken, tc.body); w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.method, w.Code, tc.want)
		}
		if len(r.slept) != 1 || !r.slept[0].Equal(start.Add(floor)) {
			t.Errorf("%s answered at %v, want start+%s", tc.method, r.slept, floor)
		}
	}
	r := newRig(t, Config{Limits: bounds.Limits{MinLatency: floor}})
	start := r.clock.Now()
	ev := events.LambdaFunctionURLRequest{RawPath: "/ping/" + goodToken, Body: "%%% not base64", IsBase64Encoded: true,
		RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST"}}}
	resp, _ := functionurl.Handler(r.h)(context.Background(), ev)
	if resp.StatusCode != 404 || len(r.slept) != 1 || !r.slept[0].Equal(start.Add(floor)) {
		t.Errorf("unparseable request: %d answered at %v, want 404 at start+%s", resp.StatusCode, r.slept, floor)
	}
}
