package memon

import (
	"fmt"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon/ping"
)

// AlertKind names a notification. The values are the SNS message attribute
// `kind`, which subscribers filter on.
type AlertKind string

const (
	KindDown   AlertKind = "down"
	KindLate   AlertKind = "late"
	KindUp     AlertKind = "up"
	KindFailed AlertKind = "failed"
	KindConfig AlertKind = "config"
)

// KindNames are the kinds' attribute values, in order: what a filter policy
// lists and a help text joins.
func KindNames(kinds []AlertKind) []string {
	names := make([]string, 0, len(kinds))
	for _, k := range kinds {
		names = append(names, string(k))
	}
	return names
}

// subjectWord is the word in the subject; memon.py's, and people have mail
// filters on them.
var subjectWord = map[AlertKind]string{
	KindDown: "Down", KindLate: "Late", KindUp: "Up", KindFailed: "Failed", KindConfig: "Config", KindOverrun: "Overrun", KindFlapping: "Flapping",
}

// Word is the kind's word in a subject ("Down", "Overrun"), and false for
// a kind with no event-alert subject (a report, a test).
func (k AlertKind) Word() (string, bool) {
	w, ok := subjectWord[k]
	return w, ok
}

// Alert is a rendered notification.
type Alert struct {
	Kind    AlertKind
	Event   string
	Subject string
	Body    string
	Facts   AlertFacts // the same facts for machines (alertfacts.go)
	// Tags are the event's tags (a digest's: the union of its events'),
	// published as the SNS message attribute `tags` that routes filter on.
	Tags []string
}

// maxSubject is SNS's limit on a subject.
const maxSubject = 100

// Subject returns "[MEMon] Down: NAME", cut to what SNS accepts.
func Subject(kind AlertKind, name string) string {
	return snsSubject(fmt.Sprintf("[MEMon] %s: %s", subjectWord[kind], name))
}

// snsSubject makes s a subject SNS accepts: printable ASCII, no line
// breaks, at most 100 characters.
func snsSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	return truncate(s, maxSubject)
}

// Render builds an alert for an event, from its state after the transition.
// Every value that came from a sender or an operator is one SingleLine row;
// the job's output is a quoted block; the body ends with what to type next.
func Render(kind AlertKind, ev *Event, reason string) Alert {
	loc := ev.Schedule.Location()
	name := SingleLine(ev.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "MEMon Alert\n-----------\n%s: %s\n\n", subjectWord[kind], name)
	if ev.Description != "" {
		fmt.Fprintf(&b, "%s: %s\n\n", name, SingleLine(ev.Description))
	}
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-14s %s\n", label+":", SingleLine(value))
		}
	}
	row("What happened", reason)
	row("Tags", TagsText(ev.Tags))
	row("Status", string(AlertStatus(ev)))
	row("Schedule", ev.Schedule.String()+graceText(ev.Grace))
	row("Last success", bothZones(ev.LastSuccessTime, loc))
	if ev.LastFailTime.After(ev.LastSuccessTime) {
		row("Last failure", bothZones(ev.LastFailTime, loc))
	}
	if ev.ErrorCount > 0 {
		// The first deadline missed, in both zones: a person thinks in the
		// job's zone.
		row("Missed since", bothZones(ev.NextBlockTime, loc))
	}
	row("Next deadline", bothZones(ev.Deadline(), loc))
	if ev.ErrorCount > 0 {
		row("Missed runs", fmt.Sprintf("%d", ev.ErrorCount))
	}
	if kind == KindFailed || kind == KindUp {
		if ev.LastExitCode != nil {
			row("Exit code", fmt.Sprintf("%d", *ev.LastExitCode))
		}
		if ev.LastDuration > 0 {
			row("Duration", ev.LastDuration.String())
		}
		row("Host", ev.LastHost)
		row("Run id", ev.LastRunID)
		if ev.LastMessage != "" {
			fmt.Fprintf(&b, "\nJob output (its last %d KB at most, quoted as the job sent it):\n%s\n", MaxMessageLen/1024, quoteBlock(ev.LastMessage))
		}
	}
	b.WriteString(nextSteps(ev.Name))
	return Alert{Kind: kind, Event: ev.Name, Subject: Subject(kind, ev.Name), Body: b.String(), Tags: LimitTags(ev.Tags)}
}

// nextSteps ends every event's alert: the commands to silence it or look at
// it, ready to paste.
func nextSteps(name string) string {
	n := ShellWord(name)
	return fmt.Sprintf("\nPause alerts:  memon-config pause %s\nSee details:   memon-config show %s\n--\nMEMon\n", n, n)
}

// ShellWord is name as one shell word: bare when it is made of the
// characters memon-send allows, else single-quoted (and SingleLine'd).
func ShellWord(name string) string {
	if ping.PlainName(name) { // not ValidateName: an AWS job name may hold spaces and quotes
		return name
	}
	return "'" + strings.ReplaceAll(SingleLine(name), "'", `'\''`) + "'"
}

// ConfigAlert reports a ping that names no event, or an unusable item. The
// name and problem come from a sender: each stays on its own line.
func ConfigAlert(name, problem string) Alert {
	body := fmt.Sprintf("MEMon Alert\n-----------\nConfig: %s has a configuration error\n\n%s\n\n"+
		"The ping stays in the queue and moves to the dead-letter queue after a few tries;\n"+
		"fix the event (memon-config set %s ...) and redrive the dead-letter queue to keep it.\n--\nMEMon\n",
		SingleLine(name), SingleLine(problem), ShellWord(name))
	return Alert{Kind: KindConfig, Event: name, Subject: Subject(KindConfig, name), Body: body}
}

func graceText(g time.Duration) string {
	if g == 0 {
		return ""
	}
	return ", grace " + FormatDuration(g)
}

// bothZones shows a time in UTC and, when it differs, in the event's zone.
func bothZones(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	s := FormatTime(t)
	if loc != time.UTC {
		s += " (" + t.In(loc).Format("2006-01-02 15:04:05 MST") + " " + loc.String() + ")"
	}
	return s
}

// TimeLayout is the one way alerts write a time.
const TimeLayout = "2006-01-02 15:04:05 UTC"

// FormatTime writes t in UTC as TimeLayout: every time in an alert body,
// the reason ("What happened") included, reads the same way.
func FormatTime(t time.Time) string { return FormatTimeIn(t, time.UTC) }

// FormatTimeIn writes t in loc the way TimeLayout writes UTC: 24-hour, the
// zone's name last ("2026-12-01 20:55:00 Europe/Berlin"), so a time in the
// event's zone reads like the UTC one next to it.
func FormatTimeIn(t time.Time, loc *time.Location) string {
	if loc == nil || loc.String() == "UTC" {
		return t.UTC().Format(TimeLayout)
	}
	return t.In(loc).Format("2006-01-02 15:04:05") + " " + loc.String()
}
