package memon

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSubjectExact(t *testing.T) {
	t.Parallel()
	cases := map[AlertKind]string{
		KindDown:   "[MEMon] Down: nightly-backup",
		KindLate:   "[MEMon] Late: nightly-backup",
		KindUp:     "[MEMon] Up: nightly-backup",
		KindFailed: "[MEMon] Failed: nightly-backup",
		KindConfig: "[MEMon] Config: nightly-backup",
	}
	for kind, want := range cases {
		if got := Subject(kind, "nightly-backup"); got != want {
			t.Errorf("Subject(%s) = %q, want %q", kind, got, want)
		}
	}
	// SNS subjects: printable ASCII, one line, at most 100 characters.
	if got := Subject(KindDown, "café\nx"); got != "[MEMon] Down: caf??x" {
		t.Errorf("non-ASCII subject %q", got)
	}
	long := Subject(KindDown, strings.Repeat("n", 200))
	if len(long) != 100 || !strings.HasPrefix(long, "[MEMon] Down: nnn") {
		t.Errorf("long subject %d chars: %q", len(long), long)
	}
}

func TestRenderSeedLayout(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	ev.Description = "dumps the database"
	a := Render(KindDown, ev, "no run")
	// memon.py's body: MEMon Alert / dashes / Down: E / E: description / -- / MEMon.
	if !strings.HasPrefix(a.Body, "MEMon Alert\n-----------\nDown: job\n\njob: dumps the database\n\n") ||
		!strings.HasSuffix(a.Body, "\n--\nMEMon\n") {
		t.Fatalf("body layout:\n%s", a.Body)
	}
	if a.Kind != KindDown || a.Event != "job" || a.Subject != "[MEMon] Down: job" {
		t.Fatalf("%+v", a)
	}
	// UTC events show UTC only; no description, no line for it.
	ev.Description = ""
	a = Render(KindLate, ev, "late")
	if strings.Contains(a.Body, "job: ") || strings.Contains(a.Body, " UTC (") ||
		!strings.Contains(a.Body, "Last success:  1970-01-01 00:00:00 UTC\n") ||
		!strings.Contains(a.Body, "Next deadline: 1970-01-01 01:00:00 UTC\n") ||
		!strings.Contains(a.Body, "Schedule:      every 1h (rolling)\n") ||
		strings.Contains(a.Body, "Missed runs") {
		t.Fatalf("late body:\n%s", a.Body)
	}
}

func TestRenderBodies(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	ev := NewEvent("etl", mustSchedule(t, Cron, 0, "30 2 * * *", "America/New_York"))
	ev.Description = "loads the warehouse"
	ev.Grace = 20 * time.Minute
	ev.Apply(success("etl", time.Date(2025, 6, 1, 2, 33, 0, 0, ny)))
	trs, _ := ev.CheckDue(time.Date(2025, 6, 4, 9, 0, 0, 0, ny))
	down := trs[0].Alert.Body
	for _, want := range []string{
		"Down: etl\n",
		"etl: loads the warehouse\n",
		"Status:        down\n",
		`Schedule:      cron "30 2 * * *" America/New_York, grace 20m` + "\n",
		"Last success:  2025-06-01 06:33:00 UTC (2025-06-01 02:33:00 EDT America/New_York)\n",
		"Missed since:  2025-06-02 06:30:00 UTC (2025-06-02 02:30:00 EDT America/New_York)\n",
		"Next deadline: 2025-06-05 06:30:00 UTC (2025-06-05 02:30:00 EDT America/New_York)\n",
		"Missed runs:   3\n",
		"What happened: no successful run by 2025-06-02 06:50:00 UTC (deadline 2025-06-02 06:30:00 UTC + grace 20m); 3 missed\n",
	} {
		if !strings.Contains(down, want) {
			t.Errorf("DOWN body lacks %q:\n%s", want, down)
		}
	}
	if strings.Contains(down, "Exit code") || strings.Contains(down, "Message:") {
		t.Errorf("DOWN body shows run details it does not have:\n%s", down)
	}

	p := fail("etl", time.Date(2025, 6, 5, 2, 40, 0, 0, ny), 137)
	p.Message, p.Host, p.RunID, p.Duration = "killed\nout of memory\n", "etl-1", "run-9", 2*time.Minute
	trs, _ = ev.Apply(p)
	failed := trs[0].Alert.Body
	for _, want := range []string{
		"Failed: etl\n",
		"What happened: the job reported a failure (exit code 137)\n",
		"Last failure:  2025-06-05 06:40:00 UTC (2025-06-05 02:40:00 EDT America/New_York)\n",
		"Exit code:     137\n",
		"Duration:      2m0s\n",
		"Host:          etl-1\n",
		"Run id:        run-9\n",
		"\nJob output (its last 4 KB at most, quoted as the job sent it):\n  | killed\n  | out of memory\n\nPause alerts:  memon-config pause etl\nSee details:   memon-config show etl\n--\nMEMon\n",
	} {
		if !strings.Contains(failed, want) {
			t.Errorf("FAILED body lacks %q:\n%s", want, failed)
		}
	}
	trs, _ = ev.Apply(success("etl", time.Date(2025, 6, 6, 2, 35, 0, 0, ny)))
	if up := trs[0].Alert; up.Subject != "[MEMon] Up: etl" || !strings.Contains(up.Body, "Status:        up\n") ||
		strings.Contains(up.Body, "Last failure") {
		t.Errorf("UP alert: %s\n%s", up.Subject, up.Body)
	}
}

