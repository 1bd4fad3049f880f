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
)

// Config bounds the handler. Zero values take the defaults.
type Config struct {
	// MinLatency is the least time any token answer takes. It hides how
	// long the lookup took (unknown and malformed tokens answer alike) and,
	// in Lambda, caps the requests one instance serves a second, which is
	// what bounds the cost of a flood (README "Ping from anywhere").
	MinLatency time.Duration
	// MaxInFlight is how many requests are served at once; more are
	// answered 429 at once. In Lambda each instance serves one request, and
	// reserved concurrency does this job.
	MaxInFlight int
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

// ServeHTTP answers one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case h.inFlight <- struct{}{}:
		defer func() { <-h.inFlight }()
	default:
		write(w, throttled)
		return
	}
	start := h.now()
	a := h.serve(r)
	if a != throttled && a != badMethod {
		// Every answer about a token, found or not, takes the same time.
		h.sleep(r.Context(), start.Add(h.cfg.MinLatency).Sub(h.now()))
	}
	write(w, a)
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

func (h *Handler) serve(r *http.Request) answer {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		return badMethod
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/ping/")
	if !ok {
		return notFound // no token in the path: nothing to look up
	}
	token, suffix, _ := strings.Cut(rest, "/")
	m, shapeOK := parseSuffix(suffix)
	var body string
	if r.Method == http.MethodPost && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		if err != nil {
			return notFound
		}
		if len(b) > MaxBody {
			return tooLarge // decided before any lookup: it tells nothing about the token
		}
		body = string(b)
	}
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
