package memon

import (
	"fmt"
	"time"
)

// KindTest is the SNS `kind` of a test alert (memon-config test-alert,
// memon-config doctor): a subscription that filters on kind can leave it out.
const KindTest AlertKind = "test"

// TestEvent is the made-up event a test alert describes.
const TestEvent = "memon-test"

// TestAlertKinds are the alerts a test can imitate.
var TestAlertKinds = []AlertKind{KindDown, KindUp, KindFailed, KindLate}

// TestAlert renders what an alert of kind looks like, for a made-up event,
// marked as a test in the subject ("[MEMon] Test: Down: memon-test") and at
// the top of the body, with SNS kind "test". by names the command that sent
// it. It lets a person check the e-mail or chat subscription after a deploy;
// with tags, the route of those tags (the made-up event carries them).
func TestAlert(kind AlertKind, now time.Time, by string, tags ...string) (Alert, error) {
	s, err := NewSchedule(Rolling, time.Hour, "", "")
	if err != nil {
		return Alert{}, err
	}
	ev := NewEvent(TestEvent, s)
	ev.Description = "a made-up event for this test"
	ev.Tags = tags
	ev.Apply(Ping{Name: TestEvent, Signal: Success, SentAt: now.Add(-2 * time.Hour)})
	ev.Outbox = nil
	var a Alert
	switch kind {
	case KindDown:
		trs, _ := ev.CheckDue(now)
		a = *trs[0].Alert
	case KindLate:
		trs, _ := ev.Apply(Ping{Name: TestEvent, Signal: Success, SentAt: now})
		a = *trs[0].Alert
	case KindFailed, KindUp:
		code := 1
		trs, _ := ev.Apply(Ping{Name: TestEvent, Signal: Fail, SentAt: now.Add(-time.Minute), ExitCode: &code,
			Host: "test-host", RunID: "test-run", Message: "the last lines the job printed\nwould be here"})
		a = *trs[0].Alert
		if kind == KindUp {
			trs, _ = ev.Apply(Ping{Name: TestEvent, Signal: Success, SentAt: now})
			a = *trs[0].Alert
		}
	default:
		return Alert{}, invalid("kind", string(kind), "want down, up, failed or late")
	}
	a.Body = fmt.Sprintf("THIS IS A TEST sent by %s at %s: nothing is wrong with any job.\n"+
		"A real %s alert looks like this:\n\n%s", by, FormatTime(now), subjectWord[kind], a.Body)
	a.Subject = snsSubject("[MEMon] Test: " + a.Subject[len("[MEMon] "):])
	a.Kind = KindTest
	return a, nil
}
