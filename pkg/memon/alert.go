package memon

import (
	"fmt"
	"strings"
	"time"
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

// subjectWord is the word in the subject; memon.py's, and people have mail
// filters on them.
var subjectWord = map[AlertKind]string{
	KindDown: "Down", KindLate: "Late", KindUp: "Up", KindFailed: "Failed", KindConfig: "Config",
}

// Alert is a rendered notification.
type Alert struct {
	Kind    AlertKind
	Event   string
	Subject string
	Body    string
}

// maxSubject is SNS's limit on a subject.
const maxSubject = 100

// Subject returns "[MEMon] Down: NAME", cut to what SNS accepts.
func Subject(kind AlertKind, name string) string {
	s := fmt.Sprintf("[MEMon] %s: %s", subjectWord[kind], name)
	// SNS subjects are printable ASCII, no line breaks, at most 100 chars.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	return truncate(s, maxSubject)
}

// Render builds an alert for an event, from its state after the transition.
func Render(kind AlertKind, ev *Event, reason string) Alert {
	loc := ev.Schedule.Location()
	var b strings.Builder
	fmt.Fprintf(&b, "MEMon Alert\n-----------\n%s: %s\n\n", subjectWord[kind], ev.Name)
	if ev.Description != "" {
		fmt.Fprintf(&b, "%s: %s\n\n", ev.Name, ev.Description)
	}
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%-14s %s\n", label+":", value)
		}
	}
	row("What happened", reason)
	row("State", string(ev.Status()))
	row("Schedule", ev.Schedule.String()+graceText(ev.Grace))
	row("Last success", bothZones(ev.LastSuccessTime, loc))
	if ev.LastFailTime.After(ev.LastSuccessTime) {
		row("Last failure", bothZones(ev.LastFailTime, loc))
	}
	if ev.ErrorCount > 0 {
		// The first deadline missed, in both zones: the reason has it in
		// UTC only, and a person thinks in the job's zone.
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
			fmt.Fprintf(&b, "\nMessage:\n%s\n", indent(ev.LastMessage))
		}
	}
	b.WriteString("--\nMEMon\n")
	return Alert{Kind: kind, Event: ev.Name, Subject: Subject(kind, ev.Name), Body: b.String()}
}

// ConfigAlert reports a ping that names no event, or an unusable item.
func ConfigAlert(name, problem string) Alert {
	body := fmt.Sprintf("MEMon Alert\n-----------\nConfig: %s has a configuration error\n\n%s\n\n"+
		"The ping stays in the queue and moves to the dead-letter queue after a few tries;\n"+
		"fix the event (memon-config set %s ...) and redrive the dead-letter queue to keep it.\n--\nMEMon\n",
		name, problem, name)
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
	s := t.UTC().Format("2006-01-02 15:04:05 UTC")
	if loc != time.UTC {
		s += " (" + t.In(loc).Format("2006-01-02 15:04:05 MST") + " " + loc.String() + ")"
	}
	return s
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
