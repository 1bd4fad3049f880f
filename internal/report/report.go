// Package report gathers a MEMon report from the store: every event's daily
// records and live counters, summed over a period. memon-config report and
// the poller's scheduled reports share it. It knows nothing of SNS.
package report

import (
	"context"
	"fmt"
	"time"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// Store is what a report reads: every event (a scan, once per report) and
// each event's daily records (one query per event).
type Store interface {
	List(ctx context.Context) ([]memon.Listed, error)
	Days(ctx context.Context, name string, from, to time.Time) ([]memon.DayCounts, error)
	History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error)
}

var _ Store = (*dynamo.Store)(nil)

// Build reads the store and returns the report for period p as of now.
func Build(ctx context.Context, st Store, title string, p memon.Period, now time.Time) (memon.Report, error) {
	return BuildTagged(ctx, st, title, "", p, now)
}

// BuildTagged is Build over the events tagged tag only ("": every event).
func BuildTagged(ctx context.Context, st Store, title, tag string, p memon.Period, now time.Time) (memon.Report, error) {
	listed, err := st.List(ctx)
	if err != nil {
		return memon.Report{}, fmt.Errorf("report: %w", err)
	}
	last := memon.DayCounts{Day: p.Last}.Start()
	var events []memon.EventReport
	var unusable []string
	for _, l := range listed {
		if tag != "" && (l.Event == nil || !l.Event.HasTag(tag)) {
			continue
		}
		if l.Err != nil || l.Event == nil {
			if l.Event != nil {
				unusable = append(unusable, l.Event.Name)
			}
			continue
		}
		days, err := st.Days(ctx, l.Event.Name, p.Start(), last)
		if err != nil {
			return memon.Report{}, fmt.Errorf("report: %w", err)
		}
		hist, err := st.History(ctx, l.Event.Name, p.Start())
		if err != nil {
			return memon.Report{}, fmt.Errorf("report: %w", err)
		}
		events = append(events, memon.SummarizeEvent(l.Event, days, hist, p, now))
	}
	return memon.NewReport(title, p, events, unusable), nil
}

// Publisher sends the report to the alert topic.
type Publisher interface {
	Publish(ctx context.Context, a memon.Alert) error
}

// Publish builds the scheduled report of cadence c as of now (the report
// day is now's day in loc) and publishes it: kind report, subject
// "[MEMon] Weekly report: SUMMARY". It returns what it published.
func Publish(ctx context.Context, st Store, pub Publisher, c memon.Cadence, loc *time.Location, now time.Time) (memon.Report, error) {
	r, err := Build(ctx, st, memon.TitleFor(c), memon.PeriodFor(c, now, loc), now)
	if err != nil {
		return r, err
	}
	if err := pub.Publish(ctx, r.Alert()); err != nil {
		return r, fmt.Errorf("publish the %s report: %w", c, err)
	}
	return r, nil
}
