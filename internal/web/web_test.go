package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func schedule(t *testing.T, kind memon.ScheduleKind, period time.Duration, expr, zone string) memon.Schedule {
	t.Helper()
	s, err := memon.NewSchedule(kind, period, expr, zone)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hourly is an up rolling event whose deadline is at deadline.
func hourly(t *testing.T, name string, deadline time.Time) *memon.Event {
	ev := memon.NewEvent(name, schedule(t, memon.Rolling, time.Hour, "", ""))
	ev.State, ev.LastSuccessTime = memon.Up, deadline.Add(-time.Hour)
	ev.LastBlockTime, ev.NextBlockTime = deadline.Add(-time.Hour), deadline
	return ev
}

func TestScheduleWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ev   *memon.Event
		want string
	}{
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Rolling, time.Hour, "", "")}}, "every hour after each run"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Fixed, 90*time.Minute, "", ""), Grace: 5 * time.Minute}}, "every 1h30m on a fixed grid, 5m grace"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Cron, 0, "0 3 * * 1-5", "Europe/Berlin")}}, "Monday to Friday at 03:00, Europe/Berlin"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Cron, 0, "30 1 * * *", "")}}, "daily at 01:30, UTC"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Cron, 0, "*/15 * * * *", "")}}, "every 15 minutes, UTC"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Cron, 0, "0 9 * * 0,6", "")}}, "Sundays and Saturdays at 09:00, UTC"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Cron, 0, "@weekly", "")}}, "Sundays at 00:00, UTC"},
		{&memon.Event{Config: memon.Config{Schedule: schedule(t, memon.Cron, 0, "5 4 1-7 * *", "")}}, `cron "5 4 1-7 * *", UTC`},
	} {
		if got := scheduleWords(tc.ev); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.ev.Schedule, got, tc.want)
		}
	}
}

func TestChangesSendOnlyWhatTheFormChanged(t *testing.T) {
	t.Parallel()
	ev := hourly(t, "job", t0)
	ev.Description = "keep"
	cur := currentValues(ev)
	edit := func(change map[string]string) map[string]string {
		sub := map[string]string{}
		for k, v := range cur {
			sub[k] = v
		}
		for k, v := range change {
			sub[k] = v
		}
		return changes(sub, cur, false)
	}
	for _, tc := range []struct {
		change, want map[string]string
	}{
		{nil, map[string]string{}},
		{map[string]string{"period": "2h"}, map[string]string{"period": "2h"}},
		{map[string]string{"description": ""}, map[string]string{"description": ""}},
		{map[string]string{"type": "fixed"}, map[string]string{"type": "fixed", "period": "1h"}},
		{map[string]string{"type": "cron", "cron": "0 3 * * *"}, map[string]string{"cron": "0 3 * * *"}},
		{map[string]string{"cron": "0 3 * * *"}, map[string]string{}}, // a cron expression counts only for kind cron
	} {
		if got := edit(tc.change); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v: sends %v, want %v", tc.change, got, tc.want)
		}
	}
	got := changes(map[string]string{"name": "n", "type": "rolling", "period": "1h", "cron": "x", "grace": " ", "description": "d"}, nil, true)
	if fmt.Sprint(got) != fmt.Sprint(map[string]string{"period": "1h", "description": "d"}) {
		t.Errorf("new event sends %v", got)
	}
}

func TestPlaceErrorsNextToTheirField(t *testing.T) {
	t.Parallel()
	err := errors.Join(
		&memon.FieldError{Field: "--period", Value: "0", Want: "must be more than 0"},
		errors.New(`--cron "x" and --period "1h" were both given: a schedule is either`),
		&memon.FieldError{Field: "EVENT", Value: "a b", Want: "letters"},
		errors.New("the table is unreachable"),
		fmt.Errorf("--initial-date %q is invalid", "x"),
	)
	byField, rest := placeErrors(err)
	if !strings.HasPrefix(byField["period"], `--period "0" is invalid`) || !strings.HasPrefix(byField["cron"], "--cron") ||
		!strings.HasPrefix(byField["name"], `EVENT "a b"`) || !strings.HasPrefix(byField["initial-date"], "--initial-date") ||
		rest != "the table is unreachable" {
		t.Errorf("placed %v, rest %q", byField, rest)
	}
}

