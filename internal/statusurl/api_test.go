package statusurl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/pkg/memon"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

type fakeKeys map[string]memon.Key

func (f fakeKeys) Lookup(_ context.Context, hash string) (memon.Key, error) {
	if k, ok := f[hash]; ok {
		return k, nil
	}
	return memon.Key{}, memon.ErrNotFound
}

type fakeEvents struct {
	mu    sync.Mutex
	list  []memon.Listed
	scans int
}

func (f *fakeEvents) List(context.Context) ([]memon.Listed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans++
	return f.list, nil
}

type fakeHistory map[string][]memon.HistoryRecord

func (f fakeHistory) History(_ context.Context, name string, since time.Time) ([]memon.HistoryRecord, error) {
	var out []memon.HistoryRecord
	for _, r := range f[name] {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

const (
	apiKey   = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 32 characters, like every key
	badgeKey = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
)

// hourly is a rolling hourly event whose deadline is at deadline.
func hourly(name string, state memon.State, deadline time.Time) *memon.Event {
	ev := memon.NewEvent(name, memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	ev.Grace = 10 * time.Minute
	ev.State = state
	ev.NextBlockTime = deadline
	if state != memon.New {
		ev.LastSuccessTime, ev.LastPingTime = deadline.Add(-time.Hour), deadline.Add(-time.Hour)
	}
	return ev
}

// fleet is one event in each of healthchecks' states, and the status each
// must show at now (v2 and v3; v1 shows "started" for the started one).
func fleet() ([]memon.Listed, map[string]string) {
	up := hourly("backup", memon.Up, now.Add(30*time.Minute))
	up.Tags = []string{"prod", "db"}
	up.Description = "nightly dump"
	up.LastDuration = 95 * time.Second
	late := hourly("late-job", memon.Up, now.Add(-5*time.Minute))
	overdue := hourly("overdue-job", memon.Up, now.Add(-2*time.Hour))
	down := hourly("down-job", memon.Down, now.Add(-2*time.Hour))
	down.ErrorCount = 2
	failed := hourly("failed-job", memon.Down, now.Add(time.Hour))
	failed.LastFailTime = now.Add(-time.Minute)
	paused := hourly("paused-job", memon.Up, now.Add(time.Hour))
	paused.Enabled = false
	started := hourly("started-job", memon.Up, now.Add(30*time.Minute))
	started.LastStartTime = now.Add(-time.Minute)
	started.Tags = []string{"prod"}
	fresh := hourly("new-job", memon.New, time.Time{})
	cron, _ := memon.NewSchedule(memon.Cron, 0, "0 3 * * *", "Europe/Paris")
	nightly := hourly("Batch:Nightly", memon.Up, now.Add(time.Hour))
	nightly.Schedule = cron
	list := []memon.Listed{}
	for _, ev := range []*memon.Event{up, late, overdue, down, failed, paused, started, fresh, nightly} {
		list = append(list, memon.Listed{Event: ev})
	}
	return list, map[string]string{"backup": "up", "late-job": "grace", "overdue-job": "down", "down-job": "down",
		"failed-job": "down", "paused-job": "paused", "started-job": "up", "new-job": "new", "Batch:Nightly": "up"}
}

type testHandler struct {
	*Handler
	events *fakeEvents
	slept  []time.Duration
	clock  time.Time
}

func newTestHandler(t *testing.T, cfg Config) *testHandler {
	t.Helper()
	list, _ := fleet()
	th := &testHandler{events: &fakeEvents{list: list}, clock: now}
	keys := fakeKeys{memon.HashToken(apiKey): {Kind: memon.KeyAPI, ID: "a"}, memon.HashToken(badgeKey): {Kind: memon.KeyBadge, ID: "b"}}
	hist := fakeHistory{"backup": {
		{Name: "backup", At: now.Add(-3 * time.Hour), From: memon.New, To: memon.Up},
		{Name: "backup", At: now.Add(-2 * time.Hour), From: memon.Up, To: memon.Down},
		{Name: "backup", At: now.Add(-90 * time.Minute), From: memon.Down, To: memon.Down, Reason: "still down"},
		{Name: "backup", At: now.Add(-time.Hour), From: memon.Down, To: memon.Up},
	}}
	th.Handler = New(keys, th.events, hist, cfg, func() time.Time { return th.clock })
	var mu sync.Mutex
	th.gate.Sleep = func(_ context.Context, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		th.slept = append(th.slept, d)
	}
	return th
}

func (th *testHandler) do(method, target, key string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if key != "" {
		r.Header.Set("X-Api-Key", key)
	}
	w := httptest.NewRecorder()
	th.ServeHTTP(w, r)
	return w
}

func TestAPIListsEveryCheckWithHealthchecksStatus(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{})
	_, want := fleet()
	for _, v := range []string{"v1", "v2", "v3"} {
		w := th.do(http.MethodGet, "/api/"+v+"/checks/", apiKey)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %q %s", v, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
		var got struct{ Checks []map[string]any }
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Checks) != len(want) {
			t.Fatalf("%s: %d checks, want %d", v, len(got.Checks), len(want))
		}
		for _, c := range got.Checks {
			name := c["name"].(string)
			status := want[name]
			if v == "v1" && name == "started-job" {
				status = "started"
			}
			if c["status"] != status {
				t.Errorf("%s %s: status %v, want %s", v, name, c["status"], status)
			}
			if _, ok := c["ping_url"]; ok {
				t.Errorf("%s %s: a ping_url (the token is not kept, and a read-only key never sees one)", v, name)
			}
			if uk, _ := c["unique_key"].(string); uk != UniqueKey(name) || len(uk) != 40 {
				t.Errorf("%s %s: unique_key %v", v, name, c["unique_key"])
			}
		}
	}
}

func TestAPICheckFields(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{})
	w := th.do(http.MethodGet, "/api/v3/checks/"+UniqueKey("backup"), apiKey)
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var c map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "backup", "slug": "backup", "tags": "prod db", "desc": "nightly dump", "grace": 600.0,
		"status": "up", "started": false, "last_ping": "2026-12-01T11:30:00+00:00", "next_ping": "2026-12-01T12:30:00+00:00",
		"last_duration": 95.0, "unique_key": UniqueKey("backup"), "timeout": 3600.0}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	for k := range c {
		if _, ok := want[k]; !ok {
			t.Errorf("field %s = %v: MEMon gives only the fields it can fill", k, c[k])
		}
	}

	w = th.do(http.MethodGet, "/api/v3/checks/"+UniqueKey("Batch:Nightly"), apiKey)
	c = nil
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c["schedule"] != "0 3 * * *" || c["tz"] != "Europe/Paris" || c["slug"] != "" || c["timeout"] != nil {
		t.Errorf("cron check: %s", w.Body)
	}
	w = th.do(http.MethodGet, "/api/v3/checks/"+UniqueKey("new-job"), apiKey)
	if !strings.Contains(w.Body.String(), `"last_ping":null`) || !strings.Contains(w.Body.String(), `"next_ping":null`) {
		t.Errorf("new check: %s", w.Body)
	}
}

