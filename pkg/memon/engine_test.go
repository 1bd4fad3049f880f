package memon

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seedEvent is an event as memon.py stored it: Up, with blocks and a last run.
func seedEvent(t *testing.T, kind ScheduleKind, period time.Duration, last, next, success time.Time) *Event {
	t.Helper()
	ev := NewEvent("job", mustSchedule(t, kind, period, "", ""))
	ev.State = Up
	ev.LastBlockTime, ev.NextBlockTime, ev.LastSuccessTime = last, next, success
	return ev
}

func TestApplySeedFixedBlocks(t *testing.T) {
	t.Parallel()
	// SEMANTICS.md: Period 5, LastBlockTime 5, NextBlockTime 10.
	cases := []struct {
		name       string
		run        int64
		last, next int64
		want       []AlertKind
	}{
		{"a run at 8 gives 10/15", 8, 10, 15, nil},
		{"a run at 12 gives 15/20 and a LATE notification", 12, 15, 20, []AlertKind{KindLate}},
		{"a run exactly at the deadline 10 is on time and gives 10/15", 10, 10, 15, nil},
		{"a run at 10.001 is late and gives 15/20", 10, 15, 20, []AlertKind{KindLate}}, // adjusted below
		{"a run in the block before the current one still gives 10/15", 4, 10, 15, nil},
		{"a run three blocks late gives 25/30 and LATE", 23, 25, 30, []AlertKind{KindLate}},
		{"a run on a later block boundary gives 25/30 and LATE", 25, 25, 30, []AlertKind{KindLate}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := seedEvent(t, Fixed, 5*time.Second, at(5), at(10), at(1))
			sent := at(tc.run)
			if strings.Contains(tc.name, "10.001") {
				sent = sent.Add(time.Millisecond)
			}
			trs, ok := ev.Apply(success("job", sent))
			if !ok {
				t.Fatal("Apply refused a fresh ping")
			}
			if !ev.LastBlockTime.Equal(at(tc.last)) || !ev.NextBlockTime.Equal(at(tc.next)) {
				t.Errorf("blocks %d/%d, want %d/%d", ev.LastBlockTime.Unix(), ev.NextBlockTime.Unix(), tc.last, tc.next)
			}
			if !slices.Equal(kinds(trs), tc.want) {
				t.Errorf("alerts %v, want %v", kinds(trs), tc.want)
			}
			if !ev.LastSuccessTime.Equal(sent) || ev.ErrorCount != 0 || ev.State != Up {
				t.Errorf("after run: success %v, errors %d, state %s", ev.LastSuccessTime, ev.ErrorCount, ev.State)
			}
		})
	}
}

func TestApplyFixedWithoutLastBlock(t *testing.T) {
	t.Parallel()
	// An item with NextBlockTime but no (or an inconsistent) LastBlockTime:
	// the block before the deadline is assumed.
	for _, last := range []time.Time{{}, at(10), at(99)} {
		ev := seedEvent(t, Fixed, 5*time.Second, last, at(10), at(1))
		trs, _ := ev.Apply(success("job", at(12)))
		if !ev.LastBlockTime.Equal(at(15)) || !ev.NextBlockTime.Equal(at(20)) || !slices.Equal(kinds(trs), []AlertKind{KindLate}) {
			t.Errorf("last %v: blocks %d/%d, %v", last.Unix(), ev.LastBlockTime.Unix(), ev.NextBlockTime.Unix(), kinds(trs))
		}
	}
}

func TestApplySeedRolling(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Minute, "", ""))

	// An event that has never run: the first ping sets the deadline, silently.
	trs, ok := ev.Apply(success("job", at(100)))
	if !ok || !slices.Equal(kinds(trs), []AlertKind{""}) || trs[0].From != New || trs[0].To != Up {
		t.Fatalf("first run: %+v, %v", trs, ok)
	}
	if !ev.LastBlockTime.Equal(at(100)) || !ev.NextBlockTime.Equal(at(160)) {
		t.Fatalf("first run blocks %v/%v, want 100/160", ev.LastBlockTime.Unix(), ev.NextBlockTime.Unix())
	}
	// On time: t + Period, nothing to say.
	if trs, ok := ev.Apply(success("job", at(150))); !ok || len(trs) != 0 || !ev.NextBlockTime.Equal(at(210)) {
		t.Fatalf("on-time run: %v, %v, next %v", trs, ok, ev.NextBlockTime.Unix())
	}
	// Deadline passed, no DOWN yet: LATE.
	trs, _ = ev.Apply(success("job", at(211)))
	if !slices.Equal(kinds(trs), []AlertKind{KindLate}) || !ev.NextBlockTime.Equal(at(271)) {
		t.Fatalf("late run: %v, next %v", kinds(trs), ev.NextBlockTime.Unix())
	}
	if trs[0].Alert.Subject != "[MEMon] Late: job" {
		t.Errorf("subject %q", trs[0].Alert.Subject)
	}
}