func TestAvailabilityReplaysTransitionsAndCounts(t *testing.T) {
	t.Parallel()
	ev := hourly(t, "job", t0.Add(time.Hour))
	day := 24 * time.Hour
	start := t0.Truncate(day).Add(-9 * day) // 10 days: start .. today
	recs := []memon.HistoryRecord{
		{At: start.Add(2 * day), From: memon.New, To: memon.Up},
		{At: start.Add(5*day + 12*time.Hour), From: memon.Up, To: memon.Down, Alert: memon.KindDown},
		{At: start.Add(6 * day), From: memon.Down, To: memon.Up, Alert: memon.KindUp},
		{At: start.Add(7 * day), From: memon.Up, To: memon.Paused},
		{At: start.Add(8 * day), From: memon.Paused, To: memon.Up},
	}
	counts := []memon.DayCounts{{Day: memon.DayOf(start.Add(3 * day)), Runs: 2, Failures: 1}, {Day: memon.DayOf(start.Add(4 * day)), Runs: 1, Late: 1}}
	days, uptime, known := availability(recs, counts, ev, t0, 10)
	var got []string
	for _, d := range days {
		got = append(got, d.Class)
	}
	want := "[none none up failed late down up paused up up]"
	if fmt.Sprint(got) != want {
		t.Errorf("days %v, want %s", got, want)
	}
	// Watched: days 2..6 (5 days), day 8 (resumed at its midnight) and
	// today's 12h; down for half of day 5.
	watched := 6*day + 12*time.Hour
	wantUp := 100 * float64(watched-12*time.Hour) / float64(watched)
	if !known || fmt.Sprintf("%.2f", uptime) != fmt.Sprintf("%.2f", wantUp) {
		t.Errorf("uptime %.4f (known %v), want %.4f", uptime, known, wantUp)
	}
}

// editor records what the web asked for.
type editor struct {
	calls []string
	err   error
}

func (e *editor) Set(_ context.Context, name string, f map[string]string) (*memon.Event, error) {
	e.calls = append(e.calls, fmt.Sprintf("set %s %v", name, f))
	return nil, e.err
}
func (e *editor) Pause(_ context.Context, name string) error {
	e.calls = append(e.calls, "pause "+name)
	return e.err
}
func (e *editor) Resume(_ context.Context, name string) error {
	e.calls = append(e.calls, "resume "+name)
	return e.err
}
func (e *editor) Delete(_ context.Context, name string) error {
	e.calls = append(e.calls, "delete "+name)
	return e.err
}

