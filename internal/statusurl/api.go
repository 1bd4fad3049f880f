package statusurl

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// The read-only Management API: healthchecks' `GET /api/v3/checks/`,
// `/checks/<unique_key>` and `/checks/<unique_key>/flips/`, at /api/v1/,
// /api/v2/ and /api/v3/ as healthchecks answers them, authenticated by
// X-Api-Key with the stack's api keys (memon-config api-key create
// --read-only). Every key is read-only, so a check is shown as healthchecks
// shows it to a read-only key: by its unique_key, without its ping URL.
// Fields MEMon cannot fill truthfully are left out (n_pings: MEMon keeps no
// count of all pings; the channel, filter and method settings it has not).

// apiKeyLen is the length of every api key (memon.TokenLen, as long as
// healthchecks' keys): anything else is "missing" without a lookup.
const apiKeyLen = memon.TokenLen

var (
	missingKey = jsonError(http.StatusUnauthorized, "missing api key")
	wrongKey   = jsonError(http.StatusUnauthorized, "wrong api key")
	readOnly   = jsonError(http.StatusForbidden, "the MEMon API is read-only: it answers GET, and no key can write")
	badMethod  = jsonError(http.StatusMethodNotAllowed, "method not allowed: the MEMon API answers GET")
	badQuery   = jsonError(http.StatusBadRequest, "invalid query: start, end and seconds are whole numbers")
	apiDown    = jsonError(http.StatusServiceUnavailable, "the events could not be read: retry later")
	noCheck    = jsonError(http.StatusNotFound, "not found")
)

func jsonError(status int, msg string) answer {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return answer{status: status, ctype: "application/json", body: b}
}

func jsonAnswer(v any) answer {
	b, err := json.Marshal(v)
	if err != nil {
		return apiDown
	}
	return answer{status: http.StatusOK, ctype: "application/json", body: b}
}

// cors is what healthchecks sends with every API answer, so a browser page
// may read the API with a key the person gives it.
func cors(a answer) answer {
	h := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Headers": "X-Api-Key",
		"Access-Control-Allow-Methods": "GET, OPTIONS",
		"Access-Control-Max-Age":       "600",
	}
	for k, v := range a.header {
		h[k] = v
	}
	a.header = h
	return a
}

// api answers /api/v<v>/<rest>. The method is judged first (a write is 403
// whatever the key), then the key, then the path: without a right key every
// path answers alike, so nobody learns whether a check exists.
func (h *Handler) api(r *http.Request, v int, rest string) answer {
	drain(r)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		return cors(answer{status: http.StatusNoContent})
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return cors(readOnly)
	default:
		return cors(badMethod)
	}
	key := r.Header.Get("X-Api-Key")
	if len(key) != apiKeyLen {
		return cors(missingKey) // healthchecks' answer to a key of the wrong length: it says nothing of any key
	}
	switch h.checkKey(r.Context(), key, memon.KeyAPI) {
	case keyWrong:
		return cors(wrongKey)
	case keyUnread:
		return cors(apiDown)
	case keyThrottled:
		return cors(throttled)
	}
	return cors(h.apiRoute(r, v, rest))
}

// apiRoute answers an authenticated read.
func (h *Handler) apiRoute(r *http.Request, v int, rest string) answer {
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if seg[0] != "checks" || len(seg) > 3 || (len(seg) == 3 && seg[2] != "flips") {
		return noCheck
	}
	listed, err := h.list(r.Context())
	if err != nil {
		return apiDown
	}
	now := h.now()
	if len(seg) == 1 {
		q := r.URL.Query()
		tags, slug := q["tag"], q.Get("slug")
		out := []check{}
		for _, l := range listed {
			if c, ok := checkOf(l, v, now); ok && (slug == "" || c.Slug == slug) && hasTags(l, tags) {
				out = append(out, c)
			}
		}
		return jsonAnswer(map[string][]check{"checks": out})
	}
	i := slices.IndexFunc(listed, func(l memon.Listed) bool { return l.Name() != "" && UniqueKey(l.Name()) == seg[1] })
	if i < 0 {
		return noCheck
	}
	if len(seg) == 2 {
		c, _ := checkOf(listed[i], v, now)
		return jsonAnswer(c)
	}
	return h.flips(r, listed[i].Name(), now)
}

// hasTags is healthchecks' tag filter: the event has every tag asked for.
func hasTags(l memon.Listed, tags []string) bool {
	for _, t := range tags {
		if l.Event == nil || !slices.Contains(l.Event.Tags, t) {
			return false
		}
	}
	return true
}

// check is a check object as healthchecks gives it to a read-only key,
// with the fields MEMon has the meaning of.
type check struct {
	Name         string  `json:"name"`
	Slug         string  `json:"slug"`
	Tags         string  `json:"tags"`
	Desc         string  `json:"desc"`
	Grace        int64   `json:"grace"`
	Status       string  `json:"status"`
	Started      bool    `json:"started"`
	LastPing     *string `json:"last_ping"`
	NextPing     *string `json:"next_ping"`
	LastDuration *int64  `json:"last_duration,omitempty"`
	UniqueKey    string  `json:"unique_key"`
	Timeout      *int64  `json:"timeout,omitempty"`
	Schedule     string  `json:"schedule,omitempty"`
	TZ           string  `json:"tz,omitempty"`
}