func TestApplyAfterDownIsUp(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
	if _, ok := ev.CheckDue(at(61)); !ok || ev.State != Down || ev.ErrorCount != 1 {
		t.Fatalf("CheckDue: state %s errors %d", ev.State, ev.ErrorCount)
	}
	trs, ok := ev.Apply(success("job", at(90)))
	if !ok || !slices.Equal(kinds(trs), []AlertKind{KindUp}) || ev.State != Up || ev.ErrorCount != 0 {
		t.Fatalf("run after DOWN: %v state %s errors %d", kinds(trs), ev.State, ev.ErrorCount)
	}
	if trs[0].Alert.Subject != "[MEMon] Up: job" || trs[0].From != Down || trs[0].To != Up {
		t.Errorf("transition %+v", trs[0])
	}
	if !ev.NextBlockTime.Equal(at(150)) {
		t.Errorf("next %v, want 150", ev.NextBlockTime.Unix())
	}
}

func TestApplyStaleAndRedelivered(t *testing.T) {
	t.Parallel()
	base := func() *Event {
		ev := seedEvent(t, Rolling, time.Minute, at(100), at(160), at(100))
		ev.LastPingTime = at(100)
		return ev
	}
	cases := []struct {
		name  string
		prep  func(ev *Event)
		ping  Ping
		fresh bool
	}{
		{"the same success redelivered changes nothing", nil, success("job", at(100)), false},
		{"an older success changes nothing (LastSuccessTime never moves back)", nil, success("job", at(99)), false},
		{"a start older than the last run is ignored", nil, Ping{Name: "job", Signal: Start, SentAt: at(50)}, false},
		{"a superseded fail redelivered changes nothing",
			func(ev *Event) { ev.Apply(fail("job", at(90), 1)) }, fail("job", at(90), 1), false},
		{"a success older than the last fail is ignored",
			func(ev *Event) { ev.Apply(fail("job", at(130), 1)) }, success("job", at(120)), false},
		{"the same fail redelivered changes nothing",
			func(ev *Event) { ev.Apply(fail("job", at(130), 1)) }, fail("job", at(130), 1), false},
		{"the same start redelivered changes nothing",
			func(ev *Event) { ev.Apply(Ping{Name: "job", Signal: Start, SentAt: at(120)}) }, Ping{Name: "job", Signal: Start, SentAt: at(120)}, false},
		{"a start older than the last fail is ignored",
			func(ev *Event) { ev.Apply(fail("job", at(130), 1)) }, Ping{Name: "job", Signal: Start, SentAt: at(120)}, false},
		{"a newer start is recorded", nil, Ping{Name: "job", Signal: Start, SentAt: at(110), Host: "h2"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := base()
			if tc.prep != nil {
				tc.prep(ev)
			}
			before := *ev
			before.Outbox = append([]Transition(nil), ev.Outbox...)
			trs, ok := ev.Apply(tc.ping)
			if ok != tc.fresh {
				t.Fatalf("Apply = %v, want %v", ok, tc.fresh)
			}
			if len(trs) != 0 {
				t.Fatalf("transitions %+v", trs)
			}
			if !tc.fresh && !reflect.DeepEqual(&before, ev) {
				t.Fatalf("stale ping changed the event:\n%+v\n%+v", before, *ev)
			}
			if tc.fresh && (!ev.LastStartTime.Equal(tc.ping.SentAt) || ev.LastHost != "h2" || !ev.NextBlockTime.Equal(at(160))) {
				t.Fatalf("start not recorded or moved the deadline: %+v", ev)
			}
		})
	}
}

