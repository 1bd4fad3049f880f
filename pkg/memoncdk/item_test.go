package memoncdk

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/configtest"
	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// av turns the custom resource's {"S": ...}/{"N": ...} values into the SDK's.
func av(t *testing.T, v any) types.AttributeValue {
	t.Helper()
	m := v.(map[string]any)
	if s, ok := m["S"]; ok {
		return &types.AttributeValueMemberS{Value: s.(string)}
	}
	if n, ok := m["N"]; ok {
		return &types.AttributeValueMemberN{Value: n.(string)}
	}
	if l, ok := m["L"]; ok {
		var items []types.AttributeValue
		for _, e := range l.([]any) {
			items = append(items, av(t, e))
		}
		return &types.AttributeValueMemberL{Value: items}
	}
	t.Fatalf("value %v", v)
	return nil
}

// keyOf turns the custom resource's Key parameter into the SDK's.
func keyOf(t *testing.T, p map[string]any) map[string]types.AttributeValue {
	t.Helper()
	key := map[string]types.AttributeValue{}
	for k, v := range p["Key"].(map[string]any) {
		key[k] = av(t, v)
	}
	return key
}

// remove makes the DeleteItem call the custom resource makes on delete.
func remove(t *testing.T, db *dynamodb.Client, p map[string]any) {
	t.Helper()
	if _, err := db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{
		TableName: aws.String(p["TableName"].(string)), Key: keyOf(t, p),
	}); err != nil {
		t.Fatal(err)
	}
}

