package main

import (
	"sort"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// The view shared by show, show --json and html: what a listed event looks
// like to a person, against an injected clock.

// unusableStatus is how the CLI writes memon.StatusUnusable: in capitals,
// as show and show --json always have, so an unreadable item stands out
// (scripts compare show --json's status with it).
const unusableStatus = "UNUSABLE"

// statusWord is the one status model's word (memon.StatusOf) for a listed
// item at now.
func statusWord(l memon.Listed, now time.Time) string {
	st := l.Status(now)
	if st == memon.StatusUnusable {
		return unusableStatus
	}
	return string(st)
}

// onlyErrorsHelp is --only-errors' help, the same for show and html: the
// statuses memon.Status.Trouble counts as trouble.
var onlyErrorsHelp = "only events in trouble: " + memon.TroubleWords()

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

// filterErrors keeps the events in trouble at now.
func filterErrors(ls []memon.Listed, now time.Time) []memon.Listed {
	var out []memon.Listed
	for _, l := range ls {
		if l.Status(now).Trouble() {
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
	return stamp(t) + " (" + memon.Relative(t, now) + ")"
}

// record is one event in `show --json`. Its status is the stored one
// (new, up, down, paused, UNUSABLE), as scripts read it; the table says the
// status model's word (statusWord). Every key is always present (null
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