// TestAlertStatusIsShowsWord: an alert's Status row and its facts' status
// are the word show gives the event in the state the alert leaves it in: a
// failed run of a job that was up is "failed" (its stored state is down).
func TestAlertStatusIsShowsWord(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		ping func(ev *Event) []Transition
		kind AlertKind
		want Status
	}{
		{"a failure after a success", func(ev *Event) []Transition {
			ev.Apply(success("etl", at))
			trs, _ := ev.Apply(fail("etl", at.Add(time.Minute), 1))
			return trs
		}, KindFailed, StatusFailed},
		{"a missed deadline", func(ev *Event) []Transition {
			ev.Apply(success("etl", at))
			trs, _ := ev.CheckDue(at.Add(2 * time.Hour))
			return trs
		}, KindDown, StatusDown},
		{"a success after a failure", func(ev *Event) []Transition {
			ev.Apply(success("etl", at))
			ev.Apply(fail("etl", at.Add(time.Minute), 1))
			trs, _ := ev.Apply(success("etl", at.Add(2*time.Minute)))
			return trs
		}, KindUp, StatusUp},
	} {
		ev := NewEvent("etl", mustSchedule(t, Rolling, time.Hour, "", ""))
		trs := c.ping(ev)
		if len(trs) == 0 || trs[len(trs)-1].Alert == nil || trs[len(trs)-1].Alert.Kind != c.kind {
			t.Fatalf("%s: transitions %+v, want a %s alert", c.name, trs, c.kind)
		}
		a := trs[len(trs)-1].Alert
		show := StatusOf(ev, nil, ev.lastRun())
		if show != c.want || a.Facts.Status != c.want || !strings.Contains(a.Body, fmt.Sprintf("%-14s %s\n", "Status:", c.want)) {
			t.Errorf("%s: show says %s, the alert's facts %s, want %s in both and in its text:\n%s", c.name, show, a.Facts.Status, c.want, a.Body)
		}
	}
}

func TestConfigAlert(t *testing.T) {
	t.Parallel()
	a := ConfigAlert("ghost", "no event named ghost")
	if a.Kind != KindConfig || a.Event != "ghost" || a.Subject != "[MEMon] Config: ghost" {
		t.Fatalf("%+v", a)
	}
	for _, want := range []string{"MEMon Alert\n-----------\nConfig: ghost has a configuration error\n", "no event named ghost", "memon-config set ghost", "--\nMEMon\n"} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, a.Body)
		}
	}
}
