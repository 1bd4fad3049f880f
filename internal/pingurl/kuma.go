package pingurl

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/peerj/memon/pkg/memon"
)

// Uptime Kuma's push answers (server/routers/api-router.js in
// louislam/uptime-kuma): {"ok":true}, or 404 with ok false and a message.
var (
	kumaOK          = answer{status: http.StatusOK, body: `{"ok":true}`, json: true}
	kumaNotFound    = answer{status: http.StatusNotFound, body: `{"ok":false,"msg":"Monitor not found or not active."}`, json: true}
	kumaBadPing     = answer{status: http.StatusNotFound, body: `{"ok":false,"msg":"Invalid ping value. Must be between 0 and 100000000000 ms."}`, json: true}
	kumaUnavailable = answer{status: http.StatusServiceUnavailable, body: `{"ok":false,"msg":"the ping could not be queued: retry later"}`, json: true}
)

// kumaMaxPing is the largest ping (ms) Kuma accepts.
const kumaMaxPing = 100_000_000_000

// kumaPush answers /api/push/<token>?status=up|down&msg=…&ping=…, an
// Uptime Kuma push monitor's URL: up (the default) is a success, anything
// else a failure whose message is msg; ping, the milliseconds the pushed
// thing took, is the run's duration. As Kuma does, a ping that is not a
// number is ignored and one out of range refused before the lookup.
func (h *Handler) kumaPush(r *http.Request, token string) answer {
	q := r.URL.Query()
	var duration *float64
	if v, err := strconv.ParseFloat(q.Get("ping"), 64); err == nil && v == v {
		if v < 0 || v > kumaMaxPing {
			return kumaBadPing
		}
		if s := v / 1000; s <= memon.MaxRunDuration.Seconds() && v > 0 {
			duration = &s
		}
	}
	name, err := h.tokens.EventForToken(r.Context(), memon.HashToken(token))
	switch {
	case errors.Is(err, memon.ErrNotFound) || (err == nil && !memon.WellFormedToken(token)):
		return kumaNotFound
	case err != nil:
		return kumaUnavailable
	}
	m := memon.Message{Signal: memon.Success, Duration: duration}
	if status := q.Get("status"); status != "" && status != "up" {
		m.Signal = memon.Fail
	}
	if a := h.send(r, name, m, q.Get("msg")); a != accepted {
		return kumaUnavailable
	}
	return kumaOK
}