func TestApplyUsesSentAtNotClientTime(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Minute, at(100), at(160), at(100))
	// Sent before the deadline, its body claims later: SentAt decides, and
	// Apply takes no processing time at all, so queue delay cannot make it late.
	p := success("job", at(159))
	p.ClientTime = at(500)
	trs, ok := ev.Apply(p)
	if !ok || len(trs) != 0 {
		t.Fatalf("on-time ping judged by client time: %v", kinds(trs))
	}
	if !ev.LastSuccessTime.Equal(at(159)) || !ev.LastClientTime.Equal(at(500)) || !ev.LastPingTime.Equal(at(159)) {
		t.Fatalf("times: success %v client %v ping %v", ev.LastSuccessTime, ev.LastClientTime, ev.LastPingTime)
	}
}

func TestApplyFail(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	ev.Description = "nightly dump"
	p := fail("job", at(100), 2)
	p.Message, p.Host, p.RunID, p.Duration = "disk full", "db1", "r-7", 90*time.Second
	trs, ok := ev.Apply(p)
	if !ok || !slices.Equal(kinds(trs), []AlertKind{KindFailed}) {
		t.Fatalf("fail: %v", kinds(trs))
	}
	if ev.State != Down || !ev.LastFailTime.Equal(at(100)) || !ev.LastSuccessTime.Equal(at(0)) {
		t.Fatalf("state %s fail %v success %v", ev.State, ev.LastFailTime, ev.LastSuccessTime)
	}
	a := trs[0].Alert
	if a.Subject != "[MEMon] Failed: job" {
		t.Errorf("subject %q", a.Subject)
	}
	for _, want := range []string{"exit code 2", "Exit code:     2", "disk full", "Host:          db1", "Run id:        r-7", "Duration:      1m30s", "nightly dump", "Last failure:"} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("FAILED body lacks %q:\n%s", want, a.Body)
		}
	}
	// Another failure is reported too.
	if trs, _ := ev.Apply(fail("job", at(200), 3)); !slices.Equal(kinds(trs), []AlertKind{KindFailed}) {
		t.Errorf("second fail: %v", kinds(trs))
	}
	// Then a success: UP.
	if trs, _ := ev.Apply(success("job", at(300))); !slices.Equal(kinds(trs), []AlertKind{KindUp}) || ev.State != Up {
		t.Errorf("success after fail: %v, %s", kinds(trs), ev.State)
	}
}

func TestApplyFailWithoutExitCode(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	trs, _ := ev.Apply(Ping{Name: "job", Signal: Fail, SentAt: at(10)})
	if !slices.Equal(kinds(trs), []AlertKind{KindFailed}) || trs[0].From != New || strings.Contains(trs[0].Alert.Body, "Exit code") {
		t.Fatalf("%+v", trs)
	}
	if trs[0].Reason != "the job reported a failure" {
		t.Errorf("reason %q", trs[0].Reason)
	}
}

func TestApplyPausedIsRecordedNeverAlerted(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
	ev.Enabled = false
	if ev.Status() != Paused {
		t.Fatalf("status %s", ev.Status())
	}
	for i, p := range []Ping{success("job", at(500)), fail("job", at(600), 1), success("job", at(700))} {
		trs, ok := ev.Apply(p)
		if !ok {
			t.Fatalf("ping %d refused", i)
		}
		for _, tr := range trs {
			if tr.Alert != nil {
				t.Fatalf("paused event alerted: %+v", tr)
			}
		}
	}
	if !ev.LastSuccessTime.Equal(at(700)) || !ev.LastFailTime.Equal(at(600)) {
		t.Errorf("pings not recorded")
	}
	if trs, ok := ev.CheckDue(at(100000)); ok || len(trs) != 0 || ev.ErrorCount != 0 {
		t.Errorf("paused event checked: %v", trs)
	}
	for _, tr := range ev.Outbox {
		ev.Delivered(tr.ID)
	}
	if !ev.AlertAt().IsZero() {
		t.Errorf("paused event watched at %v", ev.AlertAt())
	}
}

