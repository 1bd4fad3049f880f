package memon

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A sender controls how often its job fails and recovers. Alternating fail
// and success pings would otherwise publish one alert each: a flood a
// sender holding only sqs:SendMessage can aim at the people on call. So
// FAILED and UP alerts are limited per event and per hour; past the limit
// one FLAPPING alert says so, and the event stays silent until the hour is
// over. Only the alerts are held: the state moves with every ping.

// MaxAlertsPerHour is how many FAILED and UP alerts one event may send in
// an alert window.
const MaxAlertsPerHour = 6

// AlertWindow is the length of the window, opened by the first FAILED or UP
// alert after the previous window ended.
const AlertWindow = time.Hour

// KindFlapping is the one alert sent when an event exceeds MaxAlertsPerHour.
const KindFlapping AlertKind = "flapping"

// admit decides whether a transition's FAILED or UP alert goes out, and
// reports whether tr still belongs in the outbox. Past the limit, the first
// held alert turns into the FLAPPING transition (returned in its place);
// the following ones only raise the count the pending FLAPPING alert
// reports, so a held alert costs no outbox space.
func (ev *Event) admit(tr Transition) (Transition, bool) {
	if tr.Alert == nil || (tr.Alert.Kind != KindFailed && tr.Alert.Kind != KindUp) {
		return tr, true
	}
	if ev.AlertWindowStart.IsZero() || !tr.At.Before(ev.AlertWindowStart.Add(AlertWindow)) {
		if ev.AlertsHeld > 0 {
			// The first alert after a flapping hour says what was held.
			tr.Reason += fmt.Sprintf("; %d FAILED/UP alerts were held while it was flapping", ev.AlertsHeld)
			a := Render(tr.Alert.Kind, ev, tr.Reason)
			a.Facts = transitionFacts(tr.Alert.Kind, ev, tr) // its id and time, for de-duplication
			tr.Alert = &a
		}
		ev.AlertWindowStart, ev.AlertsInWindow, ev.AlertsHeld = tr.At, 0, 0
	}
	if ev.AlertsInWindow < MaxAlertsPerHour {
		ev.AlertsInWindow++
		return tr, true
	}
	ev.AlertsHeld++
	if ev.AlertsHeld == 1 {
		return ev.transition(tr.At, tr.From, tr.To, ev.flappingReason(), KindFlapping), true
	}
	// Keep the waiting FLAPPING alert's count current until it is sent.
	for i := range ev.Outbox {
		o := &ev.Outbox[i]
		if o.Alert != nil && o.Alert.Kind == KindFlapping && !o.Published && !o.At.Before(ev.AlertWindowStart) {
			o.Reason = ev.flappingReason()
			a := Render(KindFlapping, ev, o.Reason)
			a.Facts = transitionFacts(KindFlapping, ev, *o)
			o.Alert = &a
		}
	}
	return Transition{}, false
}

func (ev *Event) flappingReason() string {
	return fmt.Sprintf("%d FAILED/UP alerts since %s, over the limit of %d an hour: %d more held. "+
		"No more FAILED or UP alerts until %s; the state is still kept with every ping",
		MaxAlertsPerHour+ev.AlertsHeld, FormatTime(ev.AlertWindowStart), MaxAlertsPerHour, ev.AlertsHeld,
		FormatTime(ev.AlertWindowStart.Add(AlertWindow)))
}

// MaxConfigAlertsPerPoll is how many CONFIG alerts one poll publishes one
// by one; the rest go out together in one ConfigDigest.
const MaxConfigAlertsPerPoll = 5

// maxDigestLines bounds the lines a digest lists (each name is counted).
const maxDigestLines = 100

// ConfigProblem is one CONFIG alert's matter: an event name a ping used, or
// an unusable item, and what is wrong.
type ConfigProblem struct {
	Name, Problem string
}

