package memon

import (
	"strings"
	"testing"
	"time"
)

// act is one thing that happens to an event in a noise-control scenario,
// at a minute offset from the scenario's start.
type act struct {
	min  float64
	what string // success, fail, start, check, pause-until
	dur  time.Duration
	run  string        // run id
	arg  time.Duration // pause-until: how long
}

// alerted is what an act published: "kind: reason" per alert, or "-"
// for a transition recorded without one.
func runActs(t *testing.T, ev *Event, start time.Time, acts []act) []string {
	t.Helper()
	var out []string
	for _, a := range acts {
		at := start.Add(time.Duration(a.min * float64(time.Minute)))
		var trs []Transition
		switch a.what {
		case "success", "fail", "start":
			sig := map[string]Signal{"success": Success, "fail": Fail, "start": Start}[a.what]
			p := Ping{Name: ev.Name, Signal: sig, SentAt: at, Duration: a.dur, RunID: a.run, Host: "db1"}
			if sig == Fail {
				code := 2
				p.ExitCode = &code
			}
			var ok bool
			if trs, ok = ev.Apply(p); !ok {
				t.Fatalf("%v at %v refused", a.what, at)
			}
		case "check":
			trs, _ = ev.CheckDue(at)
		case "pause-until":
			ev.PauseUntil(at, at.Add(a.arg))
		default:
			t.Fatalf("unknown act %q", a.what)
		}
		for _, tr := range trs {
			ev.Delivered(tr.ID) // as the poller does once it has published
			if tr.Alert == nil {
				out = append(out, "- "+tr.Reason)
			} else {
				out = append(out, string(tr.Alert.Kind)+": "+tr.Reason)
			}
		}
	}
	return out
}

// wantPublished checks what runActs published against the start of each
// expected "kind: reason".
func wantPublished(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("published\n %q\nwant\n %q", got, want)
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("transition %d: %q, want %q...", i, got[i], want[i])
		}
	}
}

func TestNoiseControls(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) // a Monday
	cases := []struct {
		name     string
		controls Config
		period   time.Duration
		acts     []act
		want     []string // prefixes of what each transition published
		state    State
	}{
		{
			name:     "failures before alert: the third failure in a row alerts; the state is down from the first",
			controls: Config{FailuresBeforeAlert: 3}, period: time.Hour,
			acts:  []act{{min: 0, what: "success"}, {min: 1, what: "fail"}, {min: 2, what: "fail"}, {min: 3, what: "fail"}, {min: 4, what: "success"}},
			want:  []string{"-", "-", "-", "failed: the job reported a failure (exit code 2)", "up:"},
			state: Up,
		},
		{
			name:     "failures before alert: a success resets the count, and no UP for a failure nobody heard of",
			controls: Config{FailuresBeforeAlert: 2}, period: time.Hour,
			acts: []act{{min: 0, what: "success"}, {min: 1, what: "fail"}, {min: 2, what: "success"}, {min: 3, what: "fail"}},
			want: []string{"-", "-", "-", "-"}, state: Down,
		},
		{
			name:     "min runtime: a too-short success is a failure that says why; a long enough or unknown one is a success",
			controls: Config{MinRuntime: time.Minute}, period: time.Hour,
			acts: []act{{min: 0, what: "success", dur: 2 * time.Minute}, {min: 1, what: "success", dur: 3 * time.Second},
				{min: 2, what: "success"}, {min: 3, what: "success", dur: time.Minute}},
			want: []string{"-", "failed: the run took 3s, shorter than the minimum run time 1m: counted as a failure", "up:"}, state: Up,
		},
		{
			name:     "max runtime: one OVERRUN naming start, host and run id; the late outcome is handled normally",
			controls: Config{MaxRuntime: 10 * time.Minute}, period: time.Hour,
			acts: []act{{min: 0, what: "success"}, {min: 5, what: "start", run: "r1"}, {min: 14, what: "check"}, {min: 16, what: "check"},
				{min: 17, what: "check"}, {min: 20, what: "success", run: "r1"}, {min: 40, what: "check"}},
			want:  []string{"-", "overrun: started at 2026-11-02 12:05:00 UTC and has not finished after the maximum run time 10m; host db1; run id r1"},
			state: Up,
		},
		{
			name:     "max runtime: an outcome of another run does not close the open one",
			controls: Config{MaxRuntime: 10 * time.Minute}, period: time.Hour,
			acts: []act{{min: 0, what: "start", run: "a"}, {min: 1, what: "success", run: "b"}, {min: 11, what: "check"}},
			want: []string{"-", "overrun:"}, state: Up,
		},
		{
			name:     "max runtime: a failed outcome in time closes the run: FAILED, no overrun",
			controls: Config{MaxRuntime: 10 * time.Minute}, period: time.Hour,
			acts: []act{{min: 0, what: "success"}, {min: 1, what: "start"}, {min: 5, what: "fail"}, {min: 30, what: "check"}},
			want: []string{"-", "failed:"}, state: Down,
		},
		{
			name:   "pause until: the poller resumes it, re-armed, without a DOWN for the paused time",
			period: 10 * time.Minute,
			acts: []act{{min: 0, what: "success"}, {min: 1, what: "pause-until", arg: time.Hour}, {min: 30, what: "check"},
				{min: 61, what: "check"}, {min: 65, what: "check"}, {min: 72, what: "check"}},
			want: []string{"-", "-", "down:"}, state: Down,
		},
		{
			name:   "pause until: a failure while paused is recorded, and its recovery after the pause is not announced",
			period: time.Hour,
			acts: []act{{min: 0, what: "success"}, {min: 1, what: "pause-until", arg: 10 * time.Minute}, {min: 2, what: "fail"},
				{min: 11, what: "check"}, {min: 12, what: "success"}},
			want: []string{"-", "-", "-", "-"}, state: Up,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", mustSchedule(t, Rolling, tc.period, "", ""))
			ev.FailuresBeforeAlert, ev.MinRuntime, ev.MaxRuntime = tc.controls.FailuresBeforeAlert, tc.controls.MinRuntime, tc.controls.MaxRuntime
			got := runActs(t, ev, start, tc.acts)
			wantPublished(t, got, tc.want)
			if ev.Status() != tc.state {
				t.Errorf("state %s, want %s", ev.Status(), tc.state)
			}
		})
	}
}