func TestCheckDueSeed(t *testing.T) {
	t.Parallel()
	// Rolling, period 60, last run at 0: deadline 60. DOWN once per missed
	// period, at most 3, ErrorCount keeps counting.
	ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
	steps := []struct {
		now    int64
		want   []AlertKind
		errors int
	}{
		{59, nil, 0},
		{60, []AlertKind{KindDown}, 1},
		{60, nil, 1}, // a second poll at the same time decides nothing
		{119, nil, 1},
		{120, []AlertKind{KindDown}, 2},
		{180, []AlertKind{KindDown}, 3},
		{240, []AlertKind{""}, 4}, // counted and recorded, no longer alerted
		{300, []AlertKind{""}, 5},
	}
	for _, s := range steps {
		trs, ok := ev.CheckDue(at(s.now))
		if ok != (len(s.want) > 0) || !slices.Equal(kinds(trs), s.want) || ev.ErrorCount != s.errors {
			t.Fatalf("now %d: %v %v errors %d; want %v errors %d", s.now, kinds(trs), ok, ev.ErrorCount, s.want, s.errors)
		}
		if len(trs) > 0 && (ev.State != Down || trs[0].To != Down) {
			t.Fatalf("now %d: state %s", s.now, ev.State)
		}
		if len(trs) > 0 && trs[0].Alert != nil && trs[0].Alert.Subject != "[MEMon] Down: job" {
			t.Fatalf("subject %q", trs[0].Alert.Subject)
		}
	}
	if ev.State != Down || !ev.Deadline().Equal(at(360)) || !ev.AlertAt().Equal(at(60)) {
		t.Errorf("state %s deadline %v", ev.State, ev.Deadline().Unix())
	}
}

func TestCheckDueMaxAlerts(t *testing.T) {
	t.Parallel()
	for _, max := range []int{1, 2, 5} {
		ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
		ev.MaxAlerts = max
		alerts := 0
		for now := int64(60); now <= 60*20; now += 60 {
			trs, _ := ev.CheckDue(at(now))
			for _, tr := range trs {
				if tr.Alert != nil {
					alerts++
				}
			}
		}
		if alerts != max || ev.ErrorCount != 20 {
			t.Errorf("MaxAlerts %d: %d alerts, %d missed", max, alerts, ev.ErrorCount)
		}
	}
}

