// Package statusurl is MEMon's public read endpoint: one http.Handler for
// what may be read from outside without AWS credentials, each route behind
// its own key: the read-only Management API (`/api/v1|v2|v3/...`, X-Api-Key,
// api.go), and the badges and the status page (`/badge/...`, `/status/...`).
// The Lambda behind the stack output StatusUrl (lambdas/statusurl) and
// memon-pingurl, beside its pings, both serve it.
//
// It never writes: its ports only read (a key lookup, the event list, an
// event's history), and the Lambda's role allows nothing else. It owns the
// routes, the answers and the abuse bounds (a floor under every answer, an
// in-flight bound, a rate per key, a cached event list). It declares its
// ports in domain terms and imports no AWS SDK.
package statusurl

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/pkg/memon"
)

// Keys resolves a stack key's hash (dynamo.Keys): memon.ErrNotFound when no
// key has it. One lookup, found or not.
type Keys interface {
	Lookup(ctx context.Context, hash string) (memon.Key, error)
}

// Events lists every event (dynamo.Store.List: a scan, so the handler
// caches it for Config.ListFor).
type Events interface {
	List(ctx context.Context) ([]memon.Listed, error)
}

// History reads an event's history records since a time, oldest first
// (dynamo.Store.History).
type History interface {
	History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error)
}

// Defaults of Config.
const (
	DefaultMinLatency  = 250 * time.Millisecond
	DefaultMaxInFlight = 8
	DefaultListFor     = 15 * time.Second
	DefaultKeyRate     = 1  // requests a second per key, after the burst
	DefaultKeyBurst    = 30 // requests per key at once
)

// Config bounds the handler. Zero values take the defaults.
type Config struct {
	// Limits are the floor (every answer but the in-flight 429 takes it:
	// a wrong key answers as late as a right one), the in-flight reads
	// (memon-pingurl's pings have their own, so reads never take their
	// place) and the reads of one key.
	bounds.Limits
	// ListFor is how long one event list serves: however many reads come,
	// the events table is scanned at most once per ListFor per instance.
	ListFor time.Duration
	// PingURL, when set, is where `/ping/...` is sent on (307): clients
	// that take one base URL for pings and reads (the Home Assistant
	// integration) reach the ping endpoint through this one. Empty where the
	// same listener serves pings (memon-pingurl).
	PingURL string
	// StatusPage serves the hosted read-only status page under
	// /status/<status-key>/ (stack context statusPage=true); StatusDetails
	// shows job output, hosts and reasons there too (statusPage=details).
	// Without StatusPage every /status/ path answers 404.
	StatusPage, StatusDetails bool
}

// Handler serves the read routes.
type Handler struct {
	keys    Keys
	events  Events
	history History
	cfg     Config
	gate    *bounds.Gate
	now     func() time.Time

	pages http.Handler // the status page (status.go); nil without Config.StatusPage

	mu       sync.Mutex
	listed   []memon.Listed
	listedAt time.Time
}

// New returns the handler; now is the clock (time.Now in production).
func New(keys Keys, events Events, history History, cfg Config, now func() time.Time) *Handler {
	cfg.Limits = cfg.Limits.Or(bounds.Limits{MinLatency: DefaultMinLatency, MaxInFlight: DefaultMaxInFlight, KeyRate: DefaultKeyRate, KeyBurst: DefaultKeyBurst})
	if cfg.ListFor <= 0 {
		cfg.ListFor = DefaultListFor
	}
	cfg.PingURL = strings.TrimRight(cfg.PingURL, "/")
	h := &Handler{keys: keys, events: events, history: history, cfg: cfg, now: now,
		gate: bounds.NewGate(cfg.Limits, now)}
	if pages, err := newPages(h); err != nil {
		// The embedded templates did not parse: every status page says so.
		h.pages = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		})
	} else if pages != nil {
		h.pages = pages
	}
	return h
}

// answer is a status, its headers and its body.
type answer struct {
	status int
	ctype  string
	body   []byte
	header map[string]string
}

func text(status int, body string) answer {
	return answer{status: status, ctype: "text/plain; charset=utf-8", body: []byte(body)}
}

var (
	notFound  = text(http.StatusNotFound, "not found")
	throttled = text(http.StatusTooManyRequests, "too many requests: retry later\n")
)

// route is one family of read URLs: the path prefix it owns and what
// answers it, given the rest of the path after the prefix.
type route struct {
	prefix string
	serve  func(h *Handler, r *http.Request, rest string) answer
}

// routes are every read route, in one table: Owns and ServeHTTP both read it.
func (h *Handler) routes() []route {
	rs := []route{
		// The Management API, read-only, at each version healthchecks answers (api.go).
		{"/api/v1/", func(h *Handler, r *http.Request, rest string) answer { return h.api(r, 1, rest) }},
		{"/api/v2/", func(h *Handler, r *http.Request, rest string) answer { return h.api(r, 2, rest) }},
		{"/api/v3/", func(h *Handler, r *http.Request, rest string) answer { return h.api(r, 3, rest) }},
		// Badges and the status page, each behind its stack key (status.go).
		{"/badge/", (*Handler).badge},
		{"/status/", (*Handler).status},
	}
	if h.cfg.PingURL != "" {
		rs = append(rs, route{"/ping/", (*Handler).toPing})
	}
	return rs
}

// Owns reports whether path is one of the read routes: memon-pingurl sends
// those here and the rest to its pings.
func (h *Handler) Owns(path string) bool {
	for _, rt := range h.routes() {
		if strings.HasPrefix(path, rt.prefix) {
			return true
		}
	}
	return false
}

// ServeHTTP answers one read. Every answer but the in-flight 429 takes at
// least MinLatency from the request's start, so that no answer tells by its
// timing what was looked up (a wrong key, a right one, an unknown check).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	leave, ok := h.gate.Enter()
	if !ok {
		write(w, r, throttled)
		return
	}
	defer leave()
	a := notFound
	for _, rt := range h.routes() {
		if rest, ok := strings.CutPrefix(r.URL.Path, rt.prefix); ok {
			a = rt.serve(h, r, rest)
			break
		}
	}
	h.gate.Floor(r.Context(), start)
	write(w, r, a)
}

func write(w http.ResponseWriter, r *http.Request, a answer) {
	if a.ctype != "" {
		w.Header().Set("Content-Type", a.ctype)
	}
	w.Header().Set("Cache-Control", "no-store")
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.body)
	}
}

// toPing sends a ping URL on to the ping endpoint, path and query kept; a
// 307 keeps the method and the body. Nothing is looked up here.
func (h *Handler) toPing(r *http.Request, _ string) answer {
	u := h.cfg.PingURL + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	a := text(http.StatusTemporaryRedirect, "")
	a.header = map[string]string{"Location": u}
	return a
}

// list is the event list, scanned at most once per ListFor.
func (h *Handler) list(ctx context.Context) ([]memon.Listed, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listed != nil && h.now().Sub(h.listedAt) < h.cfg.ListFor {
		return h.listed, nil
	}
	l, err := h.events.List(ctx)
	if err != nil {
		return nil, err
	}
	if l == nil {
		l = []memon.Listed{}
	}
	h.listed, h.listedAt = l, h.now()
	return l, nil
}

// drain reads and drops a request body (a read takes none), bounded.
func drain(r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
	}
}
