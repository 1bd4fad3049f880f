package web

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// moment is a time as the pages show it: relative, in UTC (which the
// page's script turns into the viewer's zone) and in the event's zone.
type moment struct {
	ISO      string // RFC 3339 UTC, for <time datetime>
	Relative string // "12m ago", "in 3h"
	UTC      string // "2026-11-24 07:14:00 UTC"
	Zone     string // "2026-11-24 08:14:00 Europe/Berlin"; empty when the event's zone is UTC
}

func newMoment(t, now time.Time, loc *time.Location) *moment {
	if t.IsZero() {
		return nil
	}
	m := &moment{ISO: t.UTC().Format(time.RFC3339), Relative: memon.Relative(t, now), UTC: memon.FormatTime(t)}
	if loc != nil && loc.String() != "UTC" {
		m.Zone = memon.FormatTimeIn(t, loc)
	}
	return m
}

// row is one event on the overview.
type row struct {
	Name        string
	Status      Status
	Description string
	Schedule    string
	LastRun     *moment
	LastRunKind string // "success", "failure"
	Deadline    *moment
	MissedAt    *moment // a down event's first missed deadline, shown instead of the next
	Missed      int
	Problem     string // why the item is unusable
	Tags        []string
	Spark       *spark
}

func newRow(l memon.Listed, now time.Time) row {
	st := l.Status(now)
	ev := l.Event
	if ev == nil {
		ev = &memon.Event{}
	}
	r := row{Name: ev.Name, Status: st, Description: memon.SingleLine(ev.Description), Missed: ev.ErrorCount,
		Tags: memon.LimitTags(ev.Tags)}
	if l.Err != nil {
		r.Problem = memon.SingleLine(l.Err.Error())
		return r
	}
	loc := ev.Schedule.Location()
	r.Schedule = scheduleWords(ev)
	last, kind := lastRun(ev)
	r.LastRun, r.LastRunKind = newMoment(last, now, loc), kind
	if st != memon.StatusPaused {
		r.Deadline = newMoment(ev.Deadline(), now, loc)
	}
	r.MissedAt = missedAt(ev, st, now)
	return r
}

// missedAt is when a down event missed its deadline: its pending deadline
// has moved on by the periods missed since (the next one a poll counts),
// which is no deadline the job can still meet. Nil for any other status.
func missedAt(ev *memon.Event, st memon.Status, now time.Time) *moment {
	if st != memon.StatusDown || ev.ErrorCount == 0 {
		return nil
	}
	return newMoment(ev.NextBlockTime, now, ev.Schedule.Location())
}

// lastRun is the newest success or failure.
func lastRun(ev *memon.Event) (time.Time, string) {
	if ev.LastFailTime.After(ev.LastSuccessTime) {
		return ev.LastFailTime, "failure"
	}
	if ev.LastSuccessTime.IsZero() {
		return time.Time{}, ""
	}
	return ev.LastSuccessTime, "success"
}

// sortRows puts trouble first, then the nearest deadline, then the name.
func sortRows(rs []row) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Status.Rank() != b.Status.Rank() {
			return a.Status.Rank() < b.Status.Rank()
		}
		da, db := a.deadline(), b.deadline()
		if da != db {
			if da == "" || db == "" {
				return db == ""
			}
			return da < db
		}
		return a.Name < b.Name
	})
}

func (r row) deadline() string {
	if r.Deadline == nil {
		return ""
	}
	return r.Deadline.ISO
}

// count is one status with how many events have it, for the filter chips.
type count struct {
	Status Status
	N      int
	Active bool
}

// overview is the overview page's data.
type overview struct {
	Rows   []row
	Counts []count
	Total  int
	Query  string // the name filter
	Filter Status // the status filter, "" for all
	Tag    string // the tag filter, "" for all
	Tags   []string
}

// newOverview builds the overview from the listed events, filtered by name
// (a case-insensitive substring), status and tag. The counts and the tags
// offered are of every event, so a filter never hides the way back.
func newOverview(ls []memon.Listed, now time.Time, query string, filter Status, tag string) *overview {
	o := &overview{Total: len(ls), Query: query, Filter: filter, Tag: tag}
	n := map[Status]int{}
	q := strings.ToLower(strings.TrimSpace(query))
	for _, l := range ls {
		r := newRow(l, now)
		n[r.Status]++
		for _, t := range r.Tags {
			if !slices.Contains(o.Tags, t) {
				o.Tags = append(o.Tags, t)
			}
		}
		if filter != "" && r.Status != filter {
			continue
		}
		if tag != "" && !slices.Contains(r.Tags, tag) {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(r.Name), q) {
			continue
		}
		o.Rows = append(o.Rows, r)
	}
	for _, s := range memon.Statuses() {
		if n[s] > 0 || s == filter {
			o.Counts = append(o.Counts, count{Status: s, N: n[s], Active: s == filter})
		}
	}
	slices.Sort(o.Tags)
	sortRows(o.Rows)
	return o
}