func TestCheckDuePollerOutageIsOneDown(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 5, 100} {
		ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
		now := at(60 + int64(n-1)*60 + 30) // n deadlines have passed
		trs, ok := ev.CheckDue(now)
		if !ok || !slices.Equal(kinds(trs), []AlertKind{KindDown}) || ev.ErrorCount != n {
			t.Fatalf("outage of %d periods: %v, missed %d", n, kinds(trs), ev.ErrorCount)
		}
		if !strings.Contains(trs[0].Alert.Body, "Missed runs:   "+itoa(n)) {
			t.Errorf("body lacks the missed count %d:\n%s", n, trs[0].Alert.Body)
		}
		if !trs[0].At.Equal(at(60)) {
			t.Errorf("transition at %v, want the first missed deadline", trs[0].At)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCheckDueGrace(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	ev.Grace = 10 * time.Minute
	if _, ok := ev.CheckDue(at(3600 + 599)); ok {
		t.Fatal("DOWN inside grace")
	}
	if !ev.AlertAt().Equal(at(3600 + 600)) {
		t.Fatalf("AlertAt %v, want deadline + grace", ev.AlertAt().Unix())
	}
	trs, ok := ev.CheckDue(at(3600 + 600))
	if !ok || !slices.Equal(kinds(trs), []AlertKind{KindDown}) || ev.ErrorCount != 1 {
		t.Fatalf("at deadline+grace: %v", kinds(trs))
	}
	if !strings.Contains(trs[0].Alert.Body, "grace 10m") {
		t.Errorf("body does not show grace:\n%s", trs[0].Alert.Body)
	}
	// The next reminder is one period later, grace included.
	ev.Delivered(trs[0].ID)
	if !ev.AlertAt().Equal(at(7200 + 600)) {
		t.Errorf("next check %v", ev.AlertAt().Unix())
	}
	if _, ok := ev.CheckDue(at(7200 + 599)); ok {
		t.Error("reminder inside grace")
	}
	if _, ok := ev.CheckDue(at(7200 + 600)); !ok || ev.ErrorCount != 2 {
		t.Error("no reminder a period later")
	}
}

// Grace means "don't bother me": for rolling and fixed as for
// cron, a run before deadline + grace is on time; LATE is a run after
// deadline + grace that came before any DOWN alert.
func TestApplyRunInsideGraceIsOnTime(t *testing.T) {
	t.Parallel()
	for _, kind := range []ScheduleKind{Rolling, Fixed} {
		ev := seedEvent(t, kind, time.Minute, at(0), at(60), at(0))
		ev.Grace = 2 * time.Minute
		if trs, _ := ev.Apply(success("job", at(60+18))); len(trs) != 0 {
			t.Errorf("%s: a run 18s after the deadline, inside a 2m grace: %v", kind, kinds(trs))
		}
		ev = seedEvent(t, kind, time.Minute, at(0), at(60), at(0))
		ev.Grace = 2 * time.Minute
		if trs, _ := ev.Apply(success("job", at(60+120))); len(trs) != 0 {
			t.Errorf("%s: a run exactly at deadline + grace: %v", kind, kinds(trs))
		}
		ev = seedEvent(t, kind, time.Minute, at(0), at(60), at(0))
		ev.Grace = 2 * time.Minute
		trs, _ := ev.Apply(success("job", at(60+121)))
		if !slices.Equal(kinds(trs), []AlertKind{KindLate}) ||
			!strings.Contains(trs[0].Reason, "ran 2m1s after its deadline 1970-01-01 00:01:00 UTC, past its grace of 2m, before any DOWN alert") {
			t.Errorf("%s: a run past deadline + grace before any DOWN: %v %+v", kind, kinds(trs), trs)
		}
	}
}

func TestNewEventsNeverAlert(t *testing.T) {
	t.Parallel()
	for _, kind := range []ScheduleKind{Rolling, Fixed} {
		ev := NewEvent("job", mustSchedule(t, kind, time.Minute, "", ""))
		if ev.Status() != New || ev.MaxAlerts != 0 || ev.MaxAlertsOrDefault() != DefaultMaxAlerts || DefaultMaxAlerts != 3 {
			t.Fatalf("NewEvent: %+v", ev)
		}
		if trs, ok := ev.CheckDue(at(1 << 40)); ok || trs != nil || !ev.AlertAt().IsZero() || !ev.Deadline().IsZero() {
			t.Fatalf("%s: a never-run event was checked", kind)
		}
	}
	ev := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * *", "Europe/Berlin"))
	if _, ok := ev.CheckDue(at(1 << 40)); ok {
		t.Fatal("cron: a never-run event was checked")
	}
}

func TestSetInitialArmsBeforeFirstRun(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Fixed, time.Hour, "", ""))
	first := time.Date(2025, 6, 1, 4, 0, 0, 0, time.UTC)
	ev.SetInitial(first)
	// memon.py: NextBlockTime = initial, LastBlockTime = NextBlockTime - Period.
	if !ev.NextBlockTime.Equal(first) || !ev.LastBlockTime.Equal(first.Add(-time.Hour)) || !ev.AlertAt().Equal(first) || ev.Status() != New {
		t.Fatalf("blocks %v/%v", ev.LastBlockTime, ev.NextBlockTime)
	}
	if _, ok := ev.CheckDue(first.Add(-time.Second)); ok {
		t.Fatal("DOWN before the initial deadline")
	}
	trs, ok := ev.CheckDue(first)
	if !ok || !slices.Equal(kinds(trs), []AlertKind{KindDown}) || trs[0].From != New {
		t.Fatalf("armed event not watched: %+v", trs)
	}

	// Armed, run late but before any DOWN: LATE.
	ev2 := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	ev2.SetInitial(first)
	trs, _ = ev2.Apply(success("job", first.Add(time.Minute)))
	if !slices.Equal(kinds(trs), []AlertKind{KindLate}) {
		t.Fatalf("armed late first run: %v", kinds(trs))
	}
	// Armed, run in time: a silent first run.
	ev3 := NewEvent("job", mustSchedule(t, Fixed, time.Hour, "", ""))
	ev3.SetInitial(first)
	trs, _ = ev3.Apply(success("job", first.Add(-time.Minute)))
	if !slices.Equal(kinds(trs), []AlertKind{""}) || !ev3.NextBlockTime.Equal(first.Add(time.Hour)) {
		t.Fatalf("armed first run: %v next %v", kinds(trs), ev3.NextBlockTime)
	}
}

