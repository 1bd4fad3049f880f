package memon

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The noise controls: settings that decide which decided transitions carry
// an alert, never what the state is. The state (and history) stays exact;
// a held alert is recorded with the reason it was held.
//
//   - FailuresBeforeAlert: FAILED only after N consecutive failed runs.
//   - MinRuntime: a success shorter than this counts as a failure.
//   - MaxRuntime: a start with no outcome within this raises one OVERRUN.
//   - PausedUntil: a pause that ends by itself.
//   - RepeatEvery: DOWN reminders at this interval, not per missed period.
//   - Quiet: recurring windows in the event's zone during which alerts are
//     held; an outage still on at the window's end is alerted then.
//
// An outage whose alert was held is "unannounced"; its recovery is
// recorded without an UP alert, so nobody hears of an end without a start.

// KindOverrun is the alert for a run that started and has not finished
// within MaxRuntime.
const KindOverrun AlertKind = "overrun"

// ControlState is what the controls remember between pings and polls.
type ControlState struct {
	FailStreak     int       // consecutive failed runs
	Unannounced    bool      // the current outage has had no alert
	HeldKind       AlertKind // an alert held by a quiet window, to send at its end
	HeldUntil      time.Time // when that window ends
	RunningSince   time.Time // the open run's start (a start ping with no outcome yet)
	RunningID      string    // its run id, if it had one
	OverrunAlerted bool      // the open run's OVERRUN was decided
	LastDownAlert  time.Time // when the outage's last DOWN alert was decided (RepeatEvery)

	Relatives // read by the poller before it decides; never stored
}

// downKind is the DOWN decision for newly missed deadlines: with
// RepeatEvery only the outage's first DOWN comes from a missed deadline,
// the rest are reminders (checkControls); both stay within MaxAlerts.
func (ev *Event) downKind(missedBefore int) AlertKind {
	if ev.RepeatEvery > 0 && ev.DownAlerts > 0 {
		return ""
	}
	return ev.downAlert(missedBefore)
}

// reminderAt is when the next DOWN reminder is due; zero when none is.
func (ev *Event) reminderAt() time.Time {
	if ev.RepeatEvery <= 0 || !ev.Enabled || ev.State != Down || ev.DownAlerts == 0 || ev.Unannounced ||
		ev.LastDownAlert.IsZero() || ev.DownAlerts >= ev.MaxAlertsOrDefault() {
		return time.Time{}
	}
	return ev.LastDownAlert.Add(ev.RepeatEvery)
}

// shortRun turns a success shorter than MinRuntime into a failure.
func (ev *Event) shortRun(p Ping) Ping {
	if p.Signal == Success && ev.MinRuntime > 0 && p.Duration > 0 && p.Duration < ev.MinRuntime {
		p.Signal = Fail
		p.tooShort = true
	}
	return p
}

// whyFailed is a failure's reason.
func (ev *Event) whyFailed(p Ping) string {
	if p.tooShort {
		return fmt.Sprintf("the run took %s, shorter than the minimum run time %s: counted as a failure",
			p.Duration.Round(time.Millisecond), FormatDuration(ev.MinRuntime))
	}
	return failReason(p)
}

// startRun opens a run (a start ping).
func (ev *Event) startRun(p Ping) {
	ev.RunningSince, ev.RunningID, ev.OverrunAlerted = p.SentAt, p.RunID, false
}

// endRun closes the open run when an outcome matches it: same run id, or
// either has none. A late outcome of an overrun run is then handled
// normally.
func (ev *Event) endRun(p Ping) {
	if ev.RunningSince.IsZero() || p.SentAt.Before(ev.RunningSince) {
		return
	}
	if ev.RunningID != "" && p.RunID != "" && p.RunID != ev.RunningID {
		return
	}
	ev.RunningSince, ev.RunningID, ev.OverrunAlerted = time.Time{}, "", false
}

// countStreak keeps the consecutive-failure count.
func (ev *Event) countStreak(failed bool) {
	if failed {
		ev.FailStreak++
	} else {
		ev.FailStreak = 0
	}
}

// shape applies the controls to a decided transition at time at: the
// alert goes out, or is held (recorded, with why). Called before the flood
// limit (admit), which may still hold a FAILED or UP.
func (ev *Event) shape(tr Transition, at time.Time) Transition {
	if tr.Alert == nil {
		if tr.To == Down && tr.From != Down {
			ev.Unannounced = true // a paused event's outage, for one
		}
		return tr
	}
	hold := func(why string) {
		tr.Alert = nil
		tr.Reason += " (" + why + ")"
	}
	switch kind := tr.Alert.Kind; {
	case kind == KindUp:
		if ev.Unannounced {
			hold("no UP alert: the outage was never alerted")
		}
		ev.Unannounced, ev.HeldKind, ev.HeldUntil = false, "", time.Time{}
		return tr
	case kind == KindFailed && ev.FailStreak < ev.FailuresBeforeAlert:
		hold(fmt.Sprintf("failure %d of %d before an alert", ev.FailStreak, ev.FailuresBeforeAlert))
		ev.Unannounced = true
		return tr
	}
	kind := tr.Alert.Kind
	if kind == KindDown || kind == KindFailed || kind == KindLate || kind == KindOverrun {
		if ev.holdForParents(&tr, at) {
			return tr
		}
		if end := ev.quietUntil(at); !end.IsZero() {
			hold("held: quiet window until " + FormatTime(end))
			if kind != KindLate { // a late run is over: nothing to announce later
				ev.HeldKind, ev.HeldUntil = kind, end
				if kind != KindOverrun {
					ev.Unannounced = true
				}
			}
			return tr
		}
	}
	if kind == KindDown || kind == KindFailed {
		ev.Unannounced = false
		ev.alsoAffected(&tr)
	}
	if kind == KindDown {
		ev.LastDownAlert = at
	}
	return tr
}

