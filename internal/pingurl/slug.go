package pingurl

import (
	"context"
	"errors"
	"net/http"

	"github.com/peerj/memon/pkg/memon"
)

// Keys resolves a stack key by its hash (dynamo.Keys, the one key store):
// memon.ErrNotFound when no key has it. Slug pings take the ping key
// (memon.KeyPing) only. Like a token lookup, it must not scan and costs the
// same found or not.
type Keys interface {
	Lookup(ctx context.Context, hash string) (memon.Key, error)
}

// slugPing answers /ping/<ping-key>/<slug>[/suffix]: the slug is the
// event's name, and ?create=1 asks for a missing one (201 Created).
// Without the right key every answer is the same 404 (the floor hides how
// long the lookups took), so nobody learns whether a key or a name exists;
// with it, a missing event is 404 "not found" as in healthchecks.
func (h *Handler) slugPing(r *http.Request, rt route, body string) answer {
	shaped, upper := memon.SlugShape(rt.slug)
	if upper {
		return badURL // healthchecks refuses it before any lookup: it tells nothing
	}
	hash := memon.HashToken(rt.id)
	if h.keys == nil {
		return notFound
	}
	switch key, err := h.keys.Lookup(r.Context(), hash); {
	case errors.Is(err, memon.ErrNotFound):
		return notFound
	case err != nil:
		return unavailable
	case key.Kind != memon.KeyPing || !shaped || len(rt.slug) > memon.MaxNameLen:
		return notFound
	}
	m, a := parseSuffix(rt.suffix)
	if a != (answer{}) {
		return a
	}
	if !h.gate.AllowKey(hash) {
		return throttled
	}
	exists, err := h.tokens.EventExists(r.Context(), rt.slug)
	switch {
	case err != nil:
		return unavailable
	case exists:
		return h.send(r, rt.slug, m, body)
	case r.URL.Query().Get("create") != "1":
		return notFound
	}
	// The URL asks and the key proves the right: the poller creates it
	// (rolling, the stack's auto-create period or a day), within the
	// auto-create total, with this ping applied.
	m.Create = true
	if a := h.send(r, rt.slug, m, body); a != accepted {
		return a
	}
	return created
}