func serve(t *testing.T, readOnly bool, evs ...*memon.Event) (*httptest.Server, *editor, string) {
	t.Helper()
	ed := &editor{}
	ts := httptest.NewUnstartedServer(nil)
	s, err := New(Options{Addr: ts.Listener.Addr().String(), ReadOnly: readOnly, Store: fake.NewStore(evs...), Editor: ed,
		Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, ed, s.csrf
}

func do(t *testing.T, method, u, host string, form url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServerRefusesForeignHostsTokensAndOrigins(t *testing.T) {
	t.Parallel()
	ts, ed, tok := serve(t, false, hourly(t, "job", t0.Add(time.Hour)))
	port := ts.Listener.Addr().(interface{ String() string }).String()
	_, p, _ := strings.Cut(port, ":")
	for _, tc := range []struct {
		host string
		want int
	}{
		{"", http.StatusOK}, {"localhost:" + p, http.StatusOK}, {"[::1]:" + p, http.StatusOK},
		{"evil.example:" + p, http.StatusMisdirectedRequest}, {"localhost:1", http.StatusMisdirectedRequest},
		{"localhost", http.StatusMisdirectedRequest},
	} {
		resp, _ := do(t, http.MethodGet, ts.URL+"/", tc.host, nil, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("Host %q: %d, want %d", tc.host, resp.StatusCode, tc.want)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("Host %q: CSP %q", tc.host, csp)
		}
	}
	good := url.Values{"name": {"job"}, "csrf": {tok}}
	for _, tc := range []struct {
		why    string
		form   url.Values
		header map[string]string
	}{
		{"no token", url.Values{"name": {"job"}}, nil},
		{"wrong token", url.Values{"name": {"job"}, "csrf": {tok[:10]}}, nil},
		{"foreign origin", good, map[string]string{"Origin": "http://evil.example"}},
		{"null origin", good, map[string]string{"Origin": "null"}},
		{"cross-site fetch", good, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		if resp, _ := do(t, http.MethodPost, ts.URL+"/pause", "", tc.form, tc.header); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.why, resp.StatusCode)
		}
	}
	if len(ed.calls) != 0 {
		t.Fatalf("refused posts reached the editor: %v", ed.calls)
	}
	resp, _ := do(t, http.MethodPost, ts.URL+"/pause", "", good, map[string]string{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther || fmt.Sprint(ed.calls) != "[pause job]" {
		t.Errorf("a good post: %d, calls %v", resp.StatusCode, ed.calls)
	}
}

func TestReadOnlyServesNoFormAndRefusesPosts(t *testing.T) {
	t.Parallel()
	ts, ed, tok := serve(t, true, hourly(t, "job", t0.Add(time.Hour)))
	for _, path := range []string{"/", "/event?name=job"} {
		resp, body := do(t, http.MethodGet, ts.URL+path, "", nil, nil)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, `<form method="post"`) || strings.Contains(body, `name="csrf"`) ||
			strings.Contains(body, `href="/new"`) || strings.Contains(body, `href="/edit`) {
			t.Errorf("%s in read-only mode: %d\n%s", path, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/new", "/edit?name=job", "/delete?name=job"} {
		if resp, _ := do(t, http.MethodGet, ts.URL+path, "", nil, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/set", "/pause", "/resume", "/delete"} {
		if resp, _ := do(t, http.MethodPost, ts.URL+path, "", url.Values{"name": {"job"}, "csrf": {tok}, "confirm": {"yes"}}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if len(ed.calls) != 0 {
		t.Errorf("read-only reached the editor: %v", ed.calls)
	}
}

func TestOverviewFiltersAndPutsTroubleFirst(t *testing.T) {
	t.Parallel()
	down := hourly(t, "zz-down", t0.Add(-3*time.Hour))
	down.State, down.ErrorCount = memon.Down, 1
	ts, _, _ := serve(t, false, hourly(t, "aa-up", t0.Add(time.Hour)), down, hourly(t, "backup-up", t0.Add(time.Hour)))
	_, body := do(t, http.MethodGet, ts.URL+"/", "", nil, nil)
	if n := strings.Count(body, `<svg class="spark"`); n != 3 {
		t.Errorf("a small table's first overview has %d sparklines, want 3", n)
	}
	if i, j := strings.Index(body, `data-name="zz-down"`), strings.Index(body, `data-name="aa-up"`); i < 0 || j < i {
		t.Errorf("trouble is not first:\n%s", body)
	}
	_, body = do(t, http.MethodGet, ts.URL+"/?q=BACK", "", nil, nil)
	if strings.Count(body, `<li class="ev`) != 1 || !strings.Contains(body, `data-name="backup-up"`) {
		t.Errorf("name filter:\n%s", body)
	}
	_, body = do(t, http.MethodGet, ts.URL+"/?status=down", "", nil, nil)
	if strings.Count(body, `<li class="ev`) != 1 || !strings.Contains(body, `data-name="zz-down"`) || !strings.Contains(body, "<strong>1</strong> down") {
		t.Errorf("status filter:\n%s", body)
	}
}

func TestEverythingComesFromThisOrigin(t *testing.T) {
	t.Parallel()
	ts, _, _ := serve(t, false, hourly(t, "job", t0.Add(time.Hour)))
	for _, path := range []string{"/", "/event?name=job", "/edit?name=job", "/new", "/delete?name=job"} {
		_, body := do(t, http.MethodGet, ts.URL+path, "", nil, nil)
		for _, bad := range []string{"http://", "https://", "//cdn", " style=", "<script>", "onclick", "onload"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s has %q", path, bad)
			}
		}
	}
	for _, a := range []string{"/assets/style.css", "/assets/app.js", "/assets/icon.svg"} {
		if resp, _ := do(t, http.MethodGet, ts.URL+a, "", nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", a, resp.StatusCode)
		}
	}
}

// TestSecretOpensOneSessionByCookie: with a secret (memon-config ui on a
// non-loopback address) nothing is served without it; the URL's key works
// once and turns into an HttpOnly, SameSite=Strict session cookie, which
// then admits pages and posts.
func TestSecretOpensOneSessionByCookie(t *testing.T) {
	t.Parallel()
	ed := &editor{}
	ts := httptest.NewUnstartedServer(nil)
	s, err := New(Options{Addr: ts.Listener.Addr().String(), Store: fake.NewStore(hourly(t, "job", t0.Add(time.Hour))), Editor: ed,
		Now: func() time.Time { return t0 }, Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)

	for _, u := range []string{"/", "/event?name=job", "/?key=wrong", "/assets/style.css"} {
		if resp, _ := do(t, http.MethodGet, ts.URL+u, "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without the session: %d, want 401", u, resp.StatusCode)
		}
	}
	if resp, _ := do(t, http.MethodPost, ts.URL+"/pause", "", url.Values{"name": {"job"}, "csrf": {s.csrf}}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a post without the session: %d, want 401", resp.StatusCode)
	}
	resp, _ := do(t, http.MethodGet, ts.URL+"/event?name=job&key=s3cret", "", nil, nil)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/event?name=job" || session == nil ||
		!session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value == "s3cret" {
		t.Fatalf("the key: %d to %q, cookie %+v; want 303 to the page without the key and an HttpOnly SameSite=Strict session", resp.StatusCode, resp.Header.Get("Location"), session)
	}
	if resp, _ := do(t, http.MethodGet, ts.URL+"/?key=s3cret", "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the key used twice: %d, want 401 (it works once)", resp.StatusCode)
	}
	cookie := map[string]string{"Cookie": sessionCookie + "=" + session.Value}
	if resp, body := do(t, http.MethodGet, ts.URL+"/event?name=job", "", nil, cookie); resp.StatusCode != http.StatusOK || !strings.Contains(body, "job") {
		t.Errorf("with the session: %d", resp.StatusCode)
	}
	if resp, _ := do(t, http.MethodPost, ts.URL+"/pause", "", url.Values{"name": {"job"}, "csrf": {s.csrf}}, cookie); resp.StatusCode != http.StatusSeeOther || fmt.Sprint(ed.calls) != "[pause job]" {
		t.Errorf("a post with the session: %d, calls %v", resp.StatusCode, ed.calls)
	}
}

func TestOverviewFiltersByTag(t *testing.T) {
	t.Parallel()
	load := hourly(t, "load", t0.Add(time.Hour))
	load.Tags = []string{"data", "nightly"}
	mail := hourly(t, "mail", t0.Add(time.Hour))
	mail.Tags = []string{"ops"}
	ts, _, _ := serve(t, false, load, mail, hourly(t, "plain", t0.Add(time.Hour)))
	_, body := do(t, http.MethodGet, ts.URL+"/?tag=data", "", nil, nil)
	if strings.Count(body, `<li class="ev`) != 1 || !strings.Contains(body, `data-name="load"`) {
		t.Errorf("tag filter:\n%s", body)
	}
	for _, want := range []string{`<option value="data" selected>data</option>`, `<option value="ops">ops</option>`,
		`<a class="tag" href="./?tag=nightly">nightly</a>`, `href="./?status=up&amp;tag=data"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the tag-filtered overview lacks %s:\n%s", want, body)
		}
	}
	_, body = do(t, http.MethodGet, ts.URL+"/event?name=load", "", nil, nil)
	if !strings.Contains(body, "data, nightly") {
		t.Errorf("the event page does not show the tags:\n%s", body)
	}
}