// UniqueKey is an event's unique_key: the SHA-1 of its name in hex, as long
// as healthchecks' (40 characters); it names the check in the API's paths
// and tells nothing more than the name the same answer shows.
func UniqueKey(name string) string {
	sum := sha1.Sum([]byte("memon-check:" + name))
	return hex.EncodeToString(sum[:])
}

// isoTime is healthchecks' time format: ISO 8601 in UTC, whole seconds,
// with its offset; nil for a zero time (JSON null).
func isoTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05-07:00")
	return &s
}

// hcStatus maps MEMon's status model (memon.StatusOf) onto healthchecks'
// words, the one place it is done: every kind of trouble is down, late
// (inside its grace) is grace.
func hcStatus(s memon.Status) string {
	switch s {
	case memon.StatusUp:
		return "up"
	case memon.StatusNew:
		return "new"
	case memon.StatusPaused:
		return "paused"
	case memon.StatusLate:
		return "grace"
	}
	return "down" // down, failed, overdue, unusable
}

// started says a run has started and reported no outcome since.
func started(ev *memon.Event) bool {
	return !ev.LastStartTime.IsZero() && ev.LastStartTime.After(ev.LastSuccessTime) && ev.LastStartTime.After(ev.LastFailTime)
}

// slugOf is the event's slug: its name when the name is one (what a slug
// ping can name), else "".
func slugOf(name string) string {
	if ok, upper := memon.SlugShape(name); ok && !upper {
		return name
	}
	return ""
}

// checkOf is the listed event as a check at now, for API version v (v1
// says "started" for a run in progress, as healthchecks' v1 does); false
// for an item without even a name.
func checkOf(l memon.Listed, v int, now time.Time) (check, bool) {
	name := l.Name()
	if name == "" {
		return check{}, false
	}
	c := check{Name: name, Slug: slugOf(name), Tags: "", UniqueKey: UniqueKey(name), Status: hcStatus(l.Status(now))}
	ev := l.Event
	if l.Err != nil {
		return c, true // unusable: its name and "down", nothing read from it
	}
	c.Tags = strings.Join(ev.Tags, " ")
	c.Desc = ev.Description
	c.Grace = int64(ev.Grace / time.Second)
	c.Started = started(ev)
	if v == 1 && c.Started && c.Status != "down" && c.Status != "paused" {
		c.Status = "started"
	}
	c.LastPing = isoTime(ev.LastPingTime)
	if ev.Enabled {
		c.NextPing = isoTime(ev.Deadline())
	}
	if ev.LastDuration > 0 {
		d := int64(ev.LastDuration / time.Second)
		c.LastDuration = &d
	}
	switch ev.Schedule.Kind {
	case memon.Cron:
		c.Schedule, c.TZ = ev.Schedule.Expr, ev.Schedule.TimeZone
		if c.TZ == "" {
			c.TZ = "UTC"
		}
	default:
		t := int64(ev.Schedule.Period / time.Second)
		c.Timeout = &t
	}
	return c, true
}

// flip is one of healthchecks' flips: a change to up or to down.
type flip struct {
	Timestamp string `json:"timestamp"`
	Up        int    `json:"up"`
}

// flips answers /checks/<unique_key>/flips/ from the history table, newest
// first, with healthchecks' filters: ?seconds=N (the last N seconds),
// ?start= and ?end= (Unix times, end excluded).
func (h *Handler) flips(r *http.Request, name string, now time.Time) answer {
	q := r.URL.Query()
	num := func(k string) (int64, bool) {
		s := q.Get(k)
		if s == "" {
			return 0, true
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0
	}
	start, ok1 := num("start")
	end, ok2 := num("end")
	seconds, ok3 := num("seconds")
	if !ok1 || !ok2 || !ok3 {
		return badQuery
	}
	var since time.Time
	if start > 0 {
		since = time.Unix(start, 0)
	}
	if seconds > 0 {
		if s := now.Add(-time.Duration(seconds) * time.Second); s.After(since) {
			since = s
		}
	}
	records, err := h.history.History(r.Context(), name, since)
	if err != nil {
		return apiDown
	}
	out := []flip{}
	for i := len(records) - 1; i >= 0; i-- {
		rec := records[i]
		if rec.At.IsZero() || rec.Superseded || rec.From == rec.To || (rec.To != memon.Up && rec.To != memon.Down) {
			continue
		}
		if end > 0 && !rec.At.Before(time.Unix(end, 0)) {
			continue
		}
		up := 0
		if rec.To == memon.Up {
			up = 1
		}
		out = append(out, flip{Timestamp: *isoTime(rec.At), Up: up})
	}
	return jsonAnswer(map[string][]flip{"flips": out})
}