// run makes the UpdateItem call the custom resource makes, against moto.
func run(t *testing.T, db *dynamodb.Client, p map[string]any) {
	t.Helper()
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(p["TableName"].(string)),
		Key:                       keyOf(t, p),
		UpdateExpression:          aws.String(p["UpdateExpression"].(string)),
		ExpressionAttributeNames:  map[string]string{},
		ExpressionAttributeValues: map[string]types.AttributeValue{},
	}
	for k, v := range p["ExpressionAttributeNames"].(map[string]any) {
		in.ExpressionAttributeNames[k] = v.(string)
	}
	for k, v := range p["ExpressionAttributeValues"].(map[string]any) {
		in.ExpressionAttributeValues[k] = av(t, v)
	}
	if _, err := db.UpdateItem(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestCheckItemIsWhatMEMonReads: the item the construct writes is an event
// MEMon's own store reads as intended; an update changes its configuration
// and keeps its state (last run, deadline), and bumps the version so a
// poller's write of an older copy fails its condition.
func TestCheckItemIsWhatMEMonReads(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, fmt.Sprintf("memoncdk-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(srv.Config(ctx))
	store := dynamo.New(db, res.Table, res.HistoryTable)
	// The custom resource's own calls, under its principal.
	cr := dynamodb.NewFromConfig(srv.ConfigAs(ctx, mototest.Check))

	two := 2 * time.Hour
	props := CheckProps{Name: "batch:nightly-etl", Cron: "0 2 * * *", TimeZone: "Europe/Berlin", Grace: &two, Description: "warehouse load", TableName: res.Table}
	run(t, cr, props.updateItem(res.Table, time.Now()))
	ev, err := store.Get(ctx, "batch:nightly-etl")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Schedule.Kind != memon.Cron || ev.Schedule.Expr != "0 2 * * *" || ev.Schedule.TimeZone != "Europe/Berlin" || ev.Grace != two ||
		ev.Description != "warehouse load" || !ev.Enabled || ev.State != memon.New || ev.Version != 1 {
		t.Fatalf("created event %+v", ev)
	}

	// The poller records a run.
	run1 := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	ev.Apply(memon.Ping{Name: ev.Name, Signal: memon.Success, SentAt: run1})
	if err := store.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	stale, _ := store.Get(ctx, ev.Name) // a poller's copy, read before the redeploy

	// The stack is redeployed with another schedule.
	props.Cron, props.Period, props.Grace, props.Paused = "", 12*time.Hour, nil, true
	run(t, cr, props.updateItem(res.Table, time.Now()))
	got, err := store.Get(ctx, ev.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.Schedule.Kind != memon.Rolling || got.Schedule.Period != 12*time.Hour || got.Schedule.Expr != "" || got.Grace != 0 || got.Enabled {
		t.Errorf("updated schedule %+v grace %s enabled %v", got.Schedule, got.Grace, got.Enabled)
	}
	if !got.LastSuccessTime.Equal(run1) || got.State != memon.Up || got.NextBlockTime.IsZero() {
		t.Errorf("the update lost the event's state: last success %s state %s next %s", got.LastSuccessTime, got.State, got.NextBlockTime)
	}
	if err := store.Save(ctx, stale); err == nil {
		t.Error("a poller's write of a copy read before the update succeeded: it would undo the new configuration")
	}

	// The construct is removed: its event goes with it.
	remove(t, cr, props.deleteItem(res.Table))
	if _, err := store.Get(ctx, ev.Name); !errors.Is(err, memon.ErrNotFound) {
		t.Errorf("after the construct's delete: get %s: %v, want not found", ev.Name, err)
	}
}

// TestCheckWatchedFromNow: a check declared with WatchFrom "now" is an item
// the poll arms from its creation, for each kind of schedule; without it the
// item waits for its first run.
func TestCheckWatchedFromNow(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, fmt.Sprintf("memoncdk-watch-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(srv.Config(ctx))
	store := dynamo.New(db, res.Table, res.HistoryTable)
	cr := dynamodb.NewFromConfig(srv.ConfigAs(ctx, mototest.Check))
	seen := time.Date(2026, 12, 1, 20, 1, 0, 0, time.UTC) // the poll that sees the new item
	for _, tc := range []struct {
		props CheckProps
		want  time.Time
	}{
		{CheckProps{Name: "rolling", Period: time.Hour, WatchFrom: "now"}, seen.Add(time.Hour)},
		{CheckProps{Name: "fixed", Period: 6 * time.Hour, Fixed: true, WatchFrom: "now"}, seen.Add(6 * time.Hour)},
		{CheckProps{Name: "cron", Cron: "0 3 * * *", WatchFrom: "now"}, time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)},
		{CheckProps{Name: "first-run", Period: time.Hour}, time.Time{}},
	} {
		run(t, cr, tc.props.updateItem(res.Table, time.Now()))
		ev, err := store.Get(ctx, tc.props.Name)
		if err != nil {
			t.Fatal(err)
		}
		if ev.WatchNew(seen) != !tc.want.IsZero() || !ev.Deadline().Equal(tc.want) {
			t.Errorf("%s: watch-from %q, first deadline %s; want %s", tc.props.Name, ev.WatchFrom, ev.Deadline(), tc.want)
		}
	}
	bad := CheckProps{Name: "typo", Period: time.Hour, WatchFrom: "creation"}
	if err := bad.validate(); err == nil {
		t.Error("WatchFrom creation accepted")
	}
}

// propsOf is a configuration as the construct's props.
func propsOf(c memon.Config, table string) CheckProps {
	p := CheckProps{Name: c.Name, Period: c.Schedule.Period, Fixed: c.Schedule.Kind == memon.Fixed, Cron: c.Schedule.Expr,
		TimeZone: c.Schedule.TimeZone, Grace: &c.Grace, MaxAlerts: c.MaxAlerts, Description: c.Description, Paused: !c.Enabled,
		FailuresBeforeAlert: c.FailuresBeforeAlert, MaxRuntime: c.MaxRuntime, MinRuntime: c.MinRuntime, RepeatEvery: c.RepeatEvery,
		DependsOn: c.DependsOn, Tags: c.Tags, WatchFrom: string(c.WatchFrom), Initial: c.Initial, TableName: table}
	for _, w := range c.Quiet {
		p.Quiet = append(p.Quiet, w.String())
	}
	return p
}

// TestCheckCarriesEverySetting: the construct writes every setting of
// memon.Config (from the type: configtest.Sample, field by field), and
// MEMon's store reads the same configuration back; set, show --json, the
// web form and export/apply are proved the same way in cmd/memon-config.
func TestCheckCarriesEverySetting(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, fmt.Sprintf("memoncdk-all-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(srv.Config(ctx))
	store := dynamo.New(db, res.Table, res.HistoryTable)
	now := time.Now()
	want := configtest.Sample(t, "job", now)
	props := propsOf(want, res.Table)
	if err := props.validate(); err != nil {
		t.Fatal(err)
	}
	run(t, db, props.updateItem(res.Table, now))
	ev, err := store.Get(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	configtest.Check(t, "the CDK construct", ev.Configured(), want)
}