func TestMaxRuntimeIsWatched(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	ev := NewEvent("job", mustSchedule(t, Rolling, 24*time.Hour, "", ""))
	ev.MaxRuntime = 10 * time.Minute
	runActs(t, ev, start, []act{{min: 0, what: "success"}, {min: 60, what: "start"}})
	if want := start.Add(70 * time.Minute); !ev.AlertAt().Equal(want) {
		t.Errorf("AlertAt %v, want the overrun time %v", ev.AlertAt(), want)
	}
	runActs(t, ev, start, []act{{min: 71, what: "check"}})
	if want := ev.Deadline(); !ev.AlertAt().Equal(want) || ev.Today.Overruns != 1 {
		t.Errorf("after the overrun: AlertAt %v (want the deadline %v), overruns %d", ev.AlertAt(), want, ev.Today.Overruns)
	}
	ev.PauseUntil(start.Add(80*time.Minute), start.Add(3*time.Hour))
	if want := start.Add(3 * time.Hour); !ev.AlertAt().Equal(want) {
		t.Errorf("paused until %v: AlertAt %v", want, ev.AlertAt())
	}
}

func TestParseQuiet(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"Mon-Fri 22:00-23:30":  "Mon,Tue,Wed,Thu,Fri 22:00-23:30",
		"sat,SUN 00:00-24:00":  "Sat,Sun 00:00-24:00",
		"daily 01:00-02:00":    "daily 01:00-02:00",
		"Fri-Mon 22:00-06:00":  "Mon,Fri,Sat,Sun 22:00-06:00",
		"Wednesday 9:00-10:15": "Wed 09:00-10:15",
	}
	for in, want := range good {
		w, err := ParseQuiet("quiet", in)
		if err != nil || w.String() != want {
			t.Errorf("%q: %q, %v; want %q", in, w.String(), err, want)
		}
		if again, err := ParseQuiet("quiet", w.String()); err != nil || again != w {
			t.Errorf("%q does not round-trip: %v %v", w.String(), again, err)
		}
	}
	for _, bad := range []string{"", "Mon-Fri", "Mon-Fri 22:00", "Someday 01:00-02:00", "Mon 25:00-26:00", "Mon 10:00-10:00",
		"Mon 24:00-01:00", "Mon 1:5-2:00", "Mon-Fri 22:00-23:30 extra"} {
		if _, err := ParseQuiet("quiet", bad); err == nil || !strings.Contains(err.Error(), "Mon-Fri 22:00-23:30") {
			t.Errorf("%q: %v, want an error showing the form", bad, err)
		}
	}
}

