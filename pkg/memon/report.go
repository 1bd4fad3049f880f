package memon

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// A report sums each event's daily counters over a period of whole UTC
// days (counters are kept per UTC day), worst events first.

// KindReport is the SNS `kind` of a scheduled report.
const KindReport AlertKind = "report"

// Cadence is how often a scheduled report goes out.
type Cadence string

const (
	Weekly  Cadence = "weekly"
	Monthly Cadence = "monthly"
)

// ParseCadence accepts weekly or monthly.
func ParseCadence(field, s string) (Cadence, error) {
	switch c := Cadence(strings.ToLower(strings.TrimSpace(s))); c {
	case Weekly, Monthly:
		return c, nil
	}
	return "", &FieldError{Field: field, Value: s, Want: "want weekly or monthly"}
}

// Period is a report's span: the UTC days First..Last inclusive, cut at
// End when the last day is today.
type Period struct {
	First, Last string    // DayLayout
	End         time.Time // where the period stops: the end of Last, or now
}

// Start is the first day's 00:00 UTC.
func (p Period) Start() time.Time { return DayCounts{Day: p.First}.Start() }

// Length is the time the period covers.
func (p Period) Length() time.Duration { return max(p.End.Sub(p.Start()), 0) }

// Contains reports whether a UTC day is in the period.
func (p Period) Contains(day string) bool { return day >= p.First && day <= p.Last }

// periodOf covers the days of from..to (to inclusive), ending at now at the latest.
func periodOf(from, to, now time.Time) Period {
	p := Period{First: DayOf(from), Last: DayOf(to)}
	p.End = DayCounts{Day: p.Last}.Start().Add(24 * time.Hour)
	if now.Before(p.End) {
		p.End = now
	}
	return p
}

// PeriodSince covers the UTC days from now-d through today.
func PeriodSince(d time.Duration, now time.Time) Period { return periodOf(now.Add(-d), now, now) }

// PeriodBetween covers the UTC days from..to inclusive.
func PeriodBetween(from, to, now time.Time) Period { return periodOf(from, to, now) }

// PeriodFor is what a scheduled report covers when it goes out at now in
// loc: the seven days before the report day (weekly), or the previous
// calendar month (monthly), as UTC days.
func PeriodFor(c Cadence, now time.Time, loc *time.Location) Period {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	if c == Monthly {
		first := time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC)
		return periodOf(first, first.AddDate(0, 1, -1), now)
	}
	return periodOf(today.AddDate(0, 0, -7), today.AddDate(0, 0, -1), now)
}

// EventReport is one event's numbers over a period.
type EventReport struct {
	Name    string
	Status  Status
	Counts  DayCounts     // summed over the period's days; Downtime is the replayed down time
	Watched time.Duration // time up or down (TimeInStates): not paused, not before the event existed or ran
}

// Uptime is the share of watched time not down, 1 when nothing was watched.
func (e EventReport) Uptime() float64 {
	if e.Watched <= 0 {
		return 1
	}
	return 1 - min(float64(e.Counts.Downtime)/float64(e.Watched), 1)
}

// problems counts what went wrong, for ordering.
func (e EventReport) problems() int { return e.Counts.Failures + e.Counts.Missed + e.Counts.Overruns }

// SummarizeEvent sums the days of p from an event's daily records and its
// live counters (ev.CountsThrough(now)); a day present in both is counted
// once, from the live counters (they are newer). Up and down time come from
// its history over p (TimeInStates), as on the web page.
func SummarizeEvent(ev *Event, records []DayCounts, history []HistoryRecord, p Period, now time.Time) EventReport {
	byDay := map[string]DayCounts{}
	for _, d := range records {
		byDay[d.Day] = d
	}
	for _, d := range ev.CountsThrough(now) {
		byDay[d.Day] = d
	}
	sum := DayCounts{Day: p.First}
	for day, d := range byDay {
		if p.Contains(day) {
			sum = sum.Add(d)
		}
	}
	up, down, _, _ := Availability(TimeInStates(ev, history, p.Start(), p.End))
	sum.Downtime = down
	return EventReport{Name: ev.Name, Status: StatusOf(ev, nil, now), Counts: sum, Watched: up + down}
}

// Report is every event's numbers over one period, worst first.
type Report struct {
	Title    string // "Weekly report", "Monthly report" or "Report"
	Period   Period
	Events   []EventReport
	Unusable []string // events whose item could not be read
}

// NewReport orders the events worst first: lowest uptime, then most
// failures and missed periods, then by name.
func NewReport(title string, p Period, events []EventReport, unusable []string) Report {
	sort.Slice(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if ua, ub := a.Uptime(), b.Uptime(); ua != ub {
			return ua < ub
		}
		if a.problems() != b.problems() {
			return a.problems() > b.problems()
		}
		return a.Name < b.Name
	})
	return Report{Title: title, Period: p, Events: events, Unusable: unusable}
}

// TitleFor is a scheduled report's title.
func TitleFor(c Cadence) string {
	if c == Monthly {
		return "Monthly report"
	}
	return "Weekly report"
}

// total sums every event.
func (r Report) total() (sum DayCounts, watched, troubled int, uptime float64) {
	var down, watch time.Duration
	for _, e := range r.Events {
		sum = sum.Add(e.Counts)
		down += min(e.Counts.Downtime, e.Watched)
		watch += e.Watched
		if e.Counts.Downtime > 0 || e.problems() > 0 {
			troubled++
		}
	}
	uptime = 1
	if watch > 0 {
		uptime = 1 - float64(down)/float64(watch)
	}
	return sum, len(r.Events), troubled, uptime
}

