package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "checks.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// stored returns every event of the fake store by name.
func stored(t *testing.T, f *fake.Store) map[string]*memon.Event {
	t.Helper()
	out := map[string]*memon.Event{}
	for _, name := range []string{"backup", "etl", "report", "batch:nightly-etl", "glue:click stream", "old"} {
		if ev, err := f.Get(t.Context(), name); err == nil {
			out[name] = ev
		}
	}
	return out
}

func checksStore(t *testing.T) *fake.Store {
	backup := event(t, "backup", 24*time.Hour, t0.Add(-time.Hour))
	backup.Description, backup.Grace, backup.MaxAlerts = "nightly db dump", 30*time.Minute, 5
	etl := memon.NewEvent("etl", mustSchedule(t, memon.Cron, 0, "*/15 3-5 * * 1-5", "Europe/Berlin"))
	etl.Grace = 5 * time.Minute
	report := memon.NewEvent("report", mustSchedule(t, memon.Fixed, time.Hour, "", ""))
	report.Enabled = false
	aws := memon.NewEvent("glue:click stream", mustSchedule(t, memon.Rolling, 7*24*time.Hour, "", "UTC"))
	return newFake(backup, etl, report, aws)
}

// TestExportThenApplyChangesNothing: the round trip, in both formats.
func TestExportThenApplyChangesNothing(t *testing.T) {
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			f := checksStore(t)
			before := stored(t, f)
			r := runWith(t, f, t0, "export", "--format", format)
			if r.code != 0 {
				t.Fatalf("export: %d %s", r.code, r.stderr)
			}
			for _, want := range []string{"backup", "*/15 3-5 * * 1-5", "Europe/Berlin", "glue:click stream", "nightly db dump"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("export lacks %q:\n%s", want, r.stdout)
				}
			}
			file := writeFile(t, r.stdout)
			a := runWith(t, f, t0.Add(time.Minute), "apply", "-f", file)
			if a.code != 0 || !strings.Contains(a.stdout, "0 to create, 0 to update, 4 unchanged, 0 to delete") {
				t.Fatalf("apply of the export: %d\n%s%s", a.code, a.stdout, a.stderr)
			}
			if after := stored(t, f); !reflect.DeepEqual(after, before) {
				t.Errorf("apply of the export changed the table")
			}
		})
	}
}

func TestApplyDryRunShowsTheDiffAndWritesNothing(t *testing.T) {
	f := checksStore(t)
	file := writeFile(t, `events:
  - name: backup
    period: 1d
    grace: 1h            # was 30m
    max-alerts: 5
    description: nightly db dump
    enabled: true
  - name: batch:nightly-etl
    cron: "0 2 * * *"
    tz: UTC
    enabled: true
  - name: report
    type: fixed
    period: 1h
    enabled: true        # was paused
`)
	before := stored(t, f)
	r := runWith(t, f, t0, "apply", "-f", file, "--dry-run", "--prune")
	if r.code != 0 {
		t.Fatalf("dry run: %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"dry run: nothing is written", "~ update backup: grace 30m -> 1h",
		`+ create batch:nightly-etl: cron "0 2 * * *" UTC, grace 5m, enabled`, "~ update report: state paused -> enabled",
		"- delete etl", "- delete glue:click stream", "1 to create, 2 to update, 0 unchanged, 2 to delete"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r.stdout)
		}
	}
	if after := stored(t, f); !reflect.DeepEqual(after, before) {
		t.Error("--dry-run wrote")
	}

	// --prune without --yes and no terminal: refused, nothing written.
	r = runWith(t, f, t0, "apply", "-f", file, "--prune")
	if r.code != exitUsage || !strings.Contains(r.stderr, "give --yes") {
		t.Fatalf("prune without --yes: %d %s", r.code, r.stderr)
	}
	if after := stored(t, f); !reflect.DeepEqual(after, before) {
		t.Error("a refused prune wrote")
	}

	r = runWith(t, f, t0, "apply", "-f", file, "--prune", "--yes")
	if r.code != 0 {
		t.Fatalf("apply: %d %s", r.code, r.stderr)
	}
	after := stored(t, f)
	if len(after) != 3 || after["backup"].Grace != time.Hour || !after["report"].Enabled || after["batch:nightly-etl"] == nil ||
		after["batch:nightly-etl"].Schedule.Expr != "0 2 * * *" {
		t.Fatalf("after apply: %+v", after)
	}
}

// TestApplyValidatesAsSetDoesWithTheLine: the same errors as set, each with
// the file and line; nothing is written when any entry is bad.
func TestApplyValidatesAsSetDoesWithTheLine(t *testing.T) {
	f := checksStore(t)
	before := stored(t, f)
	file := writeFile(t, `events:
  - name: backup
    period: 1d
  - name: new-job
    description: no schedule
  - name: etl
    cron: "0 25 * * *"
  - name: report
    period: "0"
  - name: report2
    colour: blue
  - name: backup
    period: 2d
`)
	r := runWith(t, f, t0, "apply", "-f", file)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitUsage, r.stderr)
	}
	set := runWith(t, newFake(), t0, "set", "new-job", "--description", "no schedule")
	setMsg := strings.TrimPrefix(strings.TrimSpace(set.stderr), "memon-config set: ")
	for _, want := range []string{
		file + `:11: unknown key "colour"`,
		file + `:12: event "backup" is also at line 2`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("errors lack %q:\n%s", want, r.stderr)
		}
	}
	// The structural errors stop the file before set's checks; fix them and
	// set's own messages come out, with the lines.
	file = writeFile(t, `events:
  - name: backup
    period: 1d
  - name: new-job
    description: no schedule
  - name: etl
    cron: "0 25 * * *"
  - name: report
    type: fixed
    period: "0"
    grace: abc
`)
	r = runWith(t, f, t0, "apply", "-f", file)
	for _, want := range []string{
		file + `:4: event "new-job": ` + setMsg,
		file + `:7: event "etl": `,
		file + `:10: event "report": --period "0"`,
		file + `:11: event "report": --grace "abc"`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("errors lack %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitUsage {
		t.Errorf("exit %d", r.code)
	}
	if after := stored(t, f); !reflect.DeepEqual(after, before) {
		t.Error("a file with errors wrote")
	}
}
