package main

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

func TestRelative(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "now"},
		{500 * time.Millisecond, "now"},
		{30 * time.Second, "in 30s"},
		{-30 * time.Second, "30s ago"},
		{12 * time.Minute, "in 12m"},
		{-12*time.Minute - 59*time.Second, "12m ago"},
		{3 * time.Hour, "in 3h"},
		{-47 * time.Hour, "47h ago"},
		{48 * time.Hour, "in 2d"},
		{-10 * 24 * time.Hour, "10d ago"},
	} {
		if got := memon.Relative(t0.Add(tc.d), t0); got != tc.want {
			t.Errorf("memon.Relative(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := when(time.Time{}, t0); got != "-" {
		t.Errorf("when(zero) = %q", got)
	}
	if got := when(t0.Add(3*time.Hour), t0); got != "2024-05-01 13:00 UTC (in 3h)" {
		t.Errorf("when = %q", got)
	}
}

// listing is a mixed table: up, down, paused, never run, unusable.
func listing(t *testing.T) *fake.Store {
	up := event(t, "up-soon", time.Hour, t0.Add(-50*time.Minute)) // deadline in 10m
	later := event(t, "up-later", 2*time.Hour, t0)                // deadline in 2h
	down := event(t, "down", time.Hour, t0.Add(-3*time.Hour))
	down.State, down.ErrorCount = memon.Down, 2
	paused := event(t, "paused", time.Hour, t0.Add(-20*time.Minute))
	paused.Enabled = false
	fresh := memon.NewEvent("never-run", mustSchedule(t, memon.Rolling, time.Hour, "", ""))
	broken := &memon.Event{Config: memon.Config{Name: "broken", Enabled: true}, State: memon.New}
	f := newFake(up, later, down, paused, fresh, broken)
	f.MarkUnusable("broken", &memon.FieldError{Field: "Period", Want: "the item has no Period"})
	return f
}

func names(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		got = append(got, strings.Fields(line)[0])
	}
	return got
}

func TestShowSortsByDeadline(t *testing.T) {
	t.Parallel()
	r := runWith(t, listing(t), t0, "show")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := []string{"down", "up-soon", "paused", "up-later", "broken", "never-run"}
	if got := names(t, r.stdout); !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v\n%s", got, want, r.stdout)
	}
	for _, w := range []string{"down      1h rolling", "2024-05-01 10:10 UTC", "UNUSABLE", "has no Period", "paused"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("table lacks %q:\n%s", w, r.stdout)
		}
	}
}

func TestShowOnlyErrors(t *testing.T) {
	t.Parallel()
	r := runWith(t, listing(t), t0, "show", "--only-errors")
	if got, want := names(t, r.stdout), []string{"down", "broken"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestShowOneEvent(t *testing.T) {
	t.Parallel()
	f := listing(t)
	if r := runWith(t, f, t0, "show", "broken"); r.code != 0 || !strings.Contains(r.stdout, "UNUSABLE") {
		t.Errorf("exit %d %q", r.code, r.stdout)
	}
	if r := runWith(t, f, t0, "show", "nope"); r.code != exitFailure || !strings.Contains(r.stderr, `no event named "nope"`) {
		t.Errorf("exit %d %q", r.code, r.stderr)
	}
}

func TestShowJSONShape(t *testing.T) {
	t.Parallel()
	f := listing(t)
	code := 3
	f.Edit("up-soon", func(ev *memon.Event) { ev.LastExitCode = &code })
	f.Edit("up-soon", func(ev *memon.Event) { ev.Grace = 90 * time.Second })
	r := runWith(t, f, t0, "show", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d objects", len(got))
	}
	wantKeys := []string{"auto_created", "cron", "deadline", "depends_on", "description", "enabled", "error", "error_count",
		"failures_before_alert", "grace_seconds",
		"last_duration_seconds", "last_exit_code", "last_failure", "last_host", "last_message", "last_ping",
		"last_run_id", "last_start", "last_success", "max_alerts", "max_runtime_seconds", "min_runtime_seconds",
		"name", "next_alert_at", "paused_until", "pending_alerts",
		"period_seconds", "ping_token", "quiet", "repeat_every_seconds", "running_since", "schedule", "status", "tags", "time_zone", "type", "version", "watch_from"}
	for _, obj := range got {
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("%v keys %v, want %v", obj["name"], keys, wantKeys)
		}
	}
	soon := got[1]
	want := map[string]any{
		"name": "up-soon", "status": "up", "type": "rolling", "period_seconds": 3600.0, "cron": nil,
		"time_zone": "UTC", "grace_seconds": 90.0, "max_alerts": 3.0, "error_count": 0.0, "enabled": true,
		"last_success": "2024-05-01T09:10:00Z", "deadline": "2024-05-01T10:10:00Z",
		"next_alert_at": "2024-05-01T10:11:30Z", "last_exit_code": 3.0, "error": nil,
	}
	for k, v := range want {
		if !reflect.DeepEqual(soon[k], v) {
			t.Errorf("%s = %#v, want %#v", k, soon[k], v)
		}
	}
	broken := got[4]
	if broken["status"] != "UNUSABLE" || !strings.Contains(broken["error"].(string), "Period") {
		t.Errorf("unusable item: %v", broken)
	}
	if r := runWith(t, newFake(), t0, "show", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("empty listing prints %q, want []", r.stdout)
	}
}

// The snapshot is the live overview's template, self-contained: trouble
// first, every value escaped.
func TestHTMLOrdersErrorsFirstAndEscapes(t *testing.T) {
	t.Parallel()
	f := listing(t)
	f.Edit("up-soon", func(ev *memon.Event) { ev.Description = `<script>alert("x")</script> & co` })
	r := runWith(t, f, t0, "html")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	page := r.stdout
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co") {
		t.Errorf("description not escaped:\n%s", page)
	}
	for _, bad := range []string{"http://", "https://", "<link", "src=", "<form"} {
		if strings.Contains(page, bad) {
			t.Errorf("page is not self-contained: has %q", bad)
		}
	}
	if !strings.Contains(page, "<style>") || !strings.Contains(page, `class="events"`) {
		t.Fatalf("not the overview template:\n%s", page)
	}
	order := []string{`data-name="broken"`, `data-name="down"`, `data-name="up-soon"`, `data-name="up-later"`, `data-name="never-run"`, `data-name="paused"`}
	last := 0
	for _, name := range order {
		i := strings.Index(page, name)
		if i < last {
			t.Errorf("%s at %d, before %d", name, i, last)
		}
		last = i
	}

	r = runWith(t, listing(t), t0, "html", "--only-errors")
	if strings.Contains(r.stdout, `data-name="up-soon"`) || !strings.Contains(r.stdout, `data-name="down"`) || !strings.Contains(r.stdout, `data-name="broken"`) {
		t.Errorf("--only-errors page:\n%s", r.stdout)
	}
}

