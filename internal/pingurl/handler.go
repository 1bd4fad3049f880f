// Package pingurl is MEMon's HTTPS ping endpoint: one http.Handler that turns
// healthchecks' ping URLs (`/ping/<token>[/start|/fail|/<exit code>]`, the
// same without /ping, slug pings under a ping key) and Uptime Kuma's push URL
// into the same queue message memon-send puts on the queue (route.go reads
// every form). The Lambda function URL (lambdas/pingurl)
// and the self-hosted server (cmd/memon-pingurl) both serve it.
//
// It owns the URL shapes, the answers and the abuse bounds. It declares the
// ports it needs (a token lookup, a ping-key lookup and a sender) and
// imports no AWS SDK.
package pingurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/pkg/memon"
)

// Tokens finds the event a token's hash belongs to: memon.ErrNotFound when
// none does. It must not scan: it is called for every request. EventExists
// tells a slug ping (whose key was found) whether its event exists.
type Tokens interface {
	EventForToken(ctx context.Context, hash string) (string, error)
	EventExists(ctx context.Context, name string) (bool, error)
}

// Sender puts a ping on the queue (queue.Sender).
type Sender interface {
	Send(ctx context.Context, m memon.Message) error
}

// MaxBody is the largest POST body accepted; a larger one is answered 413.
// It is the queue message limit: the message keeps the body's last
// memon.MaxMessageLen bytes, as memon-send keeps the tail of a job's output.
const MaxBody = memon.MaxMessageBody

// Defaults of Config.
const (
	DefaultMinLatency  = 250 * time.Millisecond
	DefaultMaxInFlight = 16
	DefaultBodyTimeout = 2 * time.Second
	DefaultKeyRate     = 2  // slug pings a second per ping key, after the burst
	DefaultKeyBurst    = 60 // slug pings per ping key at once
)

// Config bounds the handler. Zero values take the defaults.
type Config struct {
	// Limits are the floor, the in-flight slots and the slug pings of one
	// ping key. The floor applies to every answer but the in-flight 429.
	bounds.Limits
	// BodyTimeout is how long a POST body may take to arrive. The body is
	// read before the request takes an in-flight slot, so a client that
	// sends it a byte a second holds a connection, never a slot.
	BodyTimeout time.Duration
}

// Handler serves the ping API.
type Handler struct {
	tokens Tokens
	keys   Keys // nil: no slug pings (every one is 404)
	sender Sender
	cfg    Config
	gate   *bounds.Gate
	now    func() time.Time
}

// New returns the handler. keys may be nil (no slug pings); now is the
// clock (time.Now in production).
func New(tokens Tokens, keys Keys, sender Sender, cfg Config, now func() time.Time) *Handler {
	cfg.Limits = cfg.Limits.Or(bounds.Limits{MinLatency: DefaultMinLatency, MaxInFlight: DefaultMaxInFlight, KeyRate: DefaultKeyRate, KeyBurst: DefaultKeyBurst})
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	return &Handler{tokens: tokens, keys: keys, sender: sender, cfg: cfg, now: now, gate: bounds.NewGate(cfg.Limits, now)}
}

// answer is a status and its body. Every 404 of a ping form has the same
// body, whatever made it one; the healthchecks answers (OK, Created, not
// found, invalid url format) are its exact bodies, without a newline.
type answer struct {
	status int
	body   string
	json   bool // Uptime Kuma's answers are JSON
	ping   bool // a ping was taken: the Ping-Body-Limit header goes with it
}

var (
	accepted    = answer{status: http.StatusOK, body: "OK", ping: true}
	created     = answer{status: http.StatusCreated, body: "Created", ping: true}
	notFound    = answer{status: http.StatusNotFound, body: "not found"}
	badURL      = answer{status: http.StatusBadRequest, body: "invalid url format"}
	tooLarge    = answer{status: http.StatusRequestEntityTooLarge, body: fmt.Sprintf("body too large: at most %d bytes (the last %d are kept)\n", MaxBody, memon.MaxMessageLen)}
	throttled   = answer{status: http.StatusTooManyRequests, body: "too many requests: retry later\n"}
	badMethod   = answer{status: http.StatusMethodNotAllowed, body: "method not allowed: use GET or POST\n"}
	unavailable = answer{status: http.StatusServiceUnavailable, body: "the ping could not be queued: retry later\n"}
)

