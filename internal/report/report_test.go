package report

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

func TestPublishWeekly(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC) // Monday 08:00 in Berlin
	s, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := memon.NewEvent("backup", s)
	ev.Today = memon.DayCounts{Day: "2026-11-23", Runs: 99} // today: not in last week's report
	st := fake.NewStore(ev)
	st.AddDays("backup",
		memon.DayCounts{Day: "2026-11-15", Runs: 40},                                         // before the week
		memon.DayCounts{Day: "2026-11-16", Runs: 5, Failures: 1, Downtime: 84 * time.Minute}, // in it
		memon.DayCounts{Day: "2026-11-22", Runs: 7})
	// Its history, which the up and down time are read from: up since before
	// the week, down for 84 minutes in it.
	ev.State = memon.Up
	down := time.Date(2026, 11, 16, 10, 0, 0, 0, time.UTC)
	st.AddHistory(memon.HistoryRecord{Name: "backup", At: down.AddDate(0, 0, -2), From: memon.New, To: memon.Up},
		memon.HistoryRecord{Name: "backup", At: down, From: memon.Up, To: memon.Down},
		memon.HistoryRecord{Name: "backup", At: down.Add(84 * time.Minute), From: memon.Down, To: memon.Up})
	pub := &fake.Publisher{Faults: &fake.Faults{}}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	r, err := Publish(context.Background(), st, pub, memon.Weekly, berlin, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Period.First != "2026-11-16" || r.Period.Last != "2026-11-22" || r.Events[0].Counts.Runs != 12 {
		t.Errorf("report %s..%s %+v", r.Period.First, r.Period.Last, r.Events)
	}
	sent := pub.Alerts()
	if len(sent) != 1 || sent[0].Kind != memon.KindReport ||
		sent[0].Subject != "[MEMon] Weekly report: 1 event, 1 with problems; 12 runs, 1 failed, 0 missed periods; uptime 99.17%" ||
		sent[0].Body != r.Text() {
		t.Errorf("published %+v", sent)
	}

	// A failed publish is an error, so the caller (the Lambda) fails and says so.
	pub.Faults.FailAlways(fake.OpPublish)
	if _, err := Publish(context.Background(), st, pub, memon.Monthly, time.UTC, now); err == nil || !strings.Contains(err.Error(), "monthly report") || !errors.Is(err, fake.ErrInjected) {
		t.Errorf("failed publish: %v", err)
	}
}