func TestQuietWindowUntil(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	win := func(s string) QuietWindow {
		w, err := ParseQuiet("quiet", s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	cases := []struct {
		name   string
		window string
		at     time.Time
		end    time.Time // zero: not in the window
	}{
		{"inside a weekday window", "Mon-Fri 22:00-23:30", local(2026, 11, 6, 22, 15), local(2026, 11, 6, 23, 30)},
		{"the end is outside", "Mon-Fri 22:00-23:30", local(2026, 11, 6, 23, 30), time.Time{}},
		{"not on a weekend", "Mon-Fri 22:00-23:30", local(2026, 11, 7, 22, 15), time.Time{}},
		{"past midnight, started Friday", "Mon-Fri 22:00-06:00", local(2026, 11, 7, 5, 0), local(2026, 11, 7, 6, 0)},
		{"past midnight: Sunday's early hours belong to no window", "Mon-Fri 22:00-06:00", local(2026, 11, 8, 5, 0), time.Time{}},
		{"past midnight: Monday's early hours belong to Sunday's, not listed", "Mon-Fri 22:00-06:00", local(2026, 11, 9, 5, 0), time.Time{}},
		{"whole day to 24:00", "Sat,Sun 00:00-24:00", local(2026, 11, 8, 23, 59), local(2026, 11, 9, 0, 0)},
		// Spring forward in Berlin: 2026-03-29 02:00 CET becomes 03:00 CEST.
		{"spring forward: 01:00-04:00 lasts 2 hours of real time", "Sun 01:00-04:00", local(2026, 3, 29, 1, 30), local(2026, 3, 29, 4, 0)},
		{"spring forward: 03:30 CEST is inside", "Sun 01:00-04:00", local(2026, 3, 29, 3, 30), local(2026, 3, 29, 4, 0)},
		// Fall back: 2026-10-25 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
		{"fall back: the first 02:30 is inside", "Sun 01:00-04:00", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), local(2026, 10, 25, 4, 0)},
		{"fall back: the second 02:30 is inside", "Sun 01:00-04:00", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), local(2026, 10, 25, 4, 0)},
		{"fall back: after the window", "Sun 01:00-04:00", time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC), time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := win(tc.window).until(tc.at, berlin); !got.Equal(tc.end) {
				t.Errorf("until(%v) = %v, want %v", tc.at, got, tc.end)
			}
		})
	}
	// The real length of the window on those nights.
	spring := win("Sun 01:00-04:00").until(local(2026, 3, 29, 1, 0), berlin).Sub(local(2026, 3, 29, 1, 0))
	fall := win("Sun 01:00-04:00").until(local(2026, 10, 25, 1, 0), berlin).Sub(local(2026, 10, 25, 1, 0))
	if spring != 2*time.Hour || fall != 4*time.Hour {
		t.Errorf("window length: spring %v (want 2h), fall %v (want 4h)", spring, fall)
	}
}

func TestQuietWindowHoldsAndReleases(t *testing.T) {
	t.Parallel()
	// Windows in the event's zone: New York, 22:00-23:30 on weekdays.
	ny := mustZone(t, "America/New_York")
	start := time.Date(2026, 11, 2, 21, 0, 0, 0, ny) // Monday 21:00
	cases := []struct {
		name string
		acts []act
		want []string
	}{
		{
			name: "a DOWN in the window is held and sent at its end if still down; then UP",
			acts: []act{{min: 0, what: "success"}, {min: 125, what: "check"}, {min: 140, what: "check"}, {min: 151, what: "check"}, {min: 155, what: "success"}},
			want: []string{"-", "-", "down: still down at the end of the quiet window", "up:"},
		},
		{
			name: "a DOWN in the window that recovers in it: nothing is sent at all",
			acts: []act{{min: 0, what: "success"}, {min: 125, what: "check"}, {min: 140, what: "success"}, {min: 151, what: "check"}},
			want: []string{"-", "-", "-"},
		},
		{
			name: "a FAILED in the window still failing at its end is sent then",
			acts: []act{{min: 0, what: "success"}, {min: 70, what: "fail"}, {min: 151, what: "check"}, {min: 160, what: "success"}},
			want: []string{"-", "-", "failed: still failing at the end of the quiet window: the job reported a failure (exit code 2)", "up:"},
		},
		{
			name: "a LATE in the window is only recorded",
			acts: []act{{min: 0, what: "success"}, {min: 121.5, what: "success"}, {min: 151, what: "check"}},
			want: []string{"-", "-"},
		},
		{
			name: "outside the window alerts go out at once",
			acts: []act{{min: 0, what: "success"}, {min: 30, what: "fail"}},
			want: []string{"-", "failed:"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", mustSchedule(t, Rolling, 2*time.Hour, "", "America/New_York"))
			w, _ := ParseQuiet("quiet", "Mon-Fri 22:00-23:30")
			ev.Quiet = []QuietWindow{w}
			got := runActs(t, ev, start, tc.acts)
			wantPublished(t, got, tc.want)
		})
	}
}

