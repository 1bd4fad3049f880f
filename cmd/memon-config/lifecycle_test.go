package main

import (
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func TestUnknownEventFails(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"delete", "ghost"}, {"pause", "ghost"}, {"resume", "ghost"}, {"history", "ghost"}, {"show", "ghost"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			f := newFake()
			r := runWith(t, f, t0, args...)
			if r.code != exitFailure || !strings.Contains(r.stderr, `no event named "ghost"`) {
				t.Errorf("exit %d %q", r.code, r.stderr)
			}
			if w := f.Writes(); len(w) != 0 && w[0] != "Delete ghost" {
				t.Errorf("wrote %v", w)
			}
		})
	}
}

func TestMissingOrExtraArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"delete"}, {"pause"}, {"resume", "a", "b"}, {"history", "a", "b"}, {"set"}, {"html", "x"}, {"version", "x"}, {"bogus"}, {"history", "x", "--since", "0"}, {"history", "x", "--since", "later"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			f := newFake()
			r := runWith(t, f, t0, args...)
			if r.code != exitUsage || r.opened != 0 {
				t.Errorf("exit %d opened %d: %q", r.code, r.opened, r.stderr)
			}
		})
	}
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	ev := event(t, "backup", time.Hour, t0.Add(-10*time.Minute))
	f := newFake(ev)
	r := runWith(t, f, t0, "pause", "backup")
	if r.code != 0 || f.Event("backup").Enabled {
		t.Fatalf("pause: exit %d %s", r.code, r.stderr)
	}
	later := t0.Add(3 * time.Hour) // the deadline passes while paused
	if r := runWith(t, f, later, "pause", "backup"); r.code != 0 || !strings.Contains(r.stdout, "already paused") {
		t.Errorf("pause again: exit %d %q", r.code, r.stdout)
	}
	r = runWith(t, f, later, "resume", "backup")
	if r.code != 0 {
		t.Fatalf("resume: exit %d %s", r.code, r.stderr)
	}
	got := f.Event("backup")
	if !got.Enabled || !got.NextBlockTime.After(later) {
		t.Errorf("resumed: enabled %v next %s", got.Enabled, got.NextBlockTime)
	}
	if len(f.Records("backup")) != 2 {
		t.Fatalf("history %+v", f.Records("backup"))
	}
	p, res := f.Records("backup")[0], f.Records("backup")[1]
	if p.From != memon.Up || p.To != memon.Paused || p.Reason != "paused by memon-config" || !p.At.Equal(t0) || p.Alert != "" {
		t.Errorf("pause record %+v", p)
	}
	if res.From != memon.Paused || res.To != memon.Up || res.Reason != "resumed by memon-config" {
		t.Errorf("resume record %+v", res)
	}
}

func TestPauseUnusableFails(t *testing.T) {
	t.Parallel()
	f := newFake(&memon.Event{Config: memon.Config{Name: "broken", Enabled: true}})
	f.MarkUnusable("broken", &memon.FieldError{Field: "Period", Want: "x"})
	r := runWith(t, f, t0, "pause", "broken")
	if r.code != exitFailure || !strings.Contains(r.stderr, "memon-config set broken") || len(f.Writes()) != 0 {
		t.Errorf("exit %d %q %v", r.code, r.stderr, f.Writes())
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "backup", time.Hour, time.Time{}))
	if r := runWith(t, f, t0, "delete", "backup"); r.code != 0 || len(f.Names()) != 0 {
		t.Errorf("exit %d %s", r.code, r.stderr)
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "backup", time.Hour, time.Time{}))
	if r := runWith(t, f, t0, "history", "backup"); r.code != 0 || !strings.Contains(r.stdout, "no history for backup in the last 7d") {
		t.Errorf("exit %d %q", r.code, r.stdout)
	}
	if want := "History backup 2024-04-24T10:00:00Z"; f.Calls()[len(f.Calls())-1] != want {
		t.Errorf("calls %v, want the default 7d window", f.Calls())
	}
	f.AddHistory(
		memon.HistoryRecord{Name: "backup", At: t0.Add(-2 * time.Hour), From: memon.Up, To: memon.Down, Alert: memon.KindDown, Reason: "no run\nby then"},
		memon.HistoryRecord{Name: "backup", At: t0.Add(-time.Hour), From: memon.Down, To: memon.Paused, Reason: "paused by memon-config"},
		memon.HistoryRecord{Name: "backup", At: t0.Add(-30 * time.Hour), From: memon.New, To: memon.Up, Reason: "before the window"},
	)
	r := runWith(t, f, t0, "history", "--since", "1d", "backup")
	if f.Calls()[len(f.Calls())-1] != "History backup 2024-04-30T10:00:00Z" {
		t.Errorf("calls %v", f.Calls())
	}
	for _, w := range []string{"2024-05-01 08:00:00  up → down", `down   no run\nby then`, "down → paused", "-      paused by memon-config"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("history lacks %q:\n%s", w, r.stdout)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"help"}, {"set", "--help"}, {"show", "-h"}, {"delete", "--help"}, {"pause", "--help"}, {"resume", "--help"}, {"history", "--help"}, {"html", "--help"}, {"version", "--help"}} {
		r := runWith(t, newFake(), t0, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "MEMON_TABLE") || !strings.Contains(r.stdout, "MEMON_HISTORY_TABLE") || !strings.Contains(r.stdout, "AWS_REGION") {
			t.Errorf("%v: exit %d, help lacks the env fallbacks:\n%s", args, r.code, r.stdout)
		}
	}
	if r := runWith(t, newFake(), t0, "version"); r.code != 0 || r.stdout != "memon-config dev\n" {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	if r := runWith(t, newFake(), t0); r.code != exitUsage {
		t.Errorf("no command: exit %d", r.code)
	}
}