// checkControls is the poller's look at the controls: a pause that has
// ended, a run past MaxRuntime, an alert held by a quiet window that has
// ended. It reports whether anything changed.
func (ev *Event) checkControls(now time.Time) ([]Transition, bool) {
	var out []Transition
	changed := false
	if !ev.Enabled && !ev.PausedUntil.IsZero() && !now.Before(ev.PausedUntil) {
		until := ev.PausedUntil
		ev.PausedUntil = time.Time{}
		ev.Resume(until)
		tr := ev.transition(until, Paused, ev.state(), "the pause ended (paused until "+FormatTime(until)+")", "")
		ev.enqueue(tr)
		out, changed = append(out, tr), true
	}
	if !ev.Enabled {
		return out, changed
	}
	if due := ev.overrunAt(); !due.IsZero() && !now.Before(due) {
		ev.OverrunAlerted = true
		ev.rollTo(now)
		ev.Today.Overruns++
		tr := ev.transition(due, ev.state(), ev.state(), ev.overrunReason(), KindOverrun)
		tr = ev.shape(tr, now)
		ev.enqueue(tr)
		out, changed = append(out, tr), true
	}
	if due := ev.reminderAt(); !due.IsZero() && !now.Before(due) {
		ev.DownAlerts++
		reason := fmt.Sprintf("still down: reminder %d of at most %d, every %s; %d missed since %s",
			ev.DownAlerts, ev.MaxAlertsOrDefault(), FormatDuration(ev.RepeatEvery), ev.ErrorCount, FormatTime(ev.NextBlockTime))
		tr := ev.shape(ev.transition(now, Down, Down, reason, KindDown), now)
		ev.LastDownAlert = now // a held reminder waits a whole interval too
		ev.enqueue(tr)
		out, changed = append(out, tr), true
	}
	if !ev.HeldUntil.IsZero() && !now.Before(ev.HeldUntil) {
		changed = true
		if end := ev.quietUntil(now); !end.IsZero() {
			ev.HeldUntil = end // another window began as this one ended
			return out, changed
		}
		if len(ev.TroubledParents) > 0 {
			ev.HeldUntil = now.Add(ParentRecheck) // the parent is still down
			return out, changed
		}
		kind := ev.HeldKind
		ev.HeldKind, ev.HeldUntil = "", time.Time{}
		var reason string
		switch {
		case kind == KindOverrun && !ev.RunningSince.IsZero():
			reason = ev.overrunReason() + "; held by a quiet window until now"
		case (kind == KindDown || kind == KindFailed) && ev.State == Down && ev.Unannounced:
			reason = "still down at the end of the quiet window"
			if kind == KindFailed {
				reason = "still failing at the end of the quiet window: " + ev.whyFailed(Ping{ExitCode: ev.LastExitCode})
			}
			switch {
			case len(ev.DependsOn) > 0 && len(ev.Quiet) == 0:
				reason = strings.Replace(reason, "at the end of the quiet window", "now that its parents are up", 1)
			case len(ev.DependsOn) > 0:
				reason = strings.Replace(reason, "the quiet window", "the hold (quiet window or a parent down)", 1)
			}
			ev.Unannounced = false
			if kind == KindDown {
				ev.LastDownAlert = now // the outage's first DOWN: reminders count from it
			}
		default:
			return out, changed // recovered (or finished) inside the window
		}
		tr := ev.transition(now, ev.state(), ev.state(), reason, kind)
		ev.enqueue(tr)
		out = append(out, tr)
	}
	return out, changed
}

// overrunAt is when the open run exceeds MaxRuntime; zero when there is
// nothing to watch.
func (ev *Event) overrunAt() time.Time {
	if ev.MaxRuntime <= 0 || ev.RunningSince.IsZero() || ev.OverrunAlerted {
		return time.Time{}
	}
	return ev.RunningSince.Add(ev.MaxRuntime)
}

func (ev *Event) overrunReason() string {
	r := fmt.Sprintf("started at %s and has not finished after the maximum run time %s",
		FormatTime(ev.RunningSince), FormatDuration(ev.MaxRuntime))
	if ev.LastHost != "" {
		r += "; host " + ev.LastHost
	}
	if ev.RunningID != "" {
		r += "; run id " + ev.RunningID
	}
	return r
}

