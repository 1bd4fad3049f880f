package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCLIExportApplyRoundTrip: through the built binary against moto, an
// export applied back leaves every item exactly as it was (not one write),
// and an edited export changes just what was edited.
func TestCLIExportApplyRoundTrip(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	m.ok("set", "backup", "--period", "1d", "--grace", "30m", "--description", "nightly db dump")
	m.ok("set", "etl", "--cron", "*/15 3-5 * * 1-5", "--tz", "Europe/Berlin")
	m.ok("set", "batch:nightly-etl", "--cron", "0 2 * * *", "--max-alerts", "2")
	m.ok("set", "glue:click stream", "--period", "7d", "--disabled")
	before := m.items()

	dir := t.TempDir()
	for _, format := range []string{"yaml", "json"} {
		file := filepath.Join(dir, "checks."+format)
		if err := os.WriteFile(file, []byte(m.ok("export", "--format", format)), 0o644); err != nil {
			t.Fatal(err)
		}
		out := m.ok("apply", "-f", file)
		if !strings.Contains(out, "0 to create, 0 to update, 4 unchanged, 0 to delete") {
			t.Fatalf("apply of the %s export:\n%s", format, out)
		}
		if after := m.items(); !reflect.DeepEqual(after, before) {
			t.Fatalf("apply of the %s export changed the table", format)
		}
	}

	yamlFile := filepath.Join(dir, "checks.yaml")
	b, _ := os.ReadFile(yamlFile)
	edited := strings.Replace(string(b), "grace: 30m", "grace: 45m", 1)
	if edited == string(b) {
		t.Fatalf("the export has no `grace: 30m`:\n%s", b)
	}
	if err := os.WriteFile(yamlFile, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := m.ok("apply", "-f", yamlFile, "--dry-run"); !strings.Contains(out, "~ update backup: grace 30m -> 45m") {
		t.Fatalf("dry run:\n%s", out)
	}
	if after := m.items(); !reflect.DeepEqual(after, before) {
		t.Fatal("--dry-run wrote")
	}
	m.ok("apply", "-f", yamlFile)
	if got := m.showJSON()["backup"]["grace_seconds"]; got != float64(45*60) {
		t.Fatalf("backup grace %v after apply, want 45m", got)
	}
}
