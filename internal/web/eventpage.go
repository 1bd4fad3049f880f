package web

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// historyDays is how far back the event page reads: the availability
// timeline's 90 days.
const historyDays = 90

// chartDays is the width of the runs and durations charts.
const chartDays = 30

type setting struct{ Label, Value string }

type lastRunView struct {
	When     *moment
	Kind     string
	Duration string
	ExitCode string
	Host     string
	RunID    string
	Started  *moment
	Output   string
}

type histRow struct {
	When   *moment
	Change string
	Kind   memon.AlertKind
	Reason string
}

type eventPage struct {
	Row         row
	Settings    []setting
	LastRun     *lastRunView
	Next        *nextView
	Timeline    *timeline
	Runs        *barChart
	Durations   *barChart
	CountsKept  bool
	History     []histRow
	HistoryDays int
	Redacted    bool // a read-only page without details: no reasons column
}

// loadEvent reads one event, its history and its daily counts. An unusable
// item is shown with its problem; a missing one is memon.ErrNotFound.
func loadEvent(ctx context.Context, st Store, days Days, name string, now time.Time) (*eventPage, error) {
	ev, err := st.Get(ctx, name)
	var unusable error
	switch {
	case errors.Is(err, memon.ErrInvalid) && ev != nil:
		unusable = err
	case err != nil:
		return nil, err
	}
	since := now.UTC().Truncate(day).Add(-(historyDays - 1) * day)
	recs, err := st.History(ctx, name, since)
	if err != nil {
		return nil, err
	}
	var counts []memon.DayCounts
	if days != nil && ev != nil {
		if counts, err = days.Days(ctx, name, since, now); err != nil {
			return nil, err
		}
	}
	return newEventPage(memon.Listed{Event: ev, Err: unusable}, recs, counts, days != nil, now), nil
}

func newEventPage(l memon.Listed, recs []memon.HistoryRecord, stored []memon.DayCounts, kept bool, now time.Time) *eventPage {
	ev := l.Event
	p := &eventPage{Row: newRow(l, now), CountsKept: kept, HistoryDays: historyDays}
	p.Settings = settings(ev, l.Err != nil)
	if last, kind := lastRun(ev); !last.IsZero() {
		loc := ev.Schedule.Location()
		lr := &lastRunView{When: newMoment(last, now, loc), Kind: kind, Host: memon.SingleLine(ev.LastHost), RunID: memon.SingleLine(ev.LastRunID),
			Output: printable(ev.LastMessage)}
		if ev.LastDuration > 0 {
			lr.Duration = memon.FormatRunDuration(ev.LastDuration)
		}
		if ev.LastExitCode != nil {
			lr.ExitCode = strconv.Itoa(*ev.LastExitCode)
		}
		if ev.LastStartTime.After(last) {
			lr.Started = newMoment(ev.LastStartTime, now, loc)
		}
		p.LastRun = lr
	}
	if l.Err == nil {
		p.Next = newNextView(ev, now)
	}
	all := fillDays(stored, ev, now, historyDays)
	states, uptime, known := availability(recs, all, ev, now, historyDays)
	p.Timeline = newTimeline(states, uptime, known)
	ds := all[len(all)-chartDays:]
	p.Runs, p.Durations = runsChart(ds), durationsChart(ds)

	sorted := append([]memon.HistoryRecord(nil), recs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].At.After(sorted[j].At) })
	for _, r := range sorted {
		change := r.Change()
		if change == "" {
			change = "—"
		}
		p.History = append(p.History, histRow{When: newMoment(r.At, now, ev.Schedule.Location()), Change: change,
			Kind: r.Alert, Reason: memon.SingleLine(r.Reason)})
	}
	return p
}

func settings(ev *memon.Event, unusable bool) []setting {
	s := []setting{{"Name", ev.Name}}
	if !unusable {
		s = append(s, setting{"Schedule", scheduleWords(ev)})
		switch ev.Schedule.Kind {
		case memon.Cron:
			s = append(s, setting{"Cron", ev.Schedule.Expr}, setting{"Time zone", ev.Schedule.Location().String()})
		default:
			s = append(s, setting{"Kind", string(ev.Schedule.Kind)}, setting{"Period", memon.FormatDuration(ev.Schedule.Period)})
			if ev.Schedule.TimeZone != "" {
				s = append(s, setting{"Time zone", ev.Schedule.TimeZone})
			}
		}
	}
	maxAlerts := ev.MaxAlertsOrDefault()
	enabled := "yes"
	if !ev.Enabled {
		enabled = "no (paused)"
		if !ev.PausedUntil.IsZero() {
			enabled = "no (paused until " + ev.PausedUntil.UTC().Format("2006-01-02 15:04 UTC") + ")"
		}
	}
	s = append(s,
		setting{"Grace", memon.FormatDuration(ev.Grace)},
		setting{"DOWN alerts per outage", strconv.Itoa(maxAlerts)},
		setting{"Watched", enabled},
		setting{"Failures before an alert", strconv.Itoa(max(1, ev.FailuresBeforeAlert))},
		setting{"Shortest real run", offOr(ev.MinRuntime)},
		setting{"Longest run", offOr(ev.MaxRuntime)},
		setting{"Quiet windows", orDash(quietText(ev.Quiet))},
		setting{"DOWN reminders every", offOr(ev.RepeatEvery)},
		setting{"Depends on", orDash(memon.SingleLine(strings.Join(ev.DependsOn, "; ")))},
		setting{"Description", orDash(memon.SingleLine(ev.Description))},
		setting{"Tags", orDash(memon.TagsText(ev.Tags))},
		setting{"Missed deadlines", strconv.Itoa(ev.ErrorCount)},
		setting{"Pending alerts", strconv.Itoa(len(ev.Outbox))},
		setting{"Version", fmt.Sprint(ev.Version)},
	)
	return s
}

func offOr(d time.Duration) string {
	if d == 0 {
		return "off"
	}
	return memon.FormatDuration(d)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// printable keeps a job's output as lines, each through memon.SingleLine:
// no control character or escape sequence reaches the page.
func printable(s string) string {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
	for i, l := range lines {
		lines[i] = memon.SingleLine(strings.ReplaceAll(l, "\t", "    "))
	}
	return strings.Join(lines, "\n")
}

// nextView is what the event waits on: its deadline (overdue once deadline
// plus grace has passed), and when a poller next looks at it.
type nextView struct {
	Deadline, Check *moment
	MissedAt        *moment // a down event's missed deadline (missedAt), shown instead of Deadline
	Overdue         string  // "12m" when the deadline plus grace has passed
	Unwatched       string  // why there is no deadline
}

func newNextView(ev *memon.Event, now time.Time) *nextView {
	loc := ev.Schedule.Location()
	v := &nextView{}
	switch d := ev.Deadline(); {
	case !ev.Enabled:
		v.Unwatched = "none while paused"
	case d.IsZero():
		v.Unwatched = "new: not watched until its first run (edit it with watch-from now to watch it from now)"
	case ev.State == memon.Down && ev.ErrorCount > 0:
		v.MissedAt = missedAt(ev, memon.StatusOf(ev, nil, now), now)
	default:
		v.Deadline = newMoment(d, now, loc)
		if late := now.Sub(d.Add(ev.Grace)); late > 0 {
			v.Overdue = memon.FormatDuration(max(late.Truncate(time.Minute), time.Minute))
		}
	}
	if c := ev.AlertAt(); !c.IsZero() && ev.Enabled {
		v.Check = newMoment(c, now, loc)
	}
	return v
}
