package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/peerj/memon/internal/poller"
	"github.com/peerj/memon/internal/report"
	"github.com/peerj/memon/pkg/memon"
)

// envReportTimeZone is the zone a scheduled report's day is taken in when
// the invocation does not name one.
const envReportTimeZone = "MEMON_REPORT_TIME_ZONE"

// wiring is what one invocation may use: the poller for the minute
// schedule, the store and publisher for the report schedule.
type wiring struct {
	poller *poller.Poller
	store  report.Store
	pub    report.Publisher
	now    func() time.Time
	log    *slog.Logger
}

// reportRequest is the report schedule's constant input,
// {"report": "weekly", "time_zone": "Europe/Berlin"}; the minute
// schedule's EventBridge event has no "report" and polls.
type reportRequest struct {
	Report   string `json:"report"`
	TimeZone string `json:"time_zone"`

	cadence memon.Cadence
	loc     *time.Location
}

func parseReportRequest(cadence, zone string) (reportRequest, error) {
	r := reportRequest{Report: cadence, TimeZone: zone}
	var err error
	if r.cadence, err = memon.ParseCadence("report", cadence); err != nil {
		return r, err
	}
	if r.loc, err = memon.LoadZone(strings.TrimSpace(zone)); err != nil {
		return r, &memon.FieldError{Field: "report-time-zone", Value: zone, Want: "want an IANA zone such as Europe/Berlin, or UTC"}
	}
	return r, nil
}

// handle serves a Lambda invocation: a report when the input asks for one,
// else a poll.
func (w *wiring) handle(ctx context.Context, in json.RawMessage) error {
	var req reportRequest
	// Only a JSON object is an invocation this function knows (the minute
	// schedule's EventBridge event, or the report schedule's input); anything
	// else is answered as an error, as the typed handler did before reports.
	if err := json.Unmarshal(in, &req); err != nil {
		return fmt.Errorf("invocation input %.80s: want the schedule's EventBridge event or {\"report\": \"weekly\"}: %w", in, err)
	}
	if req.Report != "" {
		r, err := parseReportRequest(req.Report, req.TimeZone)
		if err != nil {
			return fmt.Errorf("report schedule input %s: %w", in, err)
		}
		return w.report(ctx, r)
	}
	_, err := w.poller.Poll(ctx)
	return err
}

// report publishes one scheduled report now.
func (w *wiring) report(ctx context.Context, req reportRequest) error {
	r, err := report.Publish(ctx, w.store, w.pub, req.cadence, req.loc, w.now())
	if err != nil {
		return err
	}
	w.log.Info("report", "cadence", req.cadence, "first_day", r.Period.First, "last_day", r.Period.Last,
		"events", len(r.Events), "summary", r.Summary())
	return nil
}
