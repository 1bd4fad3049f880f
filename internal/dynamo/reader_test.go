package dynamo

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// readsAPI records the reads a store sends and answers each with nothing.
type readsAPI struct {
	API
	reads []read
}

// read is one request's table, projection (resolved to attribute paths)
// and Select.
type read struct {
	op, table string
	paths     []string
	sel       types.Select
}

func resolve(expr *string, names map[string]string) []string {
	if expr == nil {
		return nil
	}
	var out []string
	for _, p := range strings.Split(*expr, ",") {
		parts := strings.Split(strings.TrimSpace(p), ".")
		for i, n := range parts {
			if v, ok := names[n]; ok {
				parts[i] = v
			}
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

func (f *readsAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.reads = append(f.reads, read{"GetItem", *in.TableName, resolve(in.ProjectionExpression, in.ExpressionAttributeNames), ""})
	return &dynamodb.GetItemOutput{Item: Item{schema.AttrName: &types.AttributeValueMemberS{Value: "job"},
		schema.AttrPeriod: &types.AttributeValueMemberN{Value: "3600"}}}, nil
}

func (f *readsAPI) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.reads = append(f.reads, read{"Scan", *in.TableName, resolve(in.ProjectionExpression, in.ExpressionAttributeNames), in.Select})
	return &dynamodb.ScanOutput{}, nil
}

func (f *readsAPI) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.reads = append(f.reads, read{"Query", *in.TableName, resolve(in.ProjectionExpression, in.ExpressionAttributeNames), in.Select})
	return &dynamodb.QueryOutput{}, nil
}

// jobPrivate are the attributes that carry a job's output and what it
// reveals of the host running it, its alert settings and failure reasons:
// by default the public reads never ask for one.
var jobPrivate = []string{schema.AttrLastMessage, schema.AttrLastHost, schema.AttrLastRunID, schema.AttrLastExitCode,
	schema.AttrOutbox, schema.AttrMaxRuntime, schema.AttrQuiet, schema.AttrDependsOn, schema.AttrTokenHash, schema.HistReason}

// TestReaderAsksOnlyForItsAttributes: every read of a Reader names its
// attributes (Today by its keys, never the day's failure reason) and
// selects specific attributes; by default none of them is a job's output,
// host, run id, alert setting or a transition's reason. A Store still
// reads whole items (the poller's reads are not the public function's).
func TestReaderAsksOnlyForItsAttributes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	readAll := func(ev interface {
		List(context.Context) ([]memon.Listed, error)
		Get(context.Context, string) (*memon.Event, error)
		History(context.Context, string, time.Time) ([]memon.HistoryRecord, error)
		Days(context.Context, string, time.Time, time.Time) ([]memon.DayCounts, error)
	}) {
		t.Helper()
		now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
		if _, err := ev.List(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := ev.Get(ctx, "job"); err != nil {
			t.Fatal(err)
		}
		if _, err := ev.History(ctx, "job", now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := ev.Days(ctx, "job", now.AddDate(0, 0, -30), now); err != nil {
			t.Fatal(err)
		}
	}
	for _, details := range []bool{false, true} {
		want := schema.StatusReads(details)
		api := &readsAPI{}
		readAll(NewReader(api, "memon", "memon-history", want))
		if len(api.reads) != 4 {
			t.Fatalf("details %v: %d reads, want 4", details, len(api.reads))
		}
		for _, r := range api.reads {
			attrs := want.History
			if r.table == "memon" {
				attrs = want.Events
			}
			if r.op != "GetItem" && r.sel != types.SelectSpecificAttributes {
				t.Errorf("details %v: %s of %s selects %q", details, r.op, r.table, r.sel)
			}
			if len(r.paths) == 0 {
				t.Errorf("details %v: %s of %s asks for the whole item", details, r.op, r.table)
			}
			for _, p := range r.paths {
				top, key, nested := strings.Cut(p, ".")
				switch {
				case !slices.Contains(attrs, top):
					t.Errorf("details %v: %s of %s asks for %s, not in %v", details, r.op, r.table, p, attrs)
				case nested && (top != schema.AttrToday || !slices.Contains(want.Today, key)):
					t.Errorf("details %v: %s of %s asks for %s", details, r.op, r.table, p)
				case top == schema.AttrToday && !nested:
					t.Errorf("details %v: %s of %s asks for Today whole (its failure reason too)", details, r.op, r.table)
				case key == schema.CountLastFailReason || top == schema.CountLastFailReason:
					t.Errorf("details %v: %s of %s asks for a failure reason (%s)", details, r.op, r.table, p)
				case !details && slices.Contains(jobPrivate, top):
					t.Errorf("%s of %s asks for %s by default", r.op, r.table, p)
				}
			}
		}
	}
	api := &readsAPI{}
	readAll(New(api, "memon", "memon-history"))
	for _, r := range api.reads {
		if r.paths != nil || r.sel != "" {
			t.Errorf("a Store's %s of %s asks for %v (select %q), want the whole item", r.op, r.table, r.paths, r.sel)
		}
	}
}

// TestReaderReadsThePublicPartOfAnItem: against moto, an event whose item
// holds a job's output, host, run id, alert settings, a pending alert and
// failure reasons reads back through the default Reader with none of
// them, and with everything a page or the API shows equal to the whole
// read; with details, the output and the reasons come back too, the day's
// failure reason never.
func TestReaderReadsThePublicPartOfAnItem(t *testing.T) {
	st, _ := newMotoJob(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	full, err := st.Get(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	exit := 3
	full.Description, full.Tags, full.Grace = "nightly load", []string{"data"}, 5*time.Minute
	full.MaxRuntime, full.RepeatEvery, full.DependsOn = time.Hour, 2*time.Hour, []string{"db"}
	full.State, full.ErrorCount = memon.Down, 0
	full.LastSuccessTime, full.LastFailTime, full.LastStartTime = now.Add(-2*time.Hour), now.Add(-time.Minute), now.Add(-3*time.Minute)
	full.LastPingTime, full.LastDuration = now.Add(-time.Minute), 2*time.Minute
	full.LastBlockTime, full.NextBlockTime = now.Add(-time.Minute), now.Add(time.Hour)
	full.LastMessage, full.LastHost, full.LastRunID, full.LastExitCode = "SECRET output line", "secret-host", "secret-run", &exit
	full.DownSince = now.Add(-time.Minute)
	full.Today = memon.DayCounts{Day: memon.DayOf(now), Runs: 2, Failures: 1, DurationRuns: 2, DurationSum: 3 * time.Minute,
		DurationMax: 2 * time.Minute, LastFailTime: now.Add(-time.Minute), LastFailReason: "SECRET reason of today"}
	full.ClosedDays = []memon.DayCounts{{Day: memon.DayOf(now.AddDate(0, 0, -1)), Runs: 1, Failures: 1,
		LastFailTime: now.AddDate(0, 0, -1), LastFailReason: "SECRET reason of yesterday"}}
	full.Outbox = []memon.Transition{{ID: "t1", Event: "job", At: now.Add(-time.Minute), From: memon.Up, To: memon.Down,
		Reason: "SECRET reason pending", Alert: &memon.Alert{Kind: memon.KindFailed, Event: "job"}}}
	yesterday := full.ClosedDays[0].Day
	if err := st.Save(ctx, full); err != nil {
		t.Fatal(err)
	}
	tr := memon.Transition{Event: "job", At: now.Add(-time.Minute), From: memon.Up, To: memon.Down, Reason: "SECRET reason recorded",
		Alert: &memon.Alert{Kind: memon.KindFailed, Event: "job"}}
	if err := st.AppendHistory(ctx, tr); err != nil {
		t.Fatal(err)
	}
	whole, err := st.Get(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	since, from := now.Add(-time.Hour), now.AddDate(0, 0, -3)
	for _, details := range []bool{false, true} {
		rd := NewReader(st.db, st.table, st.history, schema.StatusReads(details))
		ls, err := rd.List(ctx)
		if err != nil || len(ls) != 1 || ls[0].Err != nil {
			t.Fatalf("details %v: list %v %v", details, ls, err)
		}
		got := ls[0].Event
		want := *whole
		want.Today.LastFailReason = ""
		if !details {
			want.LastMessage, want.LastHost, want.LastRunID, want.LastExitCode = "", "", "", nil
			want.MaxRuntime, want.RepeatEvery, want.DependsOn, want.Outbox, want.Version = 0, 0, nil, nil, 0
		}
		want.HasToken, want.AutoCreated = got.HasToken, got.AutoCreated
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("details %v: read\n%+v\nwant\n%+v", details, *got, want)
		}
		recs, err := rd.History(ctx, "job", since)
		if err != nil || len(recs) != 1 {
			t.Fatalf("details %v: history %v %v", details, recs, err)
		}
		if got, want := recs[0].Reason != "", details; got != want {
			t.Errorf("details %v: the transition's reason read: %q", details, recs[0].Reason)
		}
		if recs[0].From != memon.Up || recs[0].To != memon.Down || recs[0].Alert != memon.KindFailed || !recs[0].At.Equal(tr.At) {
			t.Errorf("details %v: transition %+v", details, recs[0])
		}
		days, err := rd.Days(ctx, "job", from, now)
		if err != nil || len(days) != 1 {
			t.Fatalf("details %v: days %v %v", details, days, err)
		}
		if d := days[0]; d.LastFailReason != "" || d.Runs != 1 || d.Failures != 1 || d.Day != yesterday {
			t.Errorf("details %v: daily record %+v", details, d)
		}
	}
}
