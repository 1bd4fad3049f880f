package dynamo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

var srv *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }

var tables atomic.Int64

// newMotoJob is a store over fresh tables in moto holding one new hourly
// rolling event, "job".
func newMotoJob(t *testing.T) (*Store, *memon.Event) {
	t.Helper()
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, fmt.Sprintf("memon-dynamo-%d", tables.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	st := New(dynamodb.NewFromConfig(srv.Config(ctx)), res.Table, res.HistoryTable)
	ev := memon.NewEvent("job", memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	if err := st.Create(ctx, ev); err != nil {
		t.Fatal(err)
	}
	return st, ev
}

func TestCountsRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []memon.DayCounts{
		{Day: "2026-11-02"},
		{Day: "2026-11-02", Runs: 24, Failures: 2, Late: 1, Missed: 3, Overruns: 1, Downtime: 90 * time.Minute,
			Paused: time.Hour, DurationSum: 1500 * time.Millisecond, DurationRuns: 22, DurationMax: 250 * time.Millisecond,
			LastFailTime: time.UnixMilli(1700000000123).UTC(), LastFailReason: "the job reported a failure (exit code 3)"},
	}
	for _, d := range cases {
		item := encodeCounts(d)
		got, err := decodeCounts(item)
		if err != nil || got != d {
			t.Errorf("round trip of %+v: %+v, %v", d, got, err)
		}
		if d.Runs == 0 && len(item) != 1 {
			t.Errorf("an empty day stores %d attributes, want only Day", len(item))
		}
	}
}

func TestTodayOnTheItem(t *testing.T) {
	t.Parallel()
	ev := memon.NewEvent("job", memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	ev.Today = memon.DayCounts{Day: "2026-11-02", Runs: 3, Failures: 1}
	ev.DownSince = time.Unix(1700000000, 0).UTC()
	set, _ := encodeEvent(ev)
	item := withAttrs(Item{schema.AttrName: s("job"), schema.AttrPeriod: n("3600")}, set)
	got, err := decodeEvent(item)
	if err != nil {
		t.Fatal(err)
	}
	if got.Today != ev.Today || !got.DownSince.Equal(ev.DownSince) || !got.PausedSince.IsZero() {
		t.Errorf("decoded Today %+v down since %v paused since %v", got.Today, got.DownSince, got.PausedSince)
	}

	// A console edit that breaks the day names the attribute.
	item[schema.AttrToday] = &types.AttributeValueMemberM{Value: Item{schema.CountDay: s("yesterday")}}
	if _, err := decodeEvent(item); !errors.Is(err, memon.ErrInvalid) {
		t.Errorf("bad Today.Day: %v, want ErrInvalid", err)
	}
}

func TestDailyRecordsWrittenWithTheWinningWrite(t *testing.T) {
	t.Parallel()
	st, ev := newMotoJob(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ev.Apply(memon.Ping{Name: "job", Signal: memon.Success, SentAt: day, Duration: 2 * time.Second})
	ev.Apply(memon.Ping{Name: "job", Signal: memon.Fail, SentAt: day.Add(time.Hour)})
	if err := st.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	stale, err := st.Get(ctx, "job") // a concurrent writer's read
	if err != nil {
		t.Fatal(err)
	}

	// The first ping of the next day rolls day one into a record.
	ev.Apply(memon.Ping{Name: "job", Signal: memon.Success, SentAt: day.Add(24 * time.Hour)})
	if len(ev.ClosedDays) != 1 {
		t.Fatalf("closed days %+v, want one", ev.ClosedDays)
	}
	if err := st.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if ev.ClosedDays != nil {
		t.Errorf("ClosedDays not emptied after the save: %+v", ev.ClosedDays)
	}

	// A racing writer that read before the roll loses: its transaction
	// writes neither the item nor its version of the day.
	stale.Apply(memon.Ping{Name: "job", Signal: memon.Success, SentAt: day.Add(25 * time.Hour)})
	stale.ClosedDays[0].Runs = 99
	if err := st.Save(ctx, stale); !errors.Is(err, memon.ErrConflict) {
		t.Fatalf("stale save: %v, want ErrConflict", err)
	}

	days, err := st.Days(ctx, "job", day.Add(-48*time.Hour), day.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []memon.DayCounts{{Day: "2026-11-02", Runs: 2, Failures: 1, DurationSum: 2 * time.Second, DurationRuns: 1,
		DurationMax: 2 * time.Second, Downtime: 13 * time.Hour, LastFailTime: day.Add(time.Hour), LastFailReason: "the job reported a failure"}}
	if !reflect.DeepEqual(days, want) {
		t.Errorf("Days\n got %+v\nwant %+v", days, want)
	}
	stored, err := st.Get(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Today != (memon.DayCounts{Day: "2026-11-03", Runs: 1, Downtime: 10 * time.Hour}) {
		t.Errorf("stored Today %+v", stored.Today)
	}

	// Daily records never show up as transitions, and a range outside them is empty.
	hist, err := st.History(ctx, "job", time.Time{})
	if err != nil || len(hist) != 0 {
		t.Errorf("History returned %d records (%v), want none: daily records are not transitions", len(hist), err)
	}
	if days, err := st.Days(ctx, "job", day.Add(24*time.Hour), day.Add(72*time.Hour)); err != nil || len(days) != 0 {
		t.Errorf("Days after the record: %+v, %v", days, err)
	}
}

func TestManySilentDaysDownFitInOneSave(t *testing.T) {
	t.Parallel()
	st, ev := newMotoJob(t)
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ev.Apply(memon.Ping{Name: "job", Signal: memon.Fail, SentAt: start})
	ev.Apply(memon.Ping{Name: "job", Signal: memon.Success, SentAt: start.AddDate(0, 0, 150)})
	n := len(ev.ClosedDays)
	if n != 150 {
		t.Fatalf("%d closed days, want 150", n)
	}
	if err := st.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	days, err := st.Days(ctx, "job", start, start.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != n || days[0].Day != "2026-01-01" || days[n-1].Downtime != 24*time.Hour {
		t.Errorf("%d records, first %+v, last %+v", len(days), days[0], days[len(days)-1])
	}
}