func TestCheckDueFromUnsetStateIsNew(t *testing.T) {
	t.Parallel()
	// An item without a State attribute (memon.py's) decodes with State "".
	ev := &Event{Config: Config{Name: "job", Enabled: true, Schedule: mustSchedule(t, Rolling, time.Minute, "", "")}, NextBlockTime: at(60)}
	trs, _ := ev.CheckDue(at(61))
	if len(trs) != 1 || trs[0].From != New {
		t.Fatalf("%+v", trs)
	}
}

func TestOutbox(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	trs, _ := ev.CheckDue(at(3610))
	tr := trs[0]
	if len(ev.Outbox) != 1 || ev.Outbox[0].ID != tr.ID || tr.Tries != 0 || !ev.Pending(tr.ID) {
		t.Fatalf("outbox %+v", ev.Outbox)
	}
	// Decided, unclaimed: due at once (its decision time).
	if !tr.NextTry.IsZero() || !ev.AlertAt().Equal(tr.At) {
		t.Fatalf("NextTry %v AlertAt %v, want the decision time %v", tr.NextTry, ev.AlertAt(), tr.At)
	}
	now := at(3620)
	claimed := ev.Claim(now)
	if len(claimed) != 1 || claimed[0].ID != tr.ID || !ev.Outbox[0].NextTry.Equal(now.Add(RetryDelay)) {
		t.Fatalf("Claim: %+v, outbox %+v", claimed, ev.Outbox)
	}
	if again := ev.Claim(now.Add(RetryDelay - time.Second)); len(again) != 0 {
		t.Fatalf("claimed twice inside RetryDelay: %+v", again)
	}
	if !ev.AlertAt().Equal(now.Add(RetryDelay)) {
		t.Fatalf("AlertAt %v, want the claim's expiry", ev.AlertAt())
	}

	// Backoff grows with failures and is capped.
	want := []time.Duration{4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute, 15 * time.Minute}
	for i, w := range want {
		ev.DeliveryFailed(tr.ID, now)
		if ev.Outbox[0].Tries != i+1 || !ev.Outbox[0].NextTry.Equal(now.Add(w)) {
			t.Fatalf("try %d: next %v, want +%v", i+1, ev.Outbox[0].NextTry.Sub(now), w)
		}
	}
	ev.DeliveryFailed("no-such-id", now)
	if ev.Outbox[0].Tries != len(want) {
		t.Fatal("DeliveryFailed of an unknown id touched an entry")
	}
	// An alert whose publish failed is looked at by every poll (each one
	// reports it until it goes out), but retried only with the backoff.
	if !ev.AlertAt().Equal(tr.At) || ev.Undelivered(nil) != 1 {
		t.Errorf("AlertAt %v undelivered %d, want %v (every poll) and 1", ev.AlertAt(), ev.Undelivered(nil), tr.At)
	}
	if got := ev.Claim(now.Add(15*time.Minute - time.Second)); len(got) != 0 {
		t.Fatalf("claimed before its backoff: %v", got)
	}
	if got := ev.Claim(now.Add(15 * time.Minute)); len(got) != 1 || ev.Undelivered(got) != 0 {
		t.Fatalf("not claimable when NextTry came: %v", got)
	}
	// Published, only its history record waits: retried with the backoff.
	ev.MarkPublished(tr.ID)
	if !ev.AlertAt().Equal(ev.Outbox[0].NextTry) || ev.Undelivered(nil) != 0 {
		t.Errorf("AlertAt %v, want the retry (earlier than the next DOWN check)", ev.AlertAt())
	}

	// A DOWN check earlier than the retry wins AlertAt.
	ev.Outbox[0].NextTry = at(1 << 33)
	if !ev.AlertAt().Equal(at(7200)) {
		t.Errorf("AlertAt %v, want the next DOWN check 7200", ev.AlertAt().Unix())
	}

	// Delivered removes only that entry, and leaves copies alone.
	ev.Apply(success("job", at(7000)))
	if len(ev.Outbox) != 2 {
		t.Fatalf("outbox %d", len(ev.Outbox))
	}
	snapshot := *ev // what a poller kept for its conditional write
	first, second := ev.Outbox[0].ID, ev.Outbox[1].ID
	ev.Delivered("no-such-id")
	if len(ev.Outbox) != 2 {
		t.Fatal("Delivered of an unknown id removed something")
	}
	ev.Delivered(first)
	if len(ev.Outbox) != 1 || ev.Outbox[0].ID != second || ev.Pending(first) || !ev.Pending(second) {
		t.Fatalf("after Delivered: %+v", ev.Outbox)
	}
	if snapshot.Outbox[0].ID != first || snapshot.Outbox[1].ID != second {
		t.Fatalf("Delivered rewrote a copy's outbox: %s, %s", snapshot.Outbox[0].ID, snapshot.Outbox[1].ID)
	}
	ev.Delivered(second)
	if len(ev.Outbox) != 0 || !ev.AlertAt().Equal(at(7000+3600)) {
		t.Fatalf("outbox %v AlertAt %v", ev.Outbox, ev.AlertAt().Unix())
	}
}