// ConfigDigest is the one CONFIG alert that stands for many (pings naming
// many unknown events: a typo in a fleet's config, or a sender spraying
// names). Its subject counts them; its body lists them. It names no single
// event, so it carries no `event` attribute.
func ConfigDigest(problems []ConfigProblem) Alert {
	body := digestBody(fmt.Sprintf("Config: %d unknown events", len(problems)),
		fmt.Sprintf("Pings named these events, or their items cannot be used (more than %d in one poll, so they come in one alert):", MaxConfigAlertsPerPoll),
		len(problems),
		func(i int) string { return "  - " + truncate(SingleLine(problems[i].Problem), 300) + "\n" },
		func(i, _ int, _ string) bool { return i < maxDigestLines },
		func(rest int) string { return fmt.Sprintf("  ... and %d more\n", rest) },
		"\nTheir pings stay in the queue and move to the dead-letter queue after a few tries;\n"+
			"create the events (memon-config set NAME ...) and redrive the dead-letter queue to keep them.\n--\nMEMon\n")
	return Alert{Kind: KindConfig, Subject: Subject(KindConfig, fmt.Sprintf("%d unknown events", len(problems))), Body: body}
}

// digestBody writes the body of an alert that stands for many: the banner
// with its headline, the intro, one line per item while fits allows (given
// the item's index, the body's length so far and the line), then what rest
// says of the items left out, and the footer.
func digestBody(headline, intro string, n int, line func(i int) string, fits func(i, size int, line string) bool,
	rest func(left int) string, footer string) string {
	var b strings.Builder
	b.WriteString("MEMon Alert\n-----------\n" + headline + "\n\n" + intro + "\n\n")
	for i := range n {
		l := line(i)
		if !fits(i, b.Len(), l) {
			b.WriteString(rest(n - i))
			break
		}
		b.WriteString(l)
	}
	b.WriteString(footer)
	return b.String()
}

// MaxDownAlertsPerPoll is how many DOWN alerts one poll publishes one by
// one; the rest go out together in one DownDigest. A fleet-wide outage (or
// many events a sender made up) is then 11 messages, not thousands; every
// event's state, history and counts are kept exactly as if each had its own.
const MaxDownAlertsPerPoll = 10

// maxDownDigestBytes bounds a DOWN digest's text, which goes out in
// several forms of one SNS message (at most 256 KiB in all).
const maxDownDigestBytes = 48 << 10

// downDigestLine is a held event's line in a DOWN digest.
func downDigestLine(h HeldDown) string {
	line := "  - " + SingleLine(h.Name)
	if len(h.Tags) > 0 {
		line += " [" + TagsText(h.Tags) + "]"
	}
	return line + ": " + truncate(SingleLine(h.Reason), 200) + "\n"
}

// HeldDown is a DOWN alert a poll held for its digest.
type HeldDown struct {
	Name   string
	Reason string
	// Tags are the event's routing tags. The digest lists them; when alerts
	// carry tags as a message attribute, the digest's is their union, so a
	// subscriber routed by tag sees it (DownDigest is the one place).
	Tags []string
}

// DownDigest is one DOWN alert that stands for events past
// MaxDownAlertsPerPoll in one poll. It names the first n of held, each
// with its tags and why, as many as maxDownDigestBytes holds (at least
// one); its subject counts them and its tags are theirs. The poller sends
// the rest in more digests, so that every event is named in one.
func DownDigest(held []HeldDown) (a Alert, n int) {
	headline := func(k int) string { return fmt.Sprintf("Down: %d more events", k) }
	intro := fmt.Sprintf("These events are DOWN too (more than %d DOWN alerts in one poll, so they come in one alert):", MaxDownAlertsPerPoll)
	const footer = "\nEach event's state and history are kept as usual: memon-config show NAME.\n--\nMEMon\n"
	frame := digestBody(headline(len(held)), intro, 0, nil, nil, nil, footer) // the body without its lines
	size := len(frame)
	var lines []string
	for _, h := range held {
		l := downDigestLine(h)
		if len(lines) > 0 && size+len(l) > maxDownDigestBytes {
			break
		}
		size += len(l)
		lines = append(lines, l)
	}
	n = len(lines)
	body := digestBody(headline(n), intro, n, func(i int) string { return lines[i] },
		func(int, int, string) bool { return true }, nil, footer)
	var tags []string
	for _, h := range held[:n] {
		for _, t := range LimitTags(h.Tags) {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	slices.Sort(tags)
	return Alert{Kind: KindDown, Subject: Subject(KindDown, fmt.Sprintf("%d more events", n)), Body: body, Tags: tags}, n
}