func TestQuietHoldIsWatched(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Rolling, 3*time.Hour, "", ""))
	w, _ := ParseQuiet("quiet", "daily 22:00-23:30")
	ev.Quiet = []QuietWindow{w}
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	runActs(t, ev, day.Add(20*time.Hour), []act{{min: 0, what: "success"}, {min: 185, what: "check"}})
	if want := day.Add(23*time.Hour + 30*time.Minute); !ev.AlertAt().Equal(want) || !ev.Unannounced {
		t.Errorf("AlertAt %v, want the window's end %v (unannounced %v)", ev.AlertAt(), want, ev.Unannounced)
	}
}

// A DOWN held by a quiet window and sent at its end is the outage's first
// DOWN: reminders count from it, not from an earlier outage's last one.
func TestRepeatEveryCountsFromADownSentAtAQuietWindowsEnd(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 1, 22, 0, 0, 0, time.UTC)
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	ev.RepeatEvery, ev.MaxAlerts = 30*time.Minute, 5
	w, _ := ParseQuiet("quiet", "daily 01:00-03:00")
	ev.Quiet = []QuietWindow{w}
	got := runActs(t, ev, start, []act{
		{min: 0, what: "success"},
		{min: 61, what: "check"}, {min: 91, what: "check"}, // an outage: DOWN, a reminder
		{min: 170, what: "success"}, // UP; due again at 01:50, inside the window
		{min: 231, what: "check"}, {min: 300, what: "check"},
		{min: 301, what: "check"}, // a minute after the window's DOWN: no reminder yet
		{min: 331, what: "check"}, // half an hour after it: the reminder
	})
	want := []string{"- first run", "down: no successful run", "down: still down: reminder 2", "up:",
		"- no successful run", "down: still down at the end of the quiet window", "- no successful run", "down: still down: reminder 2"}
	wantPublished(t, got, want)
}

// Reminders count from the poll that really decided the outage's last
// DOWN (LastDownAlert), not from when it was due: after a crashed poll
// (whose lease keeps the next two out) a DOWN is decided minutes late, and
// the chain moves with it; a run before the moved reminder is due ends the
// outage without it.
func TestRepeatEveryCountsFromThePollThatDecided(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		acts []act
		want []string
	}{
		{"the DOWN decided 3 minutes late: no reminder an interval after it was due",
			[]act{{min: 63, what: "check"}, {min: 90, what: "check"}, {min: 92, what: "check"}, {min: 93, what: "check"}},
			[]string{"down: no successful run by 2026-11-02 13:00:00", "down: still down: reminder 2 of at most 5"}},
		{"a run before the moved reminder: UP, no reminder",
			[]act{{min: 63, what: "check"}, {min: 90, what: "check"}, {min: 91.5, what: "success"}, {min: 93, what: "check"}},
			[]string{"down: no successful run by 2026-11-02 13:00:00", "up: a successful run arrived after the event was down"}},
		{"a reminder decided late moves the next one",
			[]act{{min: 60, what: "check"}, {min: 93, what: "check"}, {min: 120, what: "check"}, {min: 122, what: "check"}, {min: 123, what: "check"}},
			[]string{"down: no successful run by 2026-11-02 13:00:00", "down: still down: reminder 2 of at most 5",
				"- no successful run by 2026-11-02 14:00:00", "down: still down: reminder 3 of at most 5"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
			ev.RepeatEvery, ev.MaxAlerts = 30*time.Minute, 5
			got := runActs(t, ev, start, append([]act{{min: 0, what: "success"}}, tc.acts...))[1:] // after the first run
			wantPublished(t, got, tc.want)
		})
	}
}