func TestAPIFiltersByTagAndSlug(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{})
	names := func(target string) []string {
		var got struct{ Checks []struct{ Name string } }
		w := th.do(http.MethodGet, target, apiKey)
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v (%s)", target, err, w.Body)
		}
		var out []string
		for _, c := range got.Checks {
			out = append(out, c.Name)
		}
		return out
	}
	for target, want := range map[string]string{
		"/api/v3/checks/?tag=prod":         "backup started-job",
		"/api/v3/checks/?tag=prod&tag=db":  "backup",
		"/api/v3/checks/?tag=nope":         "",
		"/api/v3/checks/?slug=late-job":    "late-job",
		"/api/v3/checks/?slug=backup&tag=": "",
	} {
		if got := strings.Join(names(target), " "); got != want {
			t.Errorf("%s: %q, want %q", target, got, want)
		}
	}
}

func TestAPIFlipsFromHistory(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{})
	get := func(q string) string {
		w := th.do(http.MethodGet, "/api/v3/checks/"+UniqueKey("backup")+"/flips/"+q, apiKey)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", q, w.Code, w.Body)
		}
		return strings.TrimSpace(w.Body.String())
	}
	all := `{"flips":[{"timestamp":"2026-12-01T11:00:00+00:00","up":1},{"timestamp":"2026-12-01T10:00:00+00:00","up":0},{"timestamp":"2026-12-01T09:00:00+00:00","up":1}]}`
	if got := get(""); got != all {
		t.Errorf("flips:\n%s\nwant\n%s", got, all)
	}
	if got := get("?seconds=5400"); got != `{"flips":[{"timestamp":"2026-12-01T11:00:00+00:00","up":1}]}` {
		t.Errorf("?seconds=5400: %s", got)
	}
	if got := get("?end=" + itoa(now.Add(-time.Hour).Unix())); !strings.HasPrefix(got, `{"flips":[{"timestamp":"2026-12-01T10:00:00`) {
		t.Errorf("?end= excludes the end: %s", got)
	}
	if w := th.do(http.MethodGet, "/api/v3/checks/"+UniqueKey("backup")+"/flips/?seconds=soon", apiKey); w.Code != http.StatusBadRequest {
		t.Errorf("a bad filter: %d", w.Code)
	}
	if got := strings.TrimSpace(th.do(http.MethodGet, "/api/v1/checks/"+UniqueKey("new-job")+"/flips/", apiKey).Body.String()); got != `{"flips":[]}` {
		t.Errorf("no flips: %s", got)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// Without a right key every path answers alike: nobody learns whether a
// check (or a key) exists, and each answer waits for the same floor.
func TestAPIWithoutARightKeyTellsNothing(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{Limits: bounds.Limits{MinLatency: 300 * time.Millisecond}})
	paths := []string{"/api/v3/checks/", "/api/v1/checks/" + UniqueKey("backup"), "/api/v3/checks/" + UniqueKey("nope"),
		"/api/v2/checks/" + UniqueKey("backup") + "/flips/", "/api/v3/nothing"}
	for _, tc := range []struct{ key, body string }{
		{"", `{"error":"missing api key"}`},
		{"short", `{"error":"missing api key"}`},
		{strings.Repeat("x", 32), `{"error":"wrong api key"}`},
		{badgeKey, `{"error":"wrong api key"}`}, // a key, but not an api key
	} {
		for _, p := range paths {
			w := th.do(http.MethodGet, p, tc.key)
			if w.Code != http.StatusUnauthorized || strings.TrimSpace(w.Body.String()) != tc.body {
				t.Errorf("%s with key %q: %d %s", p, tc.key, w.Code, w.Body)
			}
		}
	}
	th.do(http.MethodGet, "/api/v3/checks/", apiKey)
	for i, d := range th.slept {
		if d != 300*time.Millisecond {
			t.Fatalf("answer %d waited %v, want the floor 300ms for every answer", i, d)
		}
	}
	if len(th.slept) != 4*len(paths)+1 {
		t.Fatalf("%d answers waited, want %d", len(th.slept), 4*len(paths)+1)
	}
}

