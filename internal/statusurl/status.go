package statusurl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/peerj/memon/internal/web"
	"github.com/peerj/memon/pkg/memon"
)

// The badges (/badge/<badge-key>/...) and the hosted read-only status page
// (/status/<status-key>/...), each behind its one stack key (memon-config
// badges, memon-config status-page), looked up once per request as the
// API's keys are, and answered by internal/web from the cached event list.

var (
	readKeysDown   = text(http.StatusServiceUnavailable, "MEMon could not read its keys just now: retry later\n")
	readEventsDown = text(http.StatusServiceUnavailable, "MEMon could not read its events just now: retry later\n")
	getOnly        = answer{status: http.StatusMethodNotAllowed, ctype: "text/plain; charset=utf-8",
		body: []byte("read with GET\n"), header: map[string]string{"Allow": "GET, HEAD"}}
)

// keyCheck is what checkKey found of a request's key.
type keyCheck int

const (
	keyOK        keyCheck = iota
	keyWrong              // malformed, unknown or of another kind: all alike, so nobody learns which keys exist
	keyUnread             // the keys could not be read
	keyThrottled          // past the key's rate
)

// checkKey looks up a stack key of kind, once per request, and takes one
// request of its rate: the API's keys, the badge key and the status key
// are each judged here.
func (h *Handler) checkKey(ctx context.Context, key string, kind memon.KeyKind) keyCheck {
	if len(key) != memon.TokenLen {
		return keyWrong
	}
	hash := memon.HashToken(key)
	k, err := h.keys.Lookup(ctx, hash)
	switch {
	case errors.Is(err, memon.ErrNotFound), err == nil && k.Kind != kind:
		return keyWrong
	case err != nil:
		return keyUnread
	case !h.gate.AllowKey(hash):
		return keyThrottled
	}
	return keyOK
}

// pageKey resolves the key a badge or page path starts with and returns
// the rest of the path after it, or the answer to give instead. A wrong
// key, a key of another kind and a malformed one are the same 404.
func (h *Handler) pageKey(r *http.Request, rest string, kind memon.KeyKind) (string, *answer) {
	drain(r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "", &getOnly
	}
	key, path, _ := strings.Cut(rest, "/")
	switch h.checkKey(r.Context(), key, kind) {
	case keyWrong:
		return "", &notFound
	case keyUnread:
		return "", &readKeysDown
	case keyThrottled:
		return "", &throttled
	}
	return path, nil
}

// badge answers /badge/<badge-key>/<tag or *>.svg|.json|.shields and
// /badge/<badge-key>/event/<name>.svg|...: web.BadgeFor over the cached
// event list, cacheable for a minute.
func (h *Handler) badge(r *http.Request, _ string) answer {
	// The escaped path: an event's name may hold a "/" (%2F).
	path, refused := h.pageKey(r, strings.TrimPrefix(r.URL.EscapedPath(), "/badge/"), memon.KeyBadge)
	if refused != nil {
		return *refused
	}
	listed, err := h.list(r.Context())
	if err != nil {
		return readEventsDown
	}
	f, body, err := web.BadgeFor(listed, h.now(), path)
	if err != nil {
		return text(http.StatusNotFound, err.Error()+"\n")
	}
	hd := f.Headers()
	ctype := hd["Content-Type"]
	delete(hd, "Content-Type")
	return answer{status: http.StatusOK, ctype: ctype, body: body, header: hd}
}

// status answers /status/<status-key>/<page>: the overview, an event's
// page and their assets, from the templates of memon-config ui
// --read-only (web.Options.Hosted). Without Config.StatusPage every
// status path is the 404 of an unknown one.
func (h *Handler) status(r *http.Request, rest string) answer {
	if h.pages == nil {
		drain(r)
		return notFound
	}
	page, refused := h.pageKey(r, rest, memon.KeyStatus)
	if refused != nil {
		return *refused
	}
	if !strings.Contains(rest, "/") {
		// The pages' links are relative to /status/<key>/.
		a := text(http.StatusPermanentRedirect, "")
		a.header = map[string]string{"Location": "/status/" + rest + "/"}
		return a
	}
	in := r.Clone(r.Context())
	in.URL.Path, in.URL.RawPath = "/"+page, ""
	in.Header.Del("Accept-Encoding") // a function URL answers text; Lambda may compress it
	out := &recorder{header: http.Header{}, status: http.StatusOK}
	h.pages.ServeHTTP(out, in)
	a := answer{status: out.status, body: []byte(out.body.String()), header: map[string]string{}}
	for k := range out.header {
		a.header[k] = out.header.Get(k)
	}
	return a
}

// recorder keeps what a page handler writes, for one answer.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
	wrote  bool
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// pageStore is what the hosted pages read: the cached event list (an
// event's page finds its event there, so the function reads no item on
// its own), the history and, when the store keeps them, the daily counts.
type pageStore struct{ h *Handler }

func (s pageStore) List(ctx context.Context) ([]memon.Listed, error) { return s.h.list(ctx) }

func (s pageStore) Get(ctx context.Context, name string) (*memon.Event, error) {
	listed, err := s.h.list(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range listed {
		if l.Name() == name {
			return l.Event, l.Err
		}
	}
	return nil, fmt.Errorf("event %q: %w", name, memon.ErrNotFound)
}

func (s pageStore) History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error) {
	return s.h.history.History(ctx, name, since)
}

// newPages is the hosted status page over h's reads, or nil without
// Config.StatusPage. It logs nothing: a flood of requests writes no lines.
func newPages(h *Handler) (*web.Server, error) {
	if !h.cfg.StatusPage {
		return nil, nil
	}
	days, _ := h.history.(web.Days)
	return web.New(web.Options{Hosted: true, Details: h.cfg.StatusDetails, Store: pageStore{h}, Days: days, Now: h.now, Log: io.Discard})
}