func TestToRecordWithoutEvent(t *testing.T) {
	t.Parallel()
	r := toRecord(memon.Listed{Err: errors.New("boom")})
	if r.Status != unusableStatus || r.Error == nil {
		t.Errorf("got %+v", r)
	}
}

// TestEveryFrontEndSaysTheSameStatus: for an event in each status of
// memon's one status model, show's table, html, the ui's overview and the
// report give the same word (show writes unusable in capitals, as it always
// has; the report covers readable events only).
func TestEveryFrontEndSaysTheSameStatus(t *testing.T) {
	t.Parallel()
	hourly := func(name string, deadline time.Time) *memon.Event {
		ev := memon.NewEvent(name, mustSchedule(t, memon.Rolling, time.Hour, "", ""))
		ev.State, ev.LastSuccessTime = memon.Up, deadline.Add(-time.Hour)
		ev.LastBlockTime, ev.NextBlockTime = deadline.Add(-time.Hour), deadline
		return ev
	}
	late := hourly("late", t0.Add(-5*time.Minute))
	late.Grace = 15 * time.Minute
	down := hourly("down", t0.Add(-3*time.Hour))
	down.State, down.ErrorCount = memon.Down, 2
	failed := hourly("failed", t0.Add(time.Hour))
	failed.State, failed.LastFailTime, failed.LastSuccessTime = memon.Down, t0.Add(-time.Minute), t0.Add(-2*time.Hour)
	paused := hourly("paused", t0.Add(-3*time.Hour))
	paused.Enabled = false
	tests := []struct {
		ev       *memon.Event
		unusable bool
		want     memon.Status
	}{
		{memon.NewEvent("new", mustSchedule(t, memon.Rolling, time.Hour, "", "")), false, memon.StatusNew},
		{hourly("up", t0.Add(10*time.Minute)), false, memon.StatusUp},
		{late, false, memon.StatusLate},
		{hourly("overdue", t0.Add(-5*time.Minute)), false, memon.StatusOverdue},
		{down, false, memon.StatusDown},
		{failed, false, memon.StatusFailed},
		{paused, false, memon.StatusPaused},
		{hourly("unusable", t0.Add(time.Hour)), true, memon.StatusUnusable},
	}
	covered := map[memon.Status]bool{}
	dataStatus := regexp.MustCompile(`data-status="([a-z]+)"`)
	for _, tc := range tests {
		covered[tc.want] = true
		f := newFake(tc.ev)
		if tc.unusable {
			f.MarkUnusable(tc.ev.Name, &memon.FieldError{Field: "Period", Want: "the item has no Period"})
		}
		words := map[string]string{}
		if lines := strings.Split(runWith(t, f, t0, "show").stdout, "\n"); len(lines) > 1 {
			if fields := strings.Fields(lines[1]); len(fields) > 1 {
				words["show"] = strings.ToLower(fields[1])
			}
		}
		if m := dataStatus.FindStringSubmatch(runWith(t, f, t0, "html").stdout); m != nil {
			words["html"] = m[1]
		}
		ts, _ := uiServer(t, f, true)
		_, page := get(t, ts.URL+"/")
		if m := dataStatus.FindStringSubmatch(page); m != nil {
			words["ui"] = m[1]
		}
		if !tc.unusable {
			var rep struct {
				Events []struct{ Status string } `json:"events"`
			}
			if err := json.Unmarshal([]byte(runWith(t, f, t0, "report", "--json").stdout), &rep); err == nil && len(rep.Events) == 1 {
				words["report"] = rep.Events[0].Status
			}
		}
		fronts := []string{"show", "html", "ui", "report"}
		if tc.unusable {
			fronts = fronts[:3]
		}
		for _, front := range fronts {
			if words[front] != string(tc.want) {
				t.Errorf("%s: %s says %q, want %q", tc.ev.Name, front, words[front], tc.want)
			}
		}
		if got := (memon.Listed{Event: tc.ev}).Status(t0); !tc.unusable && got != tc.want {
			t.Errorf("%s: memon.StatusOf %q, want %q", tc.ev.Name, got, tc.want)
		}
	}
	for _, s := range memon.Statuses() {
		if !covered[s] {
			t.Errorf("no case for status %q", s)
		}
	}
}