func TestAPIWriteMethodsAreForbidden(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for _, key := range []string{apiKey, "", strings.Repeat("x", 32)} {
			w := th.do(m, "/api/v3/checks/"+UniqueKey("backup"), key)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "read-only") {
				t.Errorf("%s with key %q: %d %s", m, key, w.Code, w.Body)
			}
		}
	}
	if w := th.do(http.MethodOptions, "/api/v3/checks/", ""); w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Headers") != "X-Api-Key" {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
}

func TestAPIRateLimitsEachKey(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{Limits: bounds.Limits{KeyRate: 1, KeyBurst: 3}})
	for i := range 3 {
		if w := th.do(http.MethodGet, "/api/v3/checks/", apiKey); w.Code != http.StatusOK {
			t.Fatalf("request %d of the burst: %d", i+1, w.Code)
		}
	}
	if w := th.do(http.MethodGet, "/api/v3/checks/", apiKey); w.Code != http.StatusTooManyRequests {
		t.Fatalf("past the burst: %d", w.Code)
	}
	th.clock = th.clock.Add(time.Second)
	if w := th.do(http.MethodGet, "/api/v3/checks/", apiKey); w.Code != http.StatusOK {
		t.Fatalf("a second later: %d", w.Code)
	}
}

// However many reads come, the events are scanned once per ListFor.
func TestAPIScansTheEventsOncePerListFor(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{Limits: bounds.Limits{KeyBurst: 100}, ListFor: 10 * time.Second})
	for range 20 {
		th.do(http.MethodGet, "/api/v3/checks/", apiKey)
	}
	th.clock = th.clock.Add(11 * time.Second)
	th.do(http.MethodGet, "/api/v3/checks/", apiKey)
	if th.events.scans != 2 {
		t.Fatalf("%d scans for 21 reads over 11 s, want 2", th.events.scans)
	}
}

func TestOwnsAndPingRedirect(t *testing.T) {
	t.Parallel()
	th := newTestHandler(t, Config{})
	for path, want := range map[string]bool{"/api/v1/checks/": true, "/api/v3/x": true, "/api/push/tok": false, "/ping/tok": false, "/tok": false} {
		if got := th.Owns(path); got != want {
			t.Errorf("Owns(%q) = %v", path, got)
		}
	}
	pr := newTestHandler(t, Config{PingURL: "https://ping.example/"})
	if !pr.Owns("/ping/tok") {
		t.Fatal("with a PingURL, /ping/ is sent on")
	}
	w := pr.do(http.MethodGet, "/ping/tok/start?rid=1", "")
	if w.Code != http.StatusTemporaryRedirect || w.Header().Get("Location") != "https://ping.example/ping/tok/start?rid=1" {
		t.Errorf("redirect: %d %v", w.Code, w.Header())
	}
	if w := th.do(http.MethodGet, "/elsewhere", ""); w.Code != http.StatusNotFound {
		t.Errorf("an unknown path: %d", w.Code)
	}
}
