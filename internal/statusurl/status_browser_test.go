package statusurl

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/internal/browsertest"
	"github.com/peerj/memon/pkg/memon"
)

// screenshotDir is where the browser tests leave their screenshots
// (build/ is ignored by git).
const screenshotDir = "../../build/screenshots"

// countedHistory is a history that keeps daily counts too, as the history
// table does (dynamo.Store.Days).
type countedHistory struct {
	fakeHistory
	days map[string][]memon.DayCounts
}

func (c countedHistory) Days(_ context.Context, name string, from, to time.Time) ([]memon.DayCounts, error) {
	var out []memon.DayCounts
	for _, d := range c.days[name] {
		if s := d.Start(); !s.Before(from.UTC().Truncate(24*time.Hour)) && !s.After(to) {
			out = append(out, d)
		}
	}
	return out, nil
}

// statusFleet is one event in each status, with a job's output, host and
// run id on two of them (which the page must not show) and 30 days of
// history and counts on backup-nightly (which its charts must show).
func statusFleet(t *testing.T) ([]memon.Listed, countedHistory, map[string]string) {
	t.Helper()
	sched := func(kind memon.ScheduleKind, period time.Duration, expr, zone string) memon.Schedule {
		s, err := memon.NewSchedule(kind, period, expr, zone)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exit0, exit3 := 0, 3
	evs := []*memon.Event{
		{Config: memon.Config{Name: "backup-nightly", Description: "nightly database dump to S3", Enabled: true, Tags: []string{"backups"},
			Schedule: sched(memon.Rolling, 24*time.Hour, "", "")},
			State: memon.Up, LastSuccessTime: now.Add(-2 * time.Hour), LastBlockTime: now.Add(-2 * time.Hour), NextBlockTime: now.Add(22 * time.Hour),
			LastDuration: 754 * time.Second, LastExitCode: &exit0, LastHost: "db1.internal", LastRunID: "run-20261124-0300",
			LastMessage: "dumping 42 tables\ndumped 1.2 GB in 12m34s\nupload ok"},
		{Config: memon.Config{Name: "db-dump", Enabled: true, Schedule: sched(memon.Rolling, time.Hour, "", "")},
			State: memon.Down, ErrorCount: 2,
			LastSuccessTime: now.Add(-3 * time.Hour), LastBlockTime: now.Add(-3 * time.Hour), NextBlockTime: now.Add(-2 * time.Hour)},
		{Config: memon.Config{Name: "etl-orders", Description: "orders warehouse load", Enabled: true, Tags: []string{"data"},
			Schedule: sched(memon.Cron, 0, "0 3 * * 1-5", "Europe/Berlin"), Grace: 5 * time.Minute},
			State: memon.Down, LastSuccessTime: now.Add(-26 * time.Hour), LastFailTime: now.Add(-30 * time.Minute),
			LastBlockTime: now.Add(-30 * time.Minute), NextBlockTime: now.Add(20 * time.Hour), LastExitCode: &exit3, LastDuration: 95 * time.Second,
			LastHost: "etl-2", LastMessage: "loading orders\nERROR duplicate key 42\nexit 3"},
		{Config: memon.Config{Name: "report-hourly", Enabled: true, Schedule: sched(memon.Rolling, time.Hour, "", ""), Grace: 15 * time.Minute},
			State: memon.Up, LastSuccessTime: now.Add(-65 * time.Minute), LastBlockTime: now.Add(-65 * time.Minute), NextBlockTime: now.Add(-5 * time.Minute)},
		{Config: memon.Config{Name: "cleanup-tmp", Enabled: true, Schedule: sched(memon.Fixed, time.Hour, "", "")},
			State: memon.Up, LastSuccessTime: now.Add(-2 * time.Hour), LastBlockTime: now.Add(-2 * time.Hour), NextBlockTime: now.Add(-time.Hour)},
		{Config: memon.Config{Name: "archive-logs", Enabled: false, Schedule: sched(memon.Rolling, 7*24*time.Hour, "", "")},
			State: memon.Up, LastSuccessTime: now.Add(-3 * 24 * time.Hour), LastBlockTime: now.Add(-3 * 24 * time.Hour), NextBlockTime: now.Add(4 * 24 * time.Hour)},
		{Config: memon.Config{Name: "fresh-job", Enabled: true, Schedule: sched(memon.Rolling, time.Hour, "", "")}},
		{Config: memon.Config{Name: "warehouse/eu-west-1/nightly-export-of-customer-orders", Enabled: true, Schedule: sched(memon.Cron, 0, "30 1 * * *", "UTC")},
			State: memon.Up, LastSuccessTime: now.Add(-4 * time.Hour), LastBlockTime: now.Add(-4 * time.Hour), NextBlockTime: now.Add(20 * time.Hour)},
	}
	var ls []memon.Listed
	for _, ev := range evs {
		ls = append(ls, memon.Listed{Event: ev})
	}
	d := 24 * time.Hour
	hist := countedHistory{fakeHistory: fakeHistory{
		"backup-nightly": {
			{Name: "backup-nightly", At: now.Add(-40 * d), From: memon.New, To: memon.Up, Reason: "first run"},
			{Name: "backup-nightly", At: now.Add(-12 * d), From: memon.Up, To: memon.Down, Alert: memon.KindDown, Reason: "no successful run by the deadline; 1 missed"},
			{Name: "backup-nightly", At: now.Add(-12*d + 5*time.Hour), From: memon.Down, To: memon.Up, Alert: memon.KindUp, Reason: "a successful run arrived"},
		},
		"etl-orders": {{Name: "etl-orders", At: now.Add(-30 * time.Minute), From: memon.Up, To: memon.Down, Alert: memon.KindFailed,
			Reason: "the job reported a failure (exit code 3): ERROR duplicate key 42"}},
	}, days: map[string][]memon.DayCounts{}}
	for i := 30; i >= 1; i-- {
		runs, fails := 1+i%3, 0
		if i == 12 || i == 19 {
			fails = 1
		}
		hist.days["backup-nightly"] = append(hist.days["backup-nightly"], memon.DayCounts{Day: memon.DayOf(now.Add(-time.Duration(i) * d)),
			Runs: runs, Failures: fails, DurationRuns: runs, DurationSum: time.Duration(runs*(600+20*(i%7))) * time.Second,
			DurationMax: time.Duration(700+25*(i%5)) * time.Second})
	}
	return ls, hist, map[string]string{
		"backup-nightly": "up", "db-dump": "down", "etl-orders": "failed", "report-hourly": "late", "cleanup-tmp": "overdue",
		"archive-logs": "paused", "fresh-job": "new", "warehouse/eu-west-1/nightly-export-of-customer-orders": "up",
	}
}

// hidden are texts of the fleet that only StatusDetails shows: job output,
// hosts, run ids, descriptions, reasons.
var hidden = []string{"dumping 42 tables", "duplicate key", "db1.internal", "etl-2", "run-20261124-0300", "nightly database dump",
	"orders warehouse load", "first run", "exit code 3"}

// TestStatusPageInBrowser: the hosted status page, served by the read
// handler as the Lambda serves it, in Chromium at 1400 and 400 px, light
// and dark: every status right, the charts drawn, no form and no job
// output, no console error (a CSP violation is one), nothing wider than the
// window; screenshots in build/screenshots/status-*.png.
func TestStatusPageInBrowser(t *testing.T) {
	b := browsertest.New(t)
	ls, hist, want := statusFleet(t)
	keys := fakeKeys{memon.HashToken(statusKey): {Kind: memon.KeyStatus, ID: "s"}}
	h := New(keys, &fakeEvents{list: ls}, hist, Config{Limits: bounds.Limits{MinLatency: time.Millisecond, KeyBurst: 1000, KeyRate: 1000}, StatusPage: true},
		func() time.Time { return now })
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	base := ts.URL + "/status/" + statusKey + "/"

	type look struct {
		Forms, Inputs, Outputs int
		Width                  float64
		Text, Background       string
	}
	seen := func(t *testing.T) look {
		t.Helper()
		var l look
		b.Run(t, chromedp.Evaluate(`({forms: document.forms.length, inputs: document.querySelectorAll("input, select, textarea, button").length,
			outputs: document.querySelectorAll("pre.output").length, width: document.documentElement.scrollWidth,
			text: document.body.innerText, background: getComputedStyle(document.body).backgroundColor})`, &l))
		return l
	}
	dark := func(rgb string) bool {
		var r, g, bl int
		fmt.Sscanf(rgb, "rgb(%d, %d, %d)", &r, &g, &bl)
		return r+g+bl < 3*96
	}
	check := func(t *testing.T, page string, width int64, scheme string, l look) {
		t.Helper()
		if l.Forms != 0 || l.Inputs != 0 || l.Outputs != 0 {
			t.Errorf("%s: %d forms, %d inputs, %d job outputs", page, l.Forms, l.Inputs, l.Outputs)
		}
		for _, h := range hidden {
			if strings.Contains(l.Text, h) {
				t.Errorf("%s shows %q", page, h)
			}
		}
		if l.Width > float64(width) {
			t.Errorf("%s is %v px wide in a %d px window", page, l.Width, width)
		}
		if dark(l.Background) != (scheme == "dark") {
			t.Errorf("%s in %s has background %s", page, scheme, l.Background)
		}
	}
	for _, width := range []int64{1400, 400} {
		for _, scheme := range []string{"light", "dark"} {
			name := fmt.Sprintf("%d-%s", width, scheme)
			b.Run(t, browsertest.View(width, scheme), chromedp.Navigate(base), chromedp.WaitVisible(`li.ev`))
			var rows []map[string]string
			b.Run(t, chromedp.Evaluate(`Array.from(document.querySelectorAll("li.ev")).map(li => ({name: li.dataset.name, status: li.dataset.status}))`, &rows))
			got := map[string]string{}
			for _, r := range rows {
				got[r["name"]] = r["status"]
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("overview %s: statuses %v, want %v", name, got, want)
			}
			var sparks int
			b.Run(t, chromedp.Evaluate(`document.querySelectorAll("li.ev svg.spark path").length`, &sparks))
			if sparks == 0 {
				t.Errorf("overview %s: no sparkline drawn", name)
			}
			check(t, "overview "+name, width, scheme, seen(t))
			b.Screenshot(t, screenshotDir, "status-overview-"+name+".png")

			// An event with its charts, by its link on the overview.
			b.Run(t, chromedp.Click(`li.ev[data-name="backup-nightly"] .nm a`), chromedp.WaitVisible(`#availability`))
			var chart struct{ Days, Runs, Durations int }
			var chip, path string
			b.Run(t, chromedp.Evaluate(`({days: document.querySelectorAll("#availability rect").length,
				runs: document.querySelectorAll("#runs rect").length, durations: document.querySelectorAll("#durations rect").length})`, &chart),
				chromedp.Text(`.title .chip`, &chip), chromedp.Evaluate(`location.pathname`, &path))
			if chart.Days != 90 || chart.Runs < 30 || chart.Durations < 30 || strings.TrimSpace(chip) != "up" || path != "/status/"+statusKey+"/event" {
				t.Errorf("event %s: %+v chip %q at %s", name, chart, chip, path)
			}
			check(t, "event "+name, width, scheme, seen(t))
			b.Screenshot(t, screenshotDir, "status-event-"+name+".png")

			// A failed event shows it failed, and nothing of what the job wrote.
			b.Run(t, chromedp.Navigate(base+"event?name=etl-orders"), chromedp.WaitVisible(`#availability`), chromedp.Text(`.title .chip`, &chip))
			if strings.TrimSpace(chip) != "failed" {
				t.Errorf("etl-orders %s: chip %q", name, chip)
			}
			check(t, "etl-orders "+name, width, scheme, seen(t))
		}
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("browser console errors: %v", errs)
	}
}
