package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func TestReportCommand(t *testing.T) {
	t.Parallel()
	// t0 is 2024-05-01 10:00 UTC.
	good := event(t, "good", time.Hour, t0.Add(-time.Hour))
	good.Today = memon.DayCounts{Day: "2024-05-01", Runs: 10, DurationRuns: 10, DurationSum: 100 * time.Second, DurationMax: 20 * time.Second}
	bad := event(t, "bad", time.Hour, t0.Add(-time.Hour))
	bad.Today = memon.DayCounts{Day: "2024-05-01", Runs: 3}
	f := newFake(good, bad)
	f.AddDays("bad",
		memon.DayCounts{Day: "2024-04-20", Runs: 50, Failures: 50, Downtime: 24 * time.Hour}, // outside 7d
		memon.DayCounts{Day: "2024-04-29", Runs: 5, Failures: 2, Missed: 3, Downtime: 6 * time.Hour,
			LastFailTime: time.Date(2024, 4, 29, 3, 0, 0, 0, time.UTC), LastFailReason: "the job reported a failure (exit code 2)"})
	// The up and down time come from the history: bad was down until 21 April and 6h on 29 April.
	f.AddHistory(memon.HistoryRecord{Name: "bad", At: time.Date(2024, 4, 21, 0, 0, 0, 0, time.UTC), From: memon.Down, To: memon.Up},
		memon.HistoryRecord{Name: "bad", At: time.Date(2024, 4, 29, 0, 0, 0, 0, time.UTC), From: memon.Up, To: memon.Down},
		memon.HistoryRecord{Name: "bad", At: time.Date(2024, 4, 29, 6, 0, 0, 0, time.UTC), From: memon.Down, To: memon.Up})

	r := runWith(t, f, t0, "report")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "MEMon report, 2024-04-24 00:00 to 2024-05-01 10:00 UTC") ||
		lines[1] != "2 events, 1 with problems; 18 runs, 2 failed, 3 missed periods; uptime 98.31%" {
		t.Errorf("header:\n%s", r.stdout)
	}
	badAt, goodAt := strings.Index(r.stdout, "\nbad "), strings.Index(r.stdout, "\ngood ")
	if badAt < 0 || goodAt < 0 || badAt > goodAt {
		t.Errorf("want bad before good:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "2024-04-29 03:00 UTC  the job reported a failure (exit code 2)") {
		t.Errorf("last failure missing:\n%s", r.stdout)
	}
	if w := f.Writes(); len(w) != 0 {
		t.Errorf("report wrote %v", w)
	}

	// --from/--to picks whole days; --json for scripts.
	r = runWith(t, f, t0, "report", "--from", "2024-04-20", "--to", "2024-04-20", "--json")
	var j struct {
		FirstDay, LastDay string
		Events            []struct {
			Name     string  `json:"name"`
			Failures int     `json:"failures"`
			Uptime   float64 `json:"uptime_percent"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	if len(j.Events) != 2 || j.Events[0].Name != "bad" || j.Events[0].Failures != 50 || j.Events[0].Uptime != 0 {
		t.Errorf("--from/--to json: %s", r.stdout)
	}
}

func TestReportFlagErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"report", "--since", "soon"}, "--since"},
		{[]string{"report", "--since", "0"}, "--since"},
		{[]string{"report", "--since", "7d", "--from", "2024-04-01"}, "not both"},
		{[]string{"report", "--to", "2024-04-01"}, "--to needs --from"},
		{[]string{"report", "--from", "April"}, "YYYY-MM-DD"},
		{[]string{"report", "--from", "2024-04-02", "--to", "2024-04-01"}, "on or after --from"},
		{[]string{"report", "--from", "2030-01-01"}, "no later than today"},
		{[]string{"report", "backup"}, "takes no EVENT"},
	}
	for _, tc := range cases {
		f := newFake()
		r := runWith(t, f, t0, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.opened != 0 {
			t.Errorf("%v: exit %d opened %d stderr %q, want 2 naming %q", tc.args, r.code, r.opened, r.stderr, tc.want)
		}
	}
}

func TestReportTagKeepsTheTaggedEvents(t *testing.T) {
	t.Parallel()
	data := event(t, "load", time.Hour, t0.Add(-time.Hour))
	data.Tags = []string{"data", "nightly"}
	other := event(t, "mail", time.Hour, t0.Add(-time.Hour))
	f := newFake(data, other)
	r := runWith(t, f, t0, "report", "--tag", "data")
	if r.code != exitOK || !strings.Contains(r.stdout, "\nload ") || strings.Contains(r.stdout, "\nmail ") ||
		!strings.HasPrefix(r.stdout, "MEMon report for tag data") {
		t.Errorf("report --tag data: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, f, t0, "report", "--tag", "Data"); r.code == exitOK || !strings.Contains(r.stderr, `--tag "Data"`) || !strings.Contains(r.stderr, `give "data"`) {
		t.Errorf("report --tag Data: exit %d, %s", r.code, r.stderr)
	}
}
