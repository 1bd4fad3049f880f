package memon

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC) // Monday 08:00 in Berlin
	cases := []struct {
		name        string
		p           Period
		first, last string
		length      time.Duration
	}{
		{"since 7d covers the days from 7 days ago through today, up to now", PeriodSince(7*24*time.Hour, now),
			"2026-11-16", "2026-11-23", 7*24*time.Hour + 7*time.Hour},
		{"from..to is whole days, inclusive", PeriodBetween(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), now),
			"2026-11-01", "2026-11-02", 48 * time.Hour},
		{"weekly: the seven days before the report day", PeriodFor(Weekly, now, berlin), "2026-11-16", "2026-11-22", 7 * 24 * time.Hour},
		{"monthly: the previous calendar month", PeriodFor(Monthly, now, berlin), "2026-10-01", "2026-10-31", 31 * 24 * time.Hour},
		{"monthly in January: December", PeriodFor(Monthly, time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC), berlin), "2026-12-01", "2026-12-31", 31 * 24 * time.Hour},
		{"the report day is the zone's: Monday 00:30 in Berlin is Sunday in UTC", PeriodFor(Weekly, time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC), berlin),
			"2026-11-16", "2026-11-22", 6*24*time.Hour + 23*time.Hour + 30*time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.p.First != tc.first || tc.p.Last != tc.last || tc.p.Length() != tc.length {
				t.Errorf("got %s..%s length %v, want %s..%s length %v", tc.p.First, tc.p.Last, tc.p.Length(), tc.first, tc.last, tc.length)
			}
		})
	}
}

// reportEvent is an event with a history of daily records and live counters.
func reportEvent(t *testing.T, name string, steps []step) *Event {
	t.Helper()
	ev := NewEvent(name, mustSchedule(t, Rolling, time.Hour, "", ""))
	play(t, ev, steps)
	return ev
}

