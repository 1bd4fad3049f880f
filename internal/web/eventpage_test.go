package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func TestEventPageNextDeadlineAndThinHistory(t *testing.T) {
	t.Parallel()
	overdue := hourly(t, "overdue", t0.Add(-25*time.Minute))
	overdue.LastDuration = 1010999999 * time.Nanosecond
	fresh := memon.NewEvent("fresh", schedule(t, memon.Rolling, time.Hour, "", ""))
	ts, _, _ := serve(t, true, overdue, fresh)
	for name, want := range map[string][]string{
		"overdue": {`id="next-deadline"><span class="tag bad">overdue by 25m</span>`, "<dd>1.01s</dd>"},
		"fresh":   {`id="next-deadline">new: not watched until its first run`, "No run yet.", "Not enough history yet: 0 day(s) watched so far."},
	} {
		resp, body := do(t, http.MethodGet, ts.URL+"/event?name="+name, "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", name, resp.StatusCode)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %q", name, w)
			}
		}
	}
	// The next check is the poller's, decided by alert settings and pending
	// alerts: a page that can edit shows it, a read-only one does not.
	editable, _, _ := serve(t, false, overdue)
	for u, want := range map[string]bool{editable.URL: true, ts.URL: false} {
		if _, body := do(t, http.MethodGet, u+"/event?name=overdue", "", nil, nil); strings.Contains(body, `id="next-check"`) != want {
			t.Errorf("read-only %v: next check shown %v", !want, !want)
		}
	}
}

// TestADownEventShowsTheDeadlineItMissed: once polls have counted missed
// periods, the pending deadline is the next one a poll will count (here
// exactly now), which the job can no longer meet; the overview and the
// event's page say when it missed its deadline instead.
func TestADownEventShowsTheDeadlineItMissed(t *testing.T) {
	t.Parallel()
	down := hourly(t, "down", t0.Add(-2*time.Hour))
	down.State, down.ErrorCount = memon.Down, 2
	ts, _, _ := serve(t, true, down)
	missed := `<span class="tag bad">missed</span> <span class="rel">2h ago</span>`
	_, overview := do(t, http.MethodGet, ts.URL+"/", "", nil, nil)
	_, page := do(t, http.MethodGet, ts.URL+"/event?name=down", "", nil, nil)
	for what, body := range map[string]string{"overview": overview, "event page": page} {
		if !strings.Contains(body, missed) {
			t.Errorf("%s: no %q", what, missed)
		}
		if strings.Contains(body, `<span class="rel">now</span>`) {
			t.Errorf("%s: a deadline of now for an event down for two hours", what)
		}
	}
}

func TestChartsWaitForEnoughHistory(t *testing.T) {
	t.Parallel()
	day := func(i, runs int, max time.Duration) memon.DayCounts {
		return memon.DayCounts{Day: t0.AddDate(0, 0, i-29).Format(memon.DayLayout), Runs: runs, DurationRuns: runs, DurationSum: time.Duration(runs) * max, DurationMax: max}
	}
	ds := make([]memon.DayCounts, 30)
	for i := range ds {
		ds[i] = day(i, 0, 0)
	}
	ds[29] = day(29, 3, 350*time.Millisecond)
	if c := runsChart(ds); !c.Few || !c.Empty {
		t.Errorf("one day of runs: %+v, want not enough history", c)
	}
	ds[28] = day(28, 2, 200*time.Millisecond)
	c := durationsChart(ds)
	if c.Few || c.Empty || c.Max != "350ms" {
		t.Errorf("two days: few %v empty %v max %q, want a chart with a max of 350ms", c.Few, c.Empty, c.Max)
	}
}

// TestEventPageWritesEveryTimeOneWay: a time in a cell reads the same in UTC
// and in the event's zone (24-hour, the zone's name last), never "07:55 PM"
// next to "20:55"; the page's script writes the viewer's zone that way too.
func TestEventPageWritesEveryTimeOneWay(t *testing.T) {
	t.Parallel()
	ev := memon.NewEvent("berlin", schedule(t, memon.Cron, 0, "55 20 * * *", "Europe/Berlin"))
	ev.State, ev.LastSuccessTime = memon.Up, t0.Add(-time.Hour)
	ts, _, _ := serve(t, true, ev)
	_, body := do(t, http.MethodGet, ts.URL+"/event?name=berlin", "", nil, nil)
	last := ev.LastSuccessTime
	for _, want := range []string{
		">" + memon.FormatTime(last) + "</time>",
		`<span class="zone">` + memon.FormatTimeIn(last, ev.Schedule.Location()) + "</span>",
		last.In(ev.Schedule.Location()).Format("15:04:05") + " Europe/Berlin",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{" AM ", " PM ", " AM<", " PM<"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page writes a 12-hour time (%q)", bad)
		}
	}
	_, js := do(t, http.MethodGet, ts.URL+"/assets/app.js", "", nil, nil)
	if !strings.Contains(js, `hourCycle: "h23"`) {
		t.Error("app.js writes the viewer's zone without a 24-hour clock")
	}
}