func TestTransitionIDsAreUnique(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	// Outbox order is not guaranteed (the store keeps a map): a suffixed id
	// ahead of its base must not produce a duplicate.
	base := ev.transition(at(10), Up, Down, "x", KindDown)
	ev.Outbox = []Transition{{ID: base.ID + "-2"}, {ID: base.ID}}
	tr := ev.transition(at(10), Up, Down, "x", KindDown)
	seen := map[string]bool{}
	for _, o := range append(ev.Outbox, tr) {
		if seen[o.ID] {
			t.Fatalf("duplicate id %q", o.ID)
		}
		seen[o.ID] = true
	}
	silent := ev.transition(at(10), Up, Down, "x", "")
	if silent.Alert != nil || !strings.HasPrefix(silent.ID, "10000-down-") || ev.Pending(silent.ID) {
		t.Errorf("silent transition %+v", silent)
	}
}

// Ambiguous rule, decided: reminders are capped by missed periods, as
// memon.py's "DOWN while ErrorCount < max-notify-count". After a poller
// outage of MaxAlerts periods or more, the single DOWN is the last one.
func TestCheckDueRemindersAreCappedByMissedPeriodsNotAlertsSent(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
	trs, _ := ev.CheckDue(at(60 + 60)) // two periods missed at once
	if !slices.Equal(kinds(trs), []AlertKind{KindDown}) || ev.ErrorCount != 2 {
		t.Fatalf("%v missed %d", kinds(trs), ev.ErrorCount)
	}
	trs, _ = ev.CheckDue(at(180)) // third missed period: one more reminder
	if !slices.Equal(kinds(trs), []AlertKind{KindDown}) || ev.ErrorCount != 3 {
		t.Fatalf("%v missed %d", kinds(trs), ev.ErrorCount)
	}
	trs, _ = ev.CheckDue(at(240))
	if !slices.Equal(kinds(trs), []AlertKind{""}) || ev.ErrorCount != 4 {
		t.Fatalf("%v missed %d", kinds(trs), ev.ErrorCount)
	}
}

func TestFailedThenSilentIsDownAgainAtTheNextDeadline(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	ev.Apply(fail("job", at(600), 1)) // FAILED; the run still covers its block
	if !ev.NextBlockTime.Equal(at(4200)) || ev.State != Down {
		t.Fatalf("next %v state %s", ev.NextBlockTime.Unix(), ev.State)
	}
	if _, ok := ev.CheckDue(at(4199)); ok {
		t.Fatal("DOWN before the deadline")
	}
	trs, _ := ev.CheckDue(at(4200))
	if !slices.Equal(kinds(trs), []AlertKind{KindDown}) || trs[0].From != Down {
		t.Fatalf("%+v", trs)
	}
}

