package dynamo

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// itemSize is DynamoDB's size of an item: attribute names plus values
// (numbers about one byte per two digits plus one, maps and lists three
// bytes plus one per element).
func itemSize(item Item) int {
	n := 0
	for k, v := range item {
		n += len(k) + avSize(v)
	}
	return n
}

func avSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return (len(v.Value)+1)/2 + 1
	case *types.AttributeValueMemberBOOL:
		return 1
	case *types.AttributeValueMemberM:
		return 3 + len(v.Value) + itemSize(v.Value)
	case *types.AttributeValueMemberL:
		n := 3 + len(v.Value)
		for _, e := range v.Value {
			n += avSize(e)
		}
		return n
	default:
		panic(fmt.Sprintf("size of %T", v))
	}
}

// TestCountersKeepAPingOneWriteUnit: a ping's write is billed per started
// KB of the item. Today's counters must not push a typical event over
// 1 KB, or counting would cost a write unit per ping after all.
func TestCountersKeepAPingOneWriteUnit(t *testing.T) {
	t.Parallel()
	s, err := memon.NewSchedule(memon.Cron, 0, "0 * * * *", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ev := memon.NewEvent("nightly-database-backup.prod-eu-west-1", s)
	ev.Description = "hourly incremental backup of the orders database to S3"
	now := time.Date(2026, 11, 24, 17, 0, 1, 234e6, time.UTC)
	code := 0
	ev.State, ev.Grace, ev.Version = memon.Up, 5*time.Minute, 123456
	ev.LastBlockTime, ev.NextBlockTime = now, now.Add(time.Hour)
	ev.LastSuccessTime, ev.LastStartTime, ev.LastFailTime, ev.LastPingTime, ev.LastClientTime = now, now.Add(-90*time.Second), now.Add(-72*time.Hour), now, now
	ev.LastExitCode, ev.LastDuration, ev.LastRunID, ev.LastHost = &code, 89*time.Second, "run-2026-11-24T17:00", "backup-host-01.internal"
	ev.LastMessage = "backup finished: 1234 tables, 56 GB"
	ev.Today = memon.DayCounts{Day: "2026-11-24", Runs: 17, Failures: 2, Late: 1, Missed: 1, Downtime: 3723 * time.Second,
		DurationSum: 1513 * time.Second, DurationRuns: 17, DurationMax: 121500 * time.Millisecond,
		LastFailTime: now.Add(-5 * time.Hour), LastFailReason: "the job reported a failure (exit code 2)"}
	set, _ := encodeEvent(ev)
	set[schema.AttrName] = &types.AttributeValueMemberS{Value: ev.Name}
	set[schema.AttrVersion] = numAV(float64(ev.Version))
	today := avSize(set[schema.AttrToday]) + len(schema.AttrToday)
	if size := itemSize(set); size > 1024 {
		t.Errorf("a typical event item is %d bytes (%d of them today's counters): over 1 KB, a ping's write would cost 2 WRU", size, today)
	} else {
		t.Logf("typical event item: %d bytes, today's counters %d bytes", size, today)
	}
}