func TestGlobalsResolve(t *testing.T) {
	t.Parallel()
	env := map[string]string{"MEMON_TABLE": "env-table", "MEMON_TOPIC_ARN": "arn:x"}
	for _, tc := range []struct {
		flag, table, history string
	}{
		{"", "env-table", "memon-history"},
		{"flag-table", "flag-table", "memon-history"},
	} {
		g := &globals{table: tc.flag}
		g.resolve(func(k string) string { return env[k] })
		if g.table != tc.table || g.history != tc.history {
			t.Errorf("%+v", g)
		}
	}
	g := &globals{}
	g.resolve(func(string) string { return "" })
	if g.table != "memon" || g.history != "memon-history" || g.tokens != "memon-tokens" {
		t.Errorf("defaults %+v", g)
	}
}

// TestHelpListsGlobalFlagsOnce: the root help describes the global flags; a
// command's help names them without repeating their descriptions; no flag
// is offered that nothing reads.
func TestHelpListsGlobalFlagsOnce(t *testing.T) {
	t.Parallel()
	root := runWith(t, newFake(), t0, "--help")
	if n := strings.Count(root.stdout, "--table NAME"); n != 1 {
		t.Errorf("root help describes --table %d times:\n%s", n, root.stdout)
	}
	for _, c := range commands() {
		r := runWith(t, newFake(), t0, c.name, "--help")
		if strings.Contains(r.stdout, "events table NAME") || strings.Contains(r.stdout, "--table NAME") {
			t.Errorf("%s --help repeats the global flags:\n%s", c.name, r.stdout)
		}
		if !strings.Contains(r.stdout, "--history-table, --region, --table") {
			t.Errorf("%s --help does not name the global flags:\n%s", c.name, r.stdout)
		}
	}
	if strings.Contains(root.stdout, "--topic-arn") && !strings.Contains(root.stdout, "test-alert") {
		t.Errorf("--topic-arn offered but nothing reads it:\n%s", root.stdout)
	}
	// The command list: one line a command within 120 columns, a sentence
	// or a marked cut, never one broken off at a comma; version last.
	var listed []string
	for _, line := range strings.Split(root.stdout, "\n") {
		for _, c := range commands() {
			if strings.HasPrefix(line, "  "+c.name+" ") {
				listed = append(listed, c.name)
				if len([]rune(line)) > 120 || !(strings.HasSuffix(line, ".") || strings.HasSuffix(line, " …")) {
					t.Errorf("command list line %q: want at most 120 columns, ending a sentence or marked cut", line)
				}
			}
		}
	}
	if len(listed) != len(commands()) || listed[len(listed)-1] != "version" {
		t.Errorf("command list %v: want every command once, version last", listed)
	}
}

func TestHistoryWithoutAnEventListsEveryEvent(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "a", time.Hour, t0.Add(-time.Hour)), event(t, "b", time.Hour, t0.Add(-time.Hour)))
	f.AddHistory(memon.HistoryRecord{Name: "b", At: t0.Add(-2 * time.Hour), From: memon.Up, To: memon.Down, Alert: memon.KindDown, Reason: "missed"},
		memon.HistoryRecord{Name: "a", At: t0.Add(-time.Hour), From: memon.New, To: memon.Up, Reason: "first run"},
		memon.HistoryRecord{Name: "a", At: t0.Add(-30 * 24 * time.Hour), From: memon.New, To: memon.Up, Reason: "too old"})
	r := runWith(t, f, t0, "history")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "EVENT") || !strings.Contains(lines[1], "b ") || !strings.Contains(lines[1], "up → down") ||
		!strings.Contains(lines[2], "a ") || strings.Contains(r.stdout, "too old") {
		t.Errorf("history:\n%s", r.stdout)
	}
}