// controlsAt is when the poller must next look at the controls (zero:
// never): a pause's end, an overrun, a quiet window's end with an alert held.
func (ev *Event) controlsAt() time.Time {
	var at time.Time
	for _, t := range []time.Time{ev.pauseEnd(), ev.overrunIfEnabled(), ev.HeldUntil, ev.reminderAt()} {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	return at
}

func (ev *Event) pauseEnd() time.Time {
	if ev.Enabled {
		return time.Time{}
	}
	return ev.PausedUntil
}

func (ev *Event) overrunIfEnabled() time.Time {
	if !ev.Enabled {
		return time.Time{}
	}
	return ev.overrunAt()
}

// PauseUntil pauses the event now; the poller resumes it at until.
func (ev *Event) PauseUntil(now, until time.Time) {
	ev.Pause(now)
	ev.PausedUntil = until.UTC()
}

// QuietWindow is a recurring window, in the event's zone, during which the
// event's alerts are held: "Mon-Fri 22:00-23:30". A window that ends at or
// before its start runs past midnight into the next day.
type QuietWindow struct {
	Days       [7]bool // by time.Weekday: the days a window starts on
	Start, End int     // minutes after midnight; End may be 24*60
}

const quietForm = "want DAYS HH:MM-HH:MM, e.g. 'Mon-Fri 22:00-23:30', 'Sat,Sun 00:00-24:00' or 'daily 01:00-02:00' (days in English, times in the event's zone)"

// ParseQuiet reads a quiet window.
func ParseQuiet(field, s string) (QuietWindow, error) {
	bad := &FieldError{Field: field, Value: s, Want: quietForm}
	parts := strings.Fields(s)
	if len(parts) != 2 {
		return QuietWindow{}, bad
	}
	var w QuietWindow
	if d := strings.ToLower(parts[0]); d == "daily" || d == "*" {
		w.Days = [7]bool{true, true, true, true, true, true, true}
	} else {
		for _, item := range strings.Split(d, ",") {
			from, to, isRange := strings.Cut(item, "-")
			a, b := weekday(from), weekday(to)
			if !isRange {
				b = a
			}
			if a < 0 || b < 0 {
				return QuietWindow{}, bad
			}
			for i := a; ; i = (i + 1) % 7 {
				w.Days[i] = true
				if i == b {
					break
				}
			}
		}
	}
	from, to, ok := strings.Cut(parts[1], "-")
	if !ok {
		return QuietWindow{}, bad
	}
	var err1, err2 error
	w.Start, err1 = clockMinutes(from, false)
	w.End, err2 = clockMinutes(to, true)
	if err1 != nil || err2 != nil || w.Start == w.End {
		return QuietWindow{}, bad
	}
	return w, nil
}

var weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// weekday reads Mon or Monday (any case); -1 when it is neither.
func weekday(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, d := range weekdayNames {
		if s == d || s == d[:3] {
			return i
		}
	}
	return -1
}

func clockMinutes(s string, end bool) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && (mm != 0 || !end)) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// String is the window in ParseQuiet's form.
func (w QuietWindow) String() string {
	var days []string
	all := true
	for i := range 7 {
		d := (i + 1) % 7 // Monday first
		if w.Days[d] {
			days = append(days, strings.ToUpper(weekdayNames[d][:1])+weekdayNames[d][1:3])
		} else {
			all = false
		}
	}
	list := strings.Join(days, ",")
	if all {
		list = "daily"
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", list, w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// until is when the window that contains t ends, zero when t is outside
// every occurrence. Wall-clock times in loc: on a daylight-saving night a
// window lasts an hour more or less, and a time that does not exist that
// night moves as Go's time.Date moves it.
func (w QuietWindow) until(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	for back := 0; back <= 1; back++ { // today's window, or yesterday's running past midnight
		day := time.Date(lt.Year(), lt.Month(), lt.Day()-back, 0, 0, 0, 0, loc)
		if !w.Days[day.Weekday()] {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, w.Start, 0, 0, loc)
		endDay := day.Day()
		if w.End <= w.Start {
			endDay++
		}
		end := time.Date(day.Year(), day.Month(), endDay, 0, w.End, 0, 0, loc)
		if !t.Before(start) && t.Before(end) {
			return end
		}
	}
	return time.Time{}
}

// quietUntil is when the quiet time that contains t ends (windows that
// touch or overlap run together), zero when t is not in one.
func (ev *Event) quietUntil(t time.Time) time.Time {
	loc := ev.Schedule.Location()
	var end time.Time
	for range 8 { // chained windows: a week at most
		next := time.Time{}
		probe := t
		if !end.IsZero() {
			probe = end
		}
		for _, w := range ev.Quiet {
			if e := w.until(probe, loc); e.After(next) {
				next = e
			}
		}
		if next.IsZero() {
			return end
		}
		end = next
	}
	return end
}
