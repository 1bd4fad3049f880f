// Package pingurl is MEMon's HTTPS ping endpoint: one http.Handler that turns
// `GET|POST /ping/<token>[/start|/fail|/<exit code>]` into the same queue
// message memon-send puts on the queue. The Lambda function URL (lambdas/pingurl)
// and the self-hosted server (cmd/memon-pingurl) both serve it.
//
// It owns the URL shape, the answers and the abuse bounds. It declares the
// two ports it needs (a token lookup and a sender) and imports no AWS SDK.
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

	"github.com/peerj/memon/pkg/memon"
)

// Tokens finds the event a token's hash belongs to: memon.ErrNotFound when
// none does. It must not scan: it is called for every request.
type Tokens interface {
	EventForToken(ctx context.Context, hash string) (string, error)
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
)

// Config bounds the handler. Zero values take the defaults.
type Config struct {
	// MinLatency is the least time any token answer takes. It hides how
	// long the lookup took (unknown and malformed tokens answer alike) and,
	// in Lambda, caps the requests one instance serves a second, which is
	// what bounds the cost of a flood (docs/sending-pings.md, "Ping from anywhere").
	MinLatency time.Duration
	// MaxInFlight is how many requests are served at once; more are
	// answered 429 at once. In Lambda each instance serves one request, and
	// reserved concurrency does this job.
	MaxInFlight int
	// BodyTimeout is how long a POST body may take to arrive. The body is
	// read before the request takes an in-flight slot, so a client that
	// sends it a byte a second holds a connection, never a slot.
	BodyTimeout time.Duration
}

// Handler serves the ping API.
type Handler struct {
	tokens   Tokens
	sender   Sender
	cfg      Config
	inFlight chan struct{}
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration)
}

// New returns the handler. now is the clock (time.Now in production).
func New(tokens Tokens, sender Sender, cfg Config, now func() time.Time) *Handler {
	if cfg.MinLatency == 0 {
		cfg.MinLatency = DefaultMinLatency
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	return &Handler{tokens: tokens, sender: sender, cfg: cfg, now: now,
		inFlight: make(chan struct{}, cfg.MaxInFlight), sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// answer is a status and its plain-text body. Every 404 has the same body,
// whatever made it one.
type answer struct {
	status int
	body   string
}

var (
	accepted    = answer{http.StatusOK, "OK\n"}
	notFound    = answer{http.StatusNotFound, "not found\n"}
	tooLarge    = answer{http.StatusRequestEntityTooLarge, fmt.Sprintf("body too large: at most %d bytes (the last %d are kept)\n", MaxBody, memon.MaxMessageLen)}
	throttled   = answer{http.StatusTooManyRequests, "too many requests: retry later\n"}
	badMethod   = answer{http.StatusMethodNotAllowed, "method not allowed: use GET or POST\n"}
	unavailable = answer{http.StatusServiceUnavailable, "the ping could not be queued: retry later\n"}
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
	select {
	case h.inFlight <- struct{}{}:
		defer func() { <-h.inFlight }()
	default:
		write(w, throttled)
		return
	}
	a := early
	if a == (answer{}) {
		a = h.serve(r, body)
	}
	h.floor(r.Context(), start)
	write(w, a)
}

// floor waits until MinLatency has passed since start.
func (h *Handler) floor(ctx context.Context, start time.Time) {
	h.sleep(ctx, start.Add(h.cfg.MinLatency).Sub(h.now()))
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
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if a == badMethod {
		w.Header().Set("Allow", "GET, HEAD, POST")
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (h *Handler) serve(r *http.Request, body string) answer {
	rest, ok := strings.CutPrefix(r.URL.Path, "/ping/")
	if !ok {
		return notFound // no token in the path: nothing to look up
	}
	token, suffix, _ := strings.Cut(rest, "/")
	m, shapeOK := parseSuffix(suffix)
	// A malformed token is looked up too (as its hash, which no stored
	// token can have), so it costs and looks exactly like an unknown one.
	name, err := h.tokens.EventForToken(r.Context(), memon.HashToken(token))
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return notFound
	case err != nil:
		return unavailable
	case !shapeOK || !memon.WellFormedToken(token):
		return notFound
	}
	m.Name = name
	m.Via = memon.ViaURL
	m.Time = memon.EpochSeconds(h.now())
	m.RunID = r.URL.Query().Get("rid")
	m.Message = body
	if err := h.sender.Send(r.Context(), m); err != nil {
		return unavailable
	}
	return accepted
}

// parseSuffix reads what follows the token: nothing (success), start, fail,
// or an exit code 0-255 (0 success, else fail), healthchecks.io's shape.
func parseSuffix(s string) (memon.Message, bool) {
	switch s {
	case "":
		return memon.Message{Signal: memon.Success}, true
	case "start":
		return memon.Message{Signal: memon.Start}, true
	case "fail":
		return memon.Message{Signal: memon.Fail}, true
	}
	if len(s) > 3 || strings.Trim(s, "0123456789") != "" {
		return memon.Message{}, false
	}
	code, err := strconv.Atoi(s)
	if err != nil || code > 255 {
		return memon.Message{}, false
	}
	if code == 0 {
		return memon.Message{Signal: memon.Success}, true
	}
	return memon.Message{Signal: memon.Fail, ExitCode: &code}, true
}