// Summary is the one line on top (and in a scheduled report's subject).
func (r Report) Summary() string {
	sum, n, troubled, uptime := r.total()
	return fmt.Sprintf("%s, %d with problems; %s, %d failed, %s; uptime %s",
		plural(n, "event"), troubled, plural(sum.Runs, "run"), sum.Failures, plural(sum.Missed, "missed period"), percent(uptime))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func percent(f float64) string {
	s := fmt.Sprintf("%.2f", f*100)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
	return s + "%"
}

// Text renders the report for a terminal or an e-mail.
func (r Report) Text() string {
	var b strings.Builder
	end := r.Period.End.UTC().Format("2006-01-02 15:04")
	fmt.Fprintf(&b, "MEMon %s, %s to %s UTC (whole UTC days %s to %s)\n", strings.ToLower(r.Title[:1])+r.Title[1:],
		r.Period.Start().Format("2006-01-02 15:04"), end, r.Period.First, r.Period.Last)
	fmt.Fprintf(&b, "%s\n\n", r.Summary())
	if len(r.Events) == 0 {
		b.WriteString("No events.\n")
	} else {
		rows := [][]string{{"EVENT", "NOW", "UPTIME", "RUNS", "FAILED", "MISSED", "OVERRUNS", "DOWNTIME", "AVG RUN", "LONGEST", "LAST FAILURE"}}
		for _, e := range r.Events {
			c := e.Counts
			last := "-"
			if !c.LastFailTime.IsZero() {
				last = c.LastFailTime.UTC().Format("2006-01-02 15:04 UTC") + "  " + SingleLine(c.LastFailReason)
			}
			uptime := percent(e.Uptime())
			if e.Watched <= 0 {
				uptime = "not watched" // new, or paused all along: neither up nor down
			}
			rows = append(rows, []string{SingleLine(e.Name), string(e.Status), uptime,
				fmt.Sprint(c.Runs), fmt.Sprint(c.Failures), fmt.Sprint(c.Missed), fmt.Sprint(c.Overruns),
				roundDuration(c.Downtime), durationOrDash(c.AvgDuration()), durationOrDash(c.DurationMax), last})
		}
		writeColumns(&b, rows)
	}
	if len(r.Unusable) > 0 {
		fmt.Fprintf(&b, "\nNot counted (the item cannot be read; see memon-config show): %s\n", SingleLine(strings.Join(r.Unusable, ", ")))
	}
	return b.String()
}

func roundDuration(d time.Duration) string {
	if d >= time.Minute {
		d = d.Round(time.Minute)
	}
	return FormatDuration(d.Round(time.Second))
}

func durationOrDash(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return roundDuration(d)
}

// writeColumns left-aligns the text columns and right-aligns the numbers.
func writeColumns(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	numeric := map[int]bool{2: true, 3: true, 4: true, 5: true, 6: true}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-len([]rune(cell)))
			switch {
			case i == len(row)-1:
				line.WriteString(cell)
			case numeric[i]:
				line.WriteString(pad + cell + "  ")
			default:
				line.WriteString(cell + pad + "  ")
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// Alert is the scheduled report as published to the alert topic: kind
// report, subject "[MEMon] Weekly report: SUMMARY", the text as the body.
func (r Report) Alert() Alert {
	return Alert{Kind: KindReport, Subject: snsSubject("[MEMon] " + r.Title + ": " + r.Summary()), Body: r.Text()}
}

// reportJSON is the --json form: durations in seconds, times RFC 3339.
type reportJSON struct {
	Title    string            `json:"title"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	FirstDay string            `json:"first_day"`
	LastDay  string            `json:"last_day"`
	Summary  string            `json:"summary"`
	Events   []eventReportJSON `json:"events"`
	Unusable []string          `json:"unusable,omitempty"`
}

type eventReportJSON struct {
	Name               string  `json:"name"`
	Status             Status  `json:"status"`
	UptimePercent      float64 `json:"uptime_percent"`
	Runs               int     `json:"runs"`
	Failures           int     `json:"failures"`
	MissedPeriods      int     `json:"missed_periods"`
	Late               int     `json:"late"`
	Overruns           int     `json:"overruns"`
	DowntimeSeconds    float64 `json:"downtime_seconds"`
	PausedSeconds      float64 `json:"paused_seconds"`
	AvgDurationSeconds float64 `json:"avg_duration_seconds"`
	MaxDurationSeconds float64 `json:"max_duration_seconds"`
	LastFailure        string  `json:"last_failure,omitempty"`
	LastFailureReason  string  `json:"last_failure_reason,omitempty"`
}

// JSON renders the report for scripts.
func (r Report) JSON() ([]byte, error) {
	out := reportJSON{
		Title: r.Title, From: r.Period.Start().Format(time.RFC3339), To: r.Period.End.UTC().Format(time.RFC3339),
		FirstDay: r.Period.First, LastDay: r.Period.Last, Summary: r.Summary(), Events: []eventReportJSON{}, Unusable: r.Unusable,
	}
	for _, e := range r.Events {
		c := e.Counts
		j := eventReportJSON{
			Name: e.Name, Status: e.Status, UptimePercent: float64(int(e.Uptime()*10000+0.5)) / 100,
			Runs: c.Runs, Failures: c.Failures, MissedPeriods: c.Missed, Late: c.Late, Overruns: c.Overruns,
			DowntimeSeconds: c.Downtime.Seconds(), PausedSeconds: c.Paused.Seconds(),
			AvgDurationSeconds: c.AvgDuration().Seconds(), MaxDurationSeconds: c.DurationMax.Seconds(),
			LastFailureReason: c.LastFailReason,
		}
		if !c.LastFailTime.IsZero() {
			j.LastFailure = c.LastFailTime.UTC().Format(time.RFC3339)
		}
		out.Events = append(out.Events, j)
	}
	return json.MarshalIndent(out, "", "  ")
}
