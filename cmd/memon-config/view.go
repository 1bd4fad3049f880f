package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// The view shared by show, show --json and html: what a listed event looks
// like to a person, against an injected clock.

// unusableStatus is the status shown for an item that could not be read.
const unusableStatus = "UNUSABLE"

// statusWord is the status shown in the table, one word: the stored state
// refined by the clock. An event past deadline + grace that no poll has
// judged yet is "overdue" (not "up"); a down event whose last run failed
// (rather than missed) is "failed".
func statusWord(l memon.Listed, now time.Time) string {
	ev := l.Event
	switch {
	case l.Err != nil || ev == nil:
		return unusableStatus
	case !ev.Enabled:
		return string(memon.Paused)
	case ev.State == memon.Down && ev.ErrorCount == 0 && ev.LastFailTime.After(ev.LastSuccessTime):
		return "failed"
	case ev.State == memon.Down:
		return string(memon.Down)
	}
	if d := ev.Deadline(); !d.IsZero() && now.After(d.Add(ev.Grace)) {
		return "overdue"
	}
	return string(ev.Status())
}

// inError is what --only-errors keeps and html puts first: events that
// are down, and items that cannot be read.
func inError(l memon.Listed) bool {
	return l.Err != nil || l.Event == nil || l.Event.Status() == memon.Down
}

// deadline is the event's pending deadline; zero when it has none or the
// item is unusable.
func deadline(l memon.Listed) time.Time {
	if l.Err != nil || l.Event == nil {
		return time.Time{}
	}
	return l.Event.Deadline()
}

// sortListed orders by next deadline, events without one last, then by name.
func sortListed(ls []memon.Listed) {
	sort.SliceStable(ls, func(i, j int) bool {
		di, dj := deadline(ls[i]), deadline(ls[j])
		if di.IsZero() != dj.IsZero() {
			return dj.IsZero()
		}
		if !di.Equal(dj) {
			return di.Before(dj)
		}
		return ls[i].Name() < ls[j].Name()
	})
}

// filterErrors keeps the events in error.
func filterErrors(ls []memon.Listed) []memon.Listed {
	var out []memon.Listed
	for _, l := range ls {
		if inError(l) {
			out = append(out, l)
		}
	}
	return out
}

// scheduleText is the schedule and its grace, as shown.
func scheduleText(ev *memon.Event) string {
	s := ev.Schedule.String()
	if ev.Grace > 0 {
		s += ", grace " + memon.FormatDuration(ev.Grace)
	}
	return s
}

// stamp is a time as shown in tables: UTC to the minute.
func stamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// when is a time as both a timestamp and relative to now; "-" for none.
func when(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return stamp(t) + " (" + relative(t, now) + ")"
}

// relative says how far t is from now in its largest whole unit:
// "in 3h", "12m ago", "now".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if d < 0 {
		d = -d
	}
	var n int64
	var unit string
	switch {
	case d < time.Second:
		return "now"
	case d < time.Minute:
		n, unit = int64(d/time.Second), "s"
	case d < time.Hour:
		n, unit = int64(d/time.Minute), "m"
	case d < 48*time.Hour:
		n, unit = int64(d/time.Hour), "h"
	default:
		n, unit = int64(d/(24*time.Hour)), "d"
	}
	if future {
		return fmt.Sprintf("in %d%s", n, unit)
	}
	return fmt.Sprintf("%d%s ago", n, unit)
}

// record is one event in `show --json`. Every key is always present (null
// when unknown) so scripts can rely on the shape; times are RFC 3339 UTC.
type record struct {
	Name                string   `json:"name"`
	Description         string   `json:"description"`
	Enabled             bool     `json:"enabled"`
	Status              string   `json:"status"`
	Type                string   `json:"type"`
	Schedule            string   `json:"schedule"`
	PeriodSeconds       *int64   `json:"period_seconds"`
	Cron                *string  `json:"cron"`
	TimeZone            string   `json:"time_zone"`
	GraceSeconds        int64    `json:"grace_seconds"`
	MaxAlerts           int      `json:"max_alerts"`
	ErrorCount          int      `json:"error_count"`
	LastSuccess         *string  `json:"last_success"`
	LastFailure         *string  `json:"last_failure"`
	LastStart           *string  `json:"last_start"`
	LastPing            *string  `json:"last_ping"`
	Deadline            *string  `json:"deadline"`
	NextAlertAt         *string  `json:"next_alert_at"`
	LastExitCode        *int     `json:"last_exit_code"`
	LastMessage         *string  `json:"last_message"`
	LastHost            *string  `json:"last_host"`
	LastRunID           *string  `json:"last_run_id"`
	LastDurationSeconds *float64 `json:"last_duration_seconds"`
	PendingAlerts       int      `json:"pending_alerts"`
	AutoCreated         bool     `json:"auto_created"`
	WatchFrom           string   `json:"watch_from"` // first-run or now
	PingToken           bool     `json:"ping_token"` // whether one exists; the token itself is never stored
	Version             int64    `json:"version"`
	Error               *string  `json:"error"`
	controlsJSON                 // the noise controls (controls.go)
}

func toRecord(l memon.Listed) record {
	ev := l.Event
	if ev == nil {
		ev = &memon.Event{}
	}
	r := record{
		Name: ev.Name, Description: ev.Description, Enabled: ev.Enabled,
		Status: string(ev.Status()), Type: string(ev.Schedule.Kind), TimeZone: ev.Schedule.Location().String(),
		GraceSeconds: int64(ev.Grace / time.Second), MaxAlerts: ev.MaxAlertsOrDefault(), ErrorCount: ev.ErrorCount,
		LastSuccess: rfc3339(ev.LastSuccessTime), LastFailure: rfc3339(ev.LastFailTime),
		LastStart: rfc3339(ev.LastStartTime), LastPing: rfc3339(ev.LastPingTime),
		LastExitCode: ev.LastExitCode, LastMessage: nonEmpty(ev.LastMessage),
		LastHost: nonEmpty(ev.LastHost), LastRunID: nonEmpty(ev.LastRunID),
		PendingAlerts: len(ev.Outbox), Version: ev.Version, WatchFrom: string(ev.WatchFrom.OrDefault()), AutoCreated: ev.AutoCreated, PingToken: ev.HasToken,
	}
	r.controlsJSON = toControlsJSON(ev)
	if ev.LastDuration > 0 {
		s := ev.LastDuration.Seconds()
		r.LastDurationSeconds = &s
	}
	if l.Err != nil {
		r.Status = unusableStatus
		msg := l.Err.Error()
		r.Error = &msg
		return r
	}
	r.Schedule = scheduleText(ev)
	if ev.Schedule.Kind == memon.Cron {
		r.Cron = &ev.Schedule.Expr
	} else {
		p := int64(ev.Schedule.Period / time.Second)
		r.PeriodSeconds = &p
	}
	r.Deadline = rfc3339(ev.Deadline())
	r.NextAlertAt = rfc3339(ev.AlertAt())
	return r
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