func TestReport(t *testing.T) {
	t.Parallel()
	now := hoursIn(24*2 + 12) // 2026-11-04 12:00
	p := PeriodSince(2*24*time.Hour, now)

	// flaky: failed on day 0 for 2h; the record of day 0 is in history,
	// day 1 and today are live.
	flaky := reportEvent(t, "flaky", []step{{at: 1, what: "success", dur: 10 * time.Second},
		{at: 20, what: "fail", dur: 30 * time.Second}, {at: 22, what: "success", dur: 20 * time.Second}, {at: 23.5, what: "success"}})
	records := flaky.ClosedDays
	flaky.ClosedDays = nil
	fresh := reportEvent(t, "fresh", []step{{at: 24*2 + 1, what: "success", dur: time.Minute}, {at: 24*2 + 1.5, what: "success"}})
	// paused half the period, down the other half: downtime counts only while watched.
	sleepy := reportEvent(t, "sleepy", []step{{at: 1, what: "success"}, {at: 2, what: "pause"}, {at: 24 + 12, what: "resume"}, {at: 24 + 13, what: "fail"}})
	quiet := reportEvent(t, "zz-paused", []step{{at: 0, what: "pause"}})
	sleepyRecords := sleepy.ClosedDays
	sleepy.ClosedDays = nil

	sleepyHistory := append(historyOf(sleepy),
		HistoryRecord{Name: "sleepy", At: hoursIn(2), From: Up, To: Paused},
		HistoryRecord{Name: "sleepy", At: hoursIn(24 + 12), From: Paused, To: Up})
	r := NewReport("Report", p, []EventReport{
		SummarizeEvent(fresh, nil, historyOf(fresh), p, now),
		SummarizeEvent(quiet, nil, nil, p, now),
		SummarizeEvent(flaky, records, historyOf(flaky), p, now),
		SummarizeEvent(sleepy, sleepyRecords, sleepyHistory, p, now),
	}, []string{"broken"})

	var order []string
	for _, e := range r.Events {
		order = append(order, e.Name)
	}
	if got := strings.Join(order, " "); got != "sleepy flaky fresh zz-paused" {
		t.Errorf("order %q, want worst first: sleepy flaky fresh zz-paused", got)
	}
	byName := map[string]EventReport{}
	for _, e := range r.Events {
		byName[e.Name] = e
	}
	fl := byName["flaky"]
	if fl.Counts.Runs != 4 || fl.Counts.Failures != 1 || fl.Counts.Downtime != 2*time.Hour ||
		fl.Counts.DurationMax != 30*time.Second || fl.Counts.AvgDuration() != 20*time.Second ||
		!fl.Counts.LastFailTime.Equal(hoursIn(20)) {
		t.Errorf("flaky counts %+v", fl.Counts)
	}
	// Watched from its first run (hour 1), not from the period's start.
	if want := 1 - 2.0/59; fl.Uptime() != want {
		t.Errorf("flaky uptime %v, want %v", fl.Uptime(), want)
	}
	sl := byName["sleepy"]
	// Paused 2:00 on day 0 to 12:00 on day 1 = 34h, down from 13:00 day 1 to now = 23h;
	// watched: up 1:00-2:00 and 12:00-13:00, down 23h.
	if sl.Counts.Paused != 34*time.Hour || sl.Counts.Downtime != 23*time.Hour || sl.Watched != 25*time.Hour {
		t.Errorf("sleepy paused %v down %v watched %v", sl.Counts.Paused, sl.Counts.Downtime, sl.Watched)
	}
	if byName["zz-paused"].Watched != 0 || byName["zz-paused"].Uptime() != 1 {
		t.Errorf("an event paused all period: %+v", byName["zz-paused"])
	}

	text := r.Text()
	for _, want := range []string{
		"MEMon report, 2026-11-02 00:00 to 2026-11-04 12:00 UTC",
		"4 events, 2 with problems; 8 runs, 2 failed, 0 missed periods; uptime",
		"LAST FAILURE",
		"2026-11-02 20:00 UTC  the job reported a failure (exit code 3)",
		"not watched",
		"Not counted (the item cannot be read; see memon-config show): broken",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	lines := strings.Split(text, "\n")
	if !strings.HasPrefix(lines[1], "4 events") {
		t.Errorf("the summary is not the second line:\n%s", text)
	}

	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Summary string `json:"summary"`
		Events  []struct {
			Name        string  `json:"name"`
			Uptime      float64 `json:"uptime_percent"`
			Downtime    float64 `json:"downtime_seconds"`
			LastFailure string  `json:"last_failure"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Events) != 4 || j.Events[1].Name != "flaky" || j.Events[1].Downtime != 7200 || j.Events[1].Uptime != 96.61 ||
		j.Events[1].LastFailure != "2026-11-02T20:00:00Z" || j.Summary != r.Summary() {
		t.Errorf("json: %s", b)
	}

	a := NewReport(TitleFor(Weekly), p, r.Events, nil).Alert()
	if a.Kind != KindReport || !strings.HasPrefix(a.Subject, "[MEMon] Weekly report: 4 events") || len(a.Subject) > 100 ||
		!strings.Contains(a.Body, "MEMon weekly report") {
		t.Errorf("alert %q %q\n%s", a.Kind, a.Subject, a.Body)
	}
	if s := NewReport(TitleFor(Monthly), p, nil, nil).Alert().Subject; !strings.HasPrefix(s, "[MEMon] Monthly report: 0 events") {
		t.Errorf("monthly subject %q", s)
	}
}

func TestParseCadence(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Cadence{"weekly": Weekly, "Monthly": Monthly} {
		if got, err := ParseCadence("report", in); got != want || err != nil {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseCadence("report", "daily"); err == nil || !strings.Contains(err.Error(), "weekly or monthly") {
		t.Errorf("daily: %v", err)
	}
}

// historyOf is the history an event's decided transitions leave.
func historyOf(ev *Event) []HistoryRecord {
	var out []HistoryRecord
	for _, tr := range ev.Outbox {
		out = append(out, tr.Record())
	}
	return out
}