// TestApplyFailureDeliveredAfterALaterSuccess: SQS hands a failure over
// after a later success was applied. The failure is recorded (a superseded
// history transition, the day's failure count) without a FAILED alert and
// without moving the state, the deadline or the last run's details.
func TestApplyFailureDeliveredAfterALaterSuccess(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Minute, at(100), at(160), at(100))
	ev.Apply(success("job", at(130)))
	ev.Outbox = nil
	before := *ev
	late := fail("job", at(120), 3)
	late.Host = "web2"
	trs, ok := ev.Apply(late)
	if !ok || len(trs) != 1 {
		t.Fatalf("Apply = %v, %+v: want the failure recorded", ok, trs)
	}
	tr := trs[0]
	if !tr.Superseded || tr.Alert != nil || tr.From != Up || tr.To != Up || !tr.At.Equal(at(120)) || !strings.Contains(tr.Reason, "superseded") {
		t.Fatalf("transition %+v: want a superseded up→up record at 120 with no alert", tr)
	}
	if r := tr.Record(); !r.Superseded || !strings.HasSuffix(r.Key(), " "+SupersededKey) {
		t.Errorf("history record %+v key %q: not marked superseded", r, r.Key())
	}
	if ev.State != Up || !ev.NextBlockTime.Equal(before.NextBlockTime) || !ev.LastSuccessTime.Equal(at(130)) ||
		ev.LastExitCode != before.LastExitCode || ev.LastHost != before.LastHost {
		t.Errorf("the late failure moved the state: %+v", ev)
	}
	if ev.Today.Failures != before.Today.Failures+1 || ev.Today.Runs != before.Today.Runs+1 {
		t.Errorf("day counts %+v, want one more run and one more failure than %+v", ev.Today, before.Today)
	}
	if trs, ok := ev.Apply(late); ok || len(trs) != 0 {
		t.Errorf("the late failure redelivered: %v %+v, want stale", ok, trs)
	}
}

func TestLastRunIDIsTheLastRunsOwn(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	ping := func(sig Signal, sec int64, id string) {
		ev.Apply(Ping{Name: "job", Signal: sig, SentAt: at(sec), RunID: id})
	}
	ping(Success, 10, "run-1")
	ping(Start, 20, "run-2")
	if ev.LastRunID != "run-1" {
		t.Fatalf("a start replaced the last run's id: %q", ev.LastRunID)
	}
	ping(Success, 30, "run-2")
	ping(Success, 40, "")
	if ev.LastRunID != "" {
		t.Fatalf("a run without an id shows an earlier run's: %q", ev.LastRunID)
	}
}

func TestApplyLogRecordsAMessageOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		state   State
		message string
		reason  string
	}{
		{"on an up event", Up, "pruned 3 archives", "log: pruned 3 archives"},
		{"on a down event it does not recover it", Down, "still broken", "log: still broken"},
		{"without a body", Up, "", "log (no message)"},
		{"a long body keeps its tail", Up, strings.Repeat("x", 2*MaxReasonLen) + "END", "log: " + strings.Repeat("x", MaxReasonLen-len("log: ")-3) + "END"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
			ev.State = tc.state
			before := *ev
			p := Ping{Name: "job", Signal: Log, SentAt: at(60), Message: tc.message}
			trs, ok := ev.Apply(p)
			if !ok || len(trs) != 1 {
				t.Fatalf("Apply(log) = %v, %v; want one record", trs, ok)
			}
			tr := trs[0]
			if !tr.Log || tr.Alert != nil || tr.From != "" || tr.To != "" || tr.Reason != tc.reason || !tr.At.Equal(at(60)) {
				t.Errorf("transition %+v, want a log record %q at 60 with no state and no alert", tr, tc.reason)
			}
			r := tr.Record()
			if r.Change() != "log" || !strings.HasSuffix(r.Key(), " "+LogKey) {
				t.Errorf("record reads %q with key %q, want \"log\" and a key ending in %q", r.Change(), r.Key(), LogKey)
			}
			if ev.State != before.State || !ev.NextBlockTime.Equal(before.NextBlockTime) || ev.Today.Runs != before.Today.Runs ||
				!ev.LastSuccessTime.Equal(before.LastSuccessTime) || !ev.LastPingTime.Equal(before.LastPingTime) || ev.LastMessage != before.LastMessage {
				t.Errorf("a log changed the event: %+v, was %+v", ev, before)
			}
			if _, ok := ev.Apply(p); ok {
				t.Error("the same log ping, redelivered while its record waits, applied again")
			}
		})
	}
}
