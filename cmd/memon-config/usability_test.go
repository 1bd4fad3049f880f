package main

import (
	"github.com/peerj/memon/pkg/memon"
	"strings"
	"testing"
)

// TestSetHelpSaysWhatADurationLooksLike (#9 point 4).
func TestSetHelpSaysWhatADurationLooksLike(t *testing.T) {
	t.Parallel()
	r := runWith(t, newFake(), t0, "set", "--help")
	for _, want := range []string{"90s, 15m, 1h, 1d", "a bare number is seconds"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("set --help lacks %q (exit %d):\n%s", want, r.code, r.stdout)
		}
	}
}

// TestScheduleKindChangeIsNeverSilent (#9 point 3): --period alone on a cron
// event is refused with the flag to add; an explicit change says what it
// replaced.
func TestScheduleKindChangeIsNeverSilent(t *testing.T) {
	t.Parallel()
	cronEvent := func() *memon.Event {
		ev := memon.NewEvent("nightly-backup", mustSchedule(t, memon.Cron, 0, "0 2 * * *", "Europe/Berlin"))
		ev.Version = 1
		return ev
	}
	f := newFake(cronEvent())
	r := runWith(t, f, t0, "set", "nightly-backup", "--period", "1d")
	if r.code != exitUsage || !strings.Contains(r.stderr, `cron "0 2 * * *" Europe/Berlin`) || !strings.Contains(r.stderr, "--type rolling") {
		t.Errorf("exit %d stderr %q: want a refusal naming the schedule and --type rolling", r.code, r.stderr)
	}
	if got := f.Event("nightly-backup").Schedule.Kind; got != memon.Cron || len(f.Writes()) != 0 {
		t.Errorf("kind %s, writes %v: nothing may change", got, f.Writes())
	}

	r = runWith(t, f, t0, "set", "nightly-backup", "--period", "1d", "--type", "rolling")
	if want := "schedule changed: cron \"0 2 * * *\" Europe/Berlin → every 1d (rolling)\n"; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d stdout %q: want %q", r.code, r.stdout, want)
	}
	r = runWith(t, f, t0, "set", "nightly-backup", "--cron", "30 1 * * *")
	if want := "schedule changed: every 1d (rolling) → cron \"30 1 * * *\" Europe/Berlin\n"; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d stdout %q: want %q", r.code, r.stdout, want)
	}
	r = runWith(t, f, t0, "set", "nightly-backup", "--description", "db")
	if r.code != 0 || strings.Contains(r.stdout, "schedule changed") {
		t.Errorf("exit %d stdout %q: an edit that keeps the schedule says nothing about it", r.code, r.stdout)
	}
}
