package awsenv

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/statusurl"
	"github.com/peerj/memon/pkg/memon"
)

var srv *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }

// secrets are what the events' items and history hold that only a
// details page may show: a job's output, its host and run id, the
// reasons of its transitions and pending alerts.
var secrets = []string{"SECRET-OUTPUT", "secret-host", "secret-run", "SECRET-REASON", "SECRET-PENDING"}

// fleet writes, through a whole-item store, events with every kind of
// attribute a page or the API shows and those it must not: output, host,
// run id, alert settings, a pending alert, reasons, daily records.
func fleet(t *testing.T, ctx context.Context, st *dynamo.Store, now time.Time) []string {
	t.Helper()
	sched := func(kind memon.ScheduleKind, period time.Duration, expr, zone string) memon.Schedule {
		s, err := memon.NewSchedule(kind, period, expr, zone)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exit3 := 3
	day := func(back, runs, fails int) memon.DayCounts {
		return memon.DayCounts{Day: memon.DayOf(now.AddDate(0, 0, -back)), Runs: runs, Failures: fails, DurationRuns: runs,
			DurationSum: time.Duration(runs) * time.Minute, DurationMax: time.Minute, LastFailTime: now.AddDate(0, 0, -back),
			LastFailReason: "SECRET-REASON of the day"}
	}
	var closed []memon.DayCounts
	for i := 30; i >= 1; i-- {
		closed = append(closed, day(i, 3, i%4/3))
	}
	evs := []*memon.Event{
		{Config: memon.Config{Name: "etl-orders", Description: "orders warehouse load", Enabled: true, Tags: []string{"data"},
			Schedule: sched(memon.Cron, 0, "0 3 * * 1-5", "Europe/Berlin"), Grace: 5 * time.Minute,
			MaxRuntime: time.Hour, RepeatEvery: 2 * time.Hour, MaxAlerts: 5, DependsOn: []string{"db-dump"}},
			State: memon.Down, LastSuccessTime: now.Add(-26 * time.Hour), LastFailTime: now.Add(-30 * time.Minute),
			LastStartTime: now.Add(-32 * time.Minute), LastPingTime: now.Add(-30 * time.Minute), DownSince: now.Add(-30 * time.Minute),
			LastBlockTime: now.Add(-30 * time.Minute), NextBlockTime: now.Add(20 * time.Hour), LastExitCode: &exit3, LastDuration: 95 * time.Second,
			LastHost: "secret-host", LastRunID: "secret-run", LastMessage: "loading orders\nSECRET-OUTPUT duplicate key 42\nexit 3",
			Today: day(0, 2, 1), ClosedDays: closed,
			Outbox: []memon.Transition{{ID: "t1", Event: "etl-orders", At: now.Add(-30 * time.Minute), From: memon.Up, To: memon.Down,
				Reason: "SECRET-PENDING failed", NextTry: now.Add(time.Minute), Alert: &memon.Alert{Kind: memon.KindFailed, Event: "etl-orders"}}}},
		{Config: memon.Config{Name: "db-dump", Enabled: true, Schedule: sched(memon.Rolling, time.Hour, "", "")},
			State: memon.Down, ErrorCount: 2, DownSince: now.Add(-2 * time.Hour),
			LastSuccessTime: now.Add(-3 * time.Hour), LastBlockTime: now.Add(-3 * time.Hour), NextBlockTime: now.Add(-2 * time.Hour)},
		{Config: memon.Config{Name: "report-hourly", Enabled: true, Schedule: sched(memon.Rolling, time.Hour, "", ""), Grace: 15 * time.Minute},
			State: memon.Up, LastSuccessTime: now.Add(-65 * time.Minute), LastBlockTime: now.Add(-65 * time.Minute), NextBlockTime: now.Add(-5 * time.Minute),
			LastStartTime: now.Add(-2 * time.Minute), LastPingTime: now.Add(-2 * time.Minute),
			LastMessage: "SECRET-OUTPUT of a success", LastHost: "secret-host"},
		{Config: memon.Config{Name: "archive-logs", Enabled: false, Schedule: sched(memon.Rolling, 7*24*time.Hour, "", ""), Tags: []string{"data"}},
			State: memon.Up, LastSuccessTime: now.Add(-3 * 24 * time.Hour), LastBlockTime: now.Add(-3 * 24 * time.Hour),
			NextBlockTime: now.Add(4 * 24 * time.Hour), PausedSince: now.Add(-time.Hour), PausedUntil: now.Add(24 * time.Hour)},
		{Config: memon.Config{Name: "fresh-job", Enabled: true, Schedule: sched(memon.Rolling, time.Hour, "", "")}, State: memon.New},
	}
	var names []string
	for _, ev := range evs {
		if err := st.Create(ctx, ev); err != nil {
			t.Fatal(err)
		}
		names = append(names, ev.Name)
	}
	for i, tr := range []memon.Transition{
		{Event: "etl-orders", At: now.Add(-3 * 24 * time.Hour), From: memon.New, To: memon.Up, Reason: "first run"},
		{Event: "etl-orders", At: now.Add(-30 * time.Minute), From: memon.Up, To: memon.Down, Reason: "SECRET-REASON exit 3",
			Alert: &memon.Alert{Kind: memon.KindFailed, Event: "etl-orders"}},
		{Event: "db-dump", At: now.Add(-2 * time.Hour), From: memon.Up, To: memon.Down, Reason: "SECRET-REASON missed",
			Alert: &memon.Alert{Kind: memon.KindDown, Event: "db-dump"}},
	} {
		tr.ID = fmt.Sprint(i)
		if err := st.AppendHistory(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// TestProjectedReadsServeThePagesAsWholeItemsDo: the read endpoint as
// FromEnv wires it (its reads projected onto schema.StatusReads, acting as
// the read function's role, so make test's policy step judges each read
// against that role) answers the overview, each event's page, the badges
// and the read-only API exactly as the same handler over whole items
// does, for a status page with and without details; without details no
// answer holds a job's output, host, run id or a reason, which the items
// hold.
func TestProjectedReadsServeThePagesAsWholeItemsDo(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	for _, tc := range []struct {
		page string
		as   mototest.Principal
	}{{"true", mototest.Status}, {"details", mototest.StatusDetails}} {
		prefix := "memon-awsenv-" + tc.page
		res, err := srv.CreateMEMon(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		tokens := prefix + settings.TokenTableSuffix
		if err := srv.CreateTokenTable(ctx, tokens); err != nil {
			t.Fatal(err)
		}
		db := dynamodb.NewFromConfig(srv.Config(ctx))
		store := dynamo.New(db, res.Table, res.HistoryTable)
		names := fleet(t, ctx, store, now)
		keys := dynamo.NewKeys(db, tokens)
		statusKey, _, err := keys.Issue(ctx, memon.KeyStatus, "")
		if err != nil {
			t.Fatal(err)
		}
		badgeKey, _, err := keys.Issue(ctx, memon.KeyBadge, "")
		if err != nil {
			t.Fatal(err)
		}
		apiKey, _, err := keys.Issue(ctx, memon.KeyAPI, "test")
		if err != nil {
			t.Fatal(err)
		}

		env := map[string]string{settings.EnvTokenTable: tokens, settings.EnvTable: res.Table, settings.EnvHistoryTable: res.HistoryTable,
			settings.EnvStatusPage: tc.page}
		cfg := statusurl.Config{Limits: bounds.Limits{MinLatency: time.Nanosecond, KeyRate: 1000, KeyBurst: 1000}}
		projected, err := fromEnv(func(k string) string { return env[k] }, dynamodb.NewFromConfig(srv.ConfigAs(ctx, tc.as)), cfg, clock)
		if err != nil {
			t.Fatal(err)
		}
		wholeCfg := cfg
		wholeCfg.StatusPage, wholeCfg.StatusDetails = true, tc.page == "details"
		whole := statusurl.New(keys, store, store, wholeCfg, clock)

		paths := []string{"/status/" + statusKey + "/", "/status/" + statusKey + "/?status=down", "/status/" + statusKey + "/?tag=data",
			"/badge/" + badgeKey + "/*.svg", "/badge/" + badgeKey + "/*.json", "/badge/" + badgeKey + "/data.shields",
			"/api/v3/checks/", "/api/v1/checks/"}
		for _, n := range names {
			paths = append(paths, "/status/"+statusKey+"/event?name="+url.QueryEscape(n), "/badge/"+badgeKey+"/event/"+url.PathEscape(n)+".json",
				"/api/v3/checks/"+statusurl.UniqueKey(n), "/api/v3/checks/"+statusurl.UniqueKey(n)+"/flips/")
		}
		get := func(h http.Handler, path string) *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set("X-Api-Key", apiKey)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w
		}
		// The overview draws its small charts once the background fill
		// that its first request starts has read each event's history.
		overview := "/status/" + statusKey + "/"
		for _, h := range []http.Handler{projected, whole} {
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if strings.Count(get(h, overview).Body.String(), `<svg class="spark"`) == len(names) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("statusPage=%s: the overview's charts were not drawn in 10 s", tc.page)
				}
			}
		}
		for _, p := range paths {
			got, want := get(projected, p), get(whole, p)
			if got.Code != http.StatusOK {
				t.Errorf("statusPage=%s: %s: %d %s", tc.page, p, got.Code, got.Body)
			}
			if got.Code != want.Code || got.Body.String() != want.Body.String() {
				t.Errorf("statusPage=%s: %s: the projected reads answer %d\n%s\nwhole items %d\n%s", tc.page, p, got.Code, got.Body, want.Code, want.Body)
			}
			for _, s := range secrets {
				if tc.page == "true" && strings.Contains(got.Body.String(), s) {
					t.Errorf("statusPage=true: %s shows %q", p, s)
				}
			}
		}
		event := get(projected, "/status/"+statusKey+"/event?name=etl-orders").Body.String()
		if tc.page == "details" {
			for _, s := range []string{"SECRET-OUTPUT", "secret-host", "secret-run", "SECRET-REASON", `id="next-check"`} {
				if !strings.Contains(event, s) {
					t.Errorf("statusPage=details: etl-orders' page lacks %q", s)
				}
			}
		}
	}
}
