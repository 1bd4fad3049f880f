package poller

import (
	"testing"
	"time"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/report"
	"github.com/peerj/memon/pkg/memon"
)

// BenchmarkWeeklyReport: what one scheduled report reads, at 1,000 events
// (memon-poller --report weekly, memon-config report): one scan of the
// events table and one query of daily records per event, nothing written
// but the one SNS message. Nothing happens per ping.
func BenchmarkWeeklyReport(b *testing.B) {
	const events = 1000
	e := newBenchHarness(b)
	e.seed(events)
	st := dynamo.New(countingDB{API: e.db, c: e.c}, e.res.Table, e.res.HistoryTable)
	now := time.Now()
	for b.Loop() {
		e.c.reset()
		r, err := report.Build(e.ctx, st, memon.TitleFor(memon.Weekly), memon.PeriodFor(memon.Weekly, now, time.UTC), now)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Events) != events {
			b.Fatalf("report of %d events, want %d", len(r.Events), events)
		}
		calls, _ := e.c.snapshot()
		b.ReportMetric(float64(calls["ddb.Scan"]), "scans/report")
		b.ReportMetric(float64(calls["ddb.Query"])/events, "queries/event")
		b.ReportMetric(float64(calls["ddb.UpdateItem"]+calls["ddb.PutItem"]+calls["ddb.TransactWriteItems"]), "writes/report")
	}
	b.ReportMetric(0, "ns/op")
}