// ServeHTTP answers one request. Every answer but 429 takes at least
// MinLatency from the request's start, whatever it is (405, 404, 413, 503,
// 200): no answer tells by its timing what was looked up, and in Lambda no
// request is cheaper than the floor the flood-cost bound rests on. The 429
// of the in-flight bound is immediate, so that it holds nothing; Lambda
// never gives it (an instance serves one request; reserved concurrency
// throttles before any code runs).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	body, early := h.readBody(w, r)
	leave, ok := h.gate.Enter()
	if !ok {
		write(w, throttled)
		return
	}
	defer leave()
	a := early
	if a == (answer{}) {
		a = h.serve(r, body)
	}
	h.gate.Floor(r.Context(), start)
	write(w, a)
}

// readBody reads a POST body within BodyTimeout (where the connection
// allows a read deadline: the self-hosted server; a function URL's body is
// already there). It returns a non-zero answer when the request is decided
// by it: a method other than GET, HEAD or POST, a body too large, or one
// that did not arrive.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) (string, answer) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return "", answer{}
	case http.MethodPost:
	default:
		return "", badMethod
	}
	if r.Body == nil {
		return "", answer{}
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(h.cfg.BodyTimeout)) // unsupported (a function URL): nothing to wait for
	defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		// Closed after the answer: else net/http would wait for the rest
		// of the body before answering, a byte a second.
		w.Header().Set("Connection", "close")
		return "", notFound
	}
	if len(b) > MaxBody {
		return "", tooLarge // decided before any lookup: it tells nothing about the token
	}
	return string(b), answer{}
}

func write(w http.ResponseWriter, a answer) {
	if a.json {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "no-store")
	if a == badMethod {
		w.Header().Set("Allow", "GET, HEAD, POST")
	}
	if a.ping {
		// How much of a body is kept (its tail): runitor sends at most this.
		w.Header().Set("Ping-Body-Limit", strconv.Itoa(memon.MaxMessageLen))
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// serve answers a request whose body is read, by its route.
func (h *Handler) serve(r *http.Request, body string) answer {
	rt := parseRoute(r.URL.Path)
	switch rt.form {
	case noForm:
		return notFound // nothing to look up
	case kumaForm:
		return h.kumaPush(r, rt.id)
	case slugForm:
		return h.slugPing(r, rt, body)
	}
	// A malformed token is looked up too (as its hash, which no stored
	// token can have), so it costs and looks exactly like an unknown one.
	name, err := h.tokens.EventForToken(r.Context(), memon.HashToken(rt.id))
	switch {
	case errors.Is(err, memon.ErrNotFound) && rt.orSlug:
		return h.slugPing(r, rt.asSlug(), body)
	case errors.Is(err, memon.ErrNotFound):
		return notFound
	case err != nil:
		return unavailable
	case !memon.WellFormedToken(rt.id):
		return notFound
	}
	m, a := parseSuffix(rt.suffix)
	if a != (answer{}) {
		return a
	}
	return h.send(r, name, m, body)
}

// send queues the ping for the event name: the message memon-send would
// put there, marked as the endpoint's.
func (h *Handler) send(r *http.Request, name string, m memon.Message, body string) answer {
	m.Name = name
	m.Via = memon.ViaURL
	m.Time = memon.EpochSeconds(h.now())
	m.RunID = r.URL.Query().Get("rid")
	if body != "" {
		m.Message = body
	}
	if err := h.sender.Send(r.Context(), m); err != nil {
		return unavailable
	}
	return accepted
}

// parseSuffix reads what follows a token or a slug: nothing (success),
// start, fail, or an exit code 0-255 (0 success, else fail), healthchecks'
// shape. Its answer is non-zero when the suffix decides the request: a
// number over 255 is "invalid url format", as healthchecks answers it once
// the check is found; anything else no route has is "not found".
func parseSuffix(s string) (memon.Message, answer) {
	switch s {
	case "":
		return memon.Message{Signal: memon.Success}, answer{}
	case "start":
		return memon.Message{Signal: memon.Start}, answer{}
	case "fail":
		return memon.Message{Signal: memon.Fail}, answer{}
	case "log":
		return memon.Message{Signal: memon.Log}, answer{}
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return memon.Message{}, notFound
	}
	code, err := strconv.Atoi(s)
	if err != nil || code > 255 {
		return memon.Message{}, badURL
	}
	if code == 0 {
		return memon.Message{Signal: memon.Success}, answer{}
	}
	return memon.Message{Signal: memon.Fail, ExitCode: &code}, answer{}
}
