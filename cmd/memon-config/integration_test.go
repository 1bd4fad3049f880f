package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

// Integration tests: the real memon-config binary against moto, tables made
// with the SDK as the stack makes them.

var (
	binDir    string
	buildMu   sync.Mutex
	built     = map[string]string{} // package -> binary
	buildErrs = map[string]error{}
)

// binary builds a command of this module once per test run.
func binary(t *testing.T, pkg string) (string, error) {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[pkg]; ok {
		return p, buildErrs[pkg]
	}
	if binDir == "" {
		d, err := os.MkdirTemp("", "memon-config-it-")
		if err != nil {
			t.Fatal(err)
		}
		binDir = d
	}
	out := filepath.Join(binDir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, "github.com/peerj/memon/"+pkg)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	built[pkg], buildErrs[pkg] = out, err
	return out, err
}

func removeBinaries() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// moto is one test's pair of tables on the shared server.
type moto struct {
	t              *testing.T
	db             *dynamodb.Client
	table, history string
	bin            string
	extraEnv       []string
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

func newMoto(t *testing.T) *moto {
	t.Helper()
	if srv == nil {
		t.Skip("moto_server is not installed (pip install 'moto[server]'); CI=true makes this a failure")
	}
	bin, err := binary(t, "cmd/memon-config")
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(unsafeChars.ReplaceAllString(t.Name(), "-"))
	m := &moto{t: t, db: dynamodb.NewFromConfig(srv.Config(context.Background())),
		table: "ev-" + name, history: "hist-" + name, bin: bin}
	m.createTables()
	return m
}

// createTables creates the events and history tables as the stack lays them
// out (schema.EventsTable, schema.HistoryTable).
func (m *moto) createTables() {
	ctx := context.Background()
	for name, schema := range map[string]schema.TableSchema{m.table: schema.EventsTable, m.history: schema.HistoryTable} {
		if err := mototest.CreateTableWith(ctx, m.db, name, schema); err != nil {
			m.t.Fatal(err)
		}
	}
}

// run runs memon-config with the tables in the environment.
func (m *moto) run(args ...string) (int, string, string) {
	m.t.Helper()
	return m.exec(m.bin, args...)
}

// principalOf is the principal a built binary acts as, so that its calls
// are checked against its own policy (infra's policy test).
func principalOf(bin string) mototest.Principal {
	switch filepath.Base(bin) {
	case "memon-send":
		return mototest.Sender
	case "poller":
		return mototest.Poller
	}
	return mototest.Operator
}

func (m *moto) exec(bin string, args ...string) (int, string, string) {
	m.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(srv.EnvAs(principalOf(bin)), settings.EnvTable+"="+m.table, settings.EnvHistoryTable+"="+m.history)
	cmd.Env = append(cmd.Env, m.extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	case err != nil:
		m.t.Fatalf("run %s: %v", bin, err)
	}
	return 0, out.String(), errb.String()
}

// ok runs memon-config and fails the test unless it exits 0.
func (m *moto) ok(args ...string) string {
	m.t.Helper()
	code, out, errs := m.run(args...)
	if code != 0 {
		m.t.Fatalf("memon-config %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// showJSON returns `show --json` keyed by name.
func (m *moto) showJSON(args ...string) map[string]map[string]any {
	m.t.Helper()
	var list []map[string]any
	if err := json.Unmarshal([]byte(m.ok(append([]string{"show", "--json"}, args...)...)), &list); err != nil {
		m.t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, o := range list {
		out[o["name"].(string)] = o
	}
	return out
}

// items is the events table, sorted by name, for before/after comparisons.
func (m *moto) items() []map[string]types.AttributeValue {
	m.t.Helper()
	out, err := m.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &m.table})
	if err != nil {
		m.t.Fatal(err)
	}
	sort.Slice(out.Items, func(i, j int) bool {
		return out.Items[i][schema.AttrName].(*types.AttributeValueMemberS).Value < out.Items[j][schema.AttrName].(*types.AttributeValueMemberS).Value
	})
	return out.Items
}

func (m *moto) item(name string) map[string]types.AttributeValue {
	m.t.Helper()
	out, err := m.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &m.table,
		Key: map[string]types.AttributeValue{schema.AttrName: &types.AttributeValueMemberS{Value: name}}})
	if err != nil {
		m.t.Fatal(err)
	}
	return out.Item
}

func (m *moto) put(item map[string]types.AttributeValue) {
	m.t.Helper()
	if _, err := m.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &m.table, Item: item}); err != nil {
		m.t.Fatal(err)
	}
}

func attrN(item map[string]types.AttributeValue, a string) string {
	if v, ok := item[a].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return fmt.Sprintf("%v", item[a])
}

func TestCLILifecycle(t *testing.T) {
	t.Parallel()
	m := newMoto(t)

	out := m.ok("set", "backup", "--period", "1h", "--grace", "5m", "--description", "nightly backup")
	if !strings.Contains(out, "created backup: new, every 1h (rolling), grace 5m") {
		t.Errorf("set said %q", out)
	}
	m.ok("set", "--cron", "0 3 * * *", "--tz", "Europe/Berlin", "report")

	table := m.ok("show")
	for _, w := range []string{"NAME", "backup", "new", "1h rolling", "nightly backup", "cron 0 3 * * *"} {
		if !strings.Contains(table, w) {
			t.Errorf("show lacks %q:\n%s", w, table)
		}
	}
	for name, w := range map[string]string{"backup": "every 1h (rolling), grace 5m", "report": `cron "0 3 * * *" Europe/Berlin`} {
		if detail := m.ok("show", name); !strings.Contains(detail, w) {
			t.Errorf("show %s lacks %q:\n%s", name, w, detail)
		}
	}
	evs := m.showJSON()
	b := evs["backup"]
	if b["period_seconds"] != 3600.0 || b["grace_seconds"] != 300.0 || b["type"] != "rolling" || b["status"] != "new" || b["enabled"] != true || b["description"] != "nightly backup" {
		t.Errorf("backup as JSON: %v", b)
	}
	if r := evs["report"]; r["type"] != "cron" || r["cron"] != "0 3 * * *" || r["time_zone"] != "Europe/Berlin" || r["period_seconds"] != nil {
		t.Errorf("report as JSON: %v", r)
	}

	// Edit one field: the others stay.
	m.ok("set", "backup", "--max-alerts", "5")
	b = m.showJSON("backup")["backup"]
	if b["max_alerts"] != 5.0 || b["period_seconds"] != 3600.0 || b["grace_seconds"] != 300.0 || b["description"] != "nightly backup" {
		t.Errorf("after edit: %v", b)
	}

	// Pause and resume, recorded in the history.
	m.ok("pause", "backup")
	if s := m.showJSON("backup")["backup"]; s["status"] != "paused" || s["enabled"] != false {
		t.Errorf("after pause: %v", s)
	}
	m.ok("resume", "backup")
	if s := m.showJSON("backup")["backup"]; s["status"] != "new" || s["enabled"] != true {
		t.Errorf("after resume: %v", s)
	}
	hist := m.ok("history", "backup")
	for _, w := range []string{"new → paused", "paused by memon-config", "paused → new", "resumed by memon-config"} {
		if !strings.Contains(hist, w) {
			t.Errorf("history lacks %q:\n%s", w, hist)
		}
	}

	page := m.ok("html")
	if !strings.Contains(page, `data-name="backup"`) || !strings.Contains(page, "<style>") {
		t.Errorf("html page:\n%s", page)
	}

	m.ok("delete", "backup")
	if strings.Contains(m.ok("show"), "backup") {
		t.Error("show still lists the deleted event")
	}
	for _, args := range [][]string{{"delete", "backup"}, {"pause", "backup"}, {"resume", "backup"}, {"history", "backup"}, {"show", "backup"}} {
		if code, _, errs := m.run(args...); code != exitFailure || !strings.Contains(errs, `no event named "backup"`) {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
}

func TestCLIValidationWritesNothing(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	m.ok("set", "backup", "--period", "1h", "--description", "keep")
	m.ok("pause", "backup")
	m.ok("resume", "backup")
	before := m.items()
	for _, args := range [][]string{
		{"set", "backup", "--type", "weekly"},
		{"set", "backup", "--period", "0"},
		{"set", "backup", "--period", "-1h"},
		{"set", "backup", "--period", "400d"},
		{"set", "backup", "--cron", "not a cron"},
		{"set", "backup", "--cron", "0 0 30 2 *"},
		{"set", "feb30", "--cron", "0 0 30 2 *"},
		{"set", "backup", "--description", "a\x1b[2Jb"},
		{"set", "backup", "--tz", "Atlantis/Capital"},
		{"set", "backup", "--initial-date", "2024-13-40"},
		{"set", "backup", "--initial-time", "7pm"},
		{"set", "backup", "--cron", "@daily", "--period", "1h"},
		{"set", "backup", "--cron", "@daily", "--type", "fixed"},
		{"set", "backup", "--enabled", "--disabled"},
		{"set", "backup", "--max-alerts", "0"},
		{"set", "fresh", "--description", "no schedule"},
		{"set", "bad name", "--period", "1h"},
		{"set", "backup", "--no-such-flag"},
		{"history", "backup", "--since", "never"},
	} {
		code, _, errs := m.run(args...)
		if code != exitUsage || errs == "" {
			t.Errorf("%v: exit %d, want 2; stderr %q", args, code, errs)
		}
	}
	if after := m.items(); !reflect.DeepEqual(before, after) {
		t.Errorf("the table changed:\nbefore %v\nafter  %v", before, after)
	}
	if hist := m.ok("history", "backup"); strings.Count(hist, "memon-config") != 2 {
		t.Errorf("history gained records:\n%s", hist)
	}
}

func TestCLISeedItems(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	now := time.Now().Unix()
	last := fmt.Sprint(now - 600)
	m.put(map[string]types.AttributeValue{
		"Name": s("seed job"), "Description": s("from memon.py"), "Enabled": n("1"), "ErrorCount": n("0"),
		"Period": n("3600"), "Type": s("fixed"), "LastBlockTime": n(last),
		"NextBlockTime": n(fmt.Sprint(now - 600 + 3600)), "LastSuccessTime": n(last),
	})
	m.put(map[string]types.AttributeValue{
		"Name": s("console"), "Enabled": &types.AttributeValueMemberBOOL{Value: false}, "Period": n("60"),
	})
	m.put(map[string]types.AttributeValue{"Name": s("half-made")})

	evs := m.showJSON()
	seed := evs["seed job"]
	wantLast := time.Unix(now-600, 0).UTC().Format(time.RFC3339)
	if seed["status"] != "up" || seed["type"] != "fixed" || seed["period_seconds"] != 3600.0 || seed["last_success"] != wantLast || seed["description"] != "from memon.py" {
		t.Errorf("seed item: %v", seed)
	}
	if c := evs["console"]; c["status"] != "paused" || c["enabled"] != false || c["type"] != "rolling" {
		t.Errorf("BOOL item: %v", c)
	}
	if h := evs["half-made"]; h["status"] != "UNUSABLE" || !strings.Contains(h["error"].(string), "Period") {
		t.Errorf("unusable item: %v", h)
	}
	table := m.ok("show")
	for _, w := range []string{"seed job", "up", "1h fixed", "10m ago", "console", "paused", "half-made", "UNUSABLE"} {
		if !strings.Contains(table, w) {
			t.Errorf("show lacks %q:\n%s", w, table)
		}
	}
	if only := m.ok("show", "--only-errors"); !strings.Contains(only, "half-made") || strings.Contains(only, "seed job") {
		t.Errorf("--only-errors:\n%s", only)
	}

	// The seed item is edited in place: its run history stays.
	m.ok("set", "seed job", "--description", "now managed by memon-config")
	item := m.item("seed job")
	if attrN(item, "LastSuccessTime") != last || attrN(item, "Period") != "3600" || attrN(item, "Version") != "1" {
		t.Errorf("seed item after edit: %v", item)
	}
	if d := item["Description"].(*types.AttributeValueMemberS).Value; d != "now managed by memon-config" {
		t.Errorf("description %q", d)
	}
	// An unusable item is repaired by giving it a schedule.
	if code, _, errs := m.run("set", "half-made", "--description", "x"); code != exitUsage || !strings.Contains(errs, "unusable as stored") {
		t.Errorf("exit %d %q", code, errs)
	}
	m.ok("set", "half-made", "--period", "1d")
	if h := m.showJSON("half-made")["half-made"]; h["status"] != "new" || h["period_seconds"] != 86400.0 {
		t.Errorf("repaired: %v", h)
	}
}

// TestCLIGlobalFlagsBeforeOrAfterTheVerb: a global flag edits the table and
// region it names wherever it is typed; the environment only fills in what no
// flag gave (--table before the verb used to be reset).
func TestCLIGlobalFlagsBeforeOrAfterTheVerb(t *testing.T) {
	production := newMoto(t) // the table the environment points at
	staging := &moto{t: t, db: production.db, table: production.table + "-staging", history: production.history + "-staging", bin: production.bin}
	staging.createTables() // the table the operator names
	victim := func(m *moto) {
		m.put(map[string]types.AttributeValue{
			schema.AttrName: &types.AttributeValueMemberS{Value: "victim"},
			schema.AttrType: &types.AttributeValueMemberS{Value: "memon"},
		})
	}
	for _, args := range [][]string{
		{"--table", staging.table, "delete", "victim"},
		{"delete", "--table", staging.table, "victim"},
		{"delete", "victim", "--table=" + staging.table},
	} {
		victim(staging)
		victim(production)
		// production.run puts MEMON_TABLE=production.table in the environment.
		if code, out, errs := production.run(args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		if staging.item("victim") != nil {
			t.Errorf("%v: victim still in the table --table names", args)
		}
		if production.item("victim") == nil {
			t.Errorf("%v: victim deleted from the table MEMON_TABLE names, not the one --table names", args)
		}
	}

	// --region: a table that exists only in eu-west-1 is found only when
	// --region reaches the store, before or after the verb.
	ctx := context.Background()
	cfg := srv.Config(ctx)
	cfg.Region = "eu-west-1"
	eu := &moto{t: t, db: dynamodb.NewFromConfig(cfg), table: staging.table + "-eu", history: staging.history + "-eu", bin: staging.bin}
	eu.createTables()
	for _, args := range [][]string{
		{"--region", "eu-west-1", "--table", eu.table, "delete", "victim"},
		{"delete", "--region", "eu-west-1", "--table", eu.table, "victim"},
	} {
		victim(eu)
		if code, out, errs := production.run(args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		if eu.item("victim") != nil {
			t.Errorf("%v: victim still in eu-west-1", args)
		}
	}
}

// TestCLIMissingTableSaysWhatToCheck: a first-hour mistake (wrong table or
// region) names the flags and the fix, not only the SDK's error.
func TestCLIMissingTableSaysWhatToCheck(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	code, _, errs := m.run("--table", "no-such-table", "show")
	if code != exitFailure || !strings.Contains(errs, "the table does not exist in this account and region: check --table/MEMON_TABLE and --region/AWS_REGION") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestCLIWatchFromNowArmsEachKind(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	before := time.Now()
	for _, tc := range []struct {
		name  string
		args  []string
		first func(now time.Time) time.Time // the first deadline for a creation at now
	}{
		{"rolling", []string{"--period", "2h"}, func(now time.Time) time.Time { return now.Add(2 * time.Hour) }},
		{"fixed", []string{"--period", "6h", "--type", "fixed"}, func(now time.Time) time.Time { return now.Add(6 * time.Hour) }},
		{"cron", []string{"--cron", "0 * * * *", "--grace", "0s"}, func(now time.Time) time.Time { return now.Truncate(time.Hour).Add(time.Hour) }},
	} {
		out := m.ok(append([]string{"set", "now-" + tc.name, "--watch-from", "now"}, tc.args...)...)
		if !strings.Contains(out, "watched from now") {
			t.Errorf("%s: set said %q", tc.name, out)
		}
		item := m.item("now-" + tc.name)
		if s, _ := item[schema.AttrWatchFrom].(*types.AttributeValueMemberS); s == nil || s.Value != "now" {
			t.Errorf("%s: WatchFrom %v", tc.name, item[schema.AttrWatchFrom])
		}
		var next float64
		fmt.Sscan(attrN(item, schema.AttrNextBlockTime), &next)
		got := time.Unix(int64(next), 0)
		if lo, hi := tc.first(before).Add(-time.Second), tc.first(time.Now()).Add(time.Second); got.Before(lo) || got.After(hi) {
			t.Errorf("%s: first deadline %s, want within [%s, %s]", tc.name, got, lo, hi)
		}
		if s := m.showJSON("now-" + tc.name)["now-"+tc.name]; s["status"] != "new" || s["deadline"] == nil {
			t.Errorf("%s: show --json %v", tc.name, s)
		}
	}
	m.ok("set", "first-run", "--period", "1h")
	if item := m.item("first-run"); item[schema.AttrNextBlockTime] != nil || item[schema.AttrWatchFrom] != nil {
		t.Errorf("a first-run event is watched: %v", item)
	}
	if out := m.ok("show", "first-run"); !strings.Contains(out, "new: not watched until its first run") {
		t.Errorf("show:\n%s", out)
	}
}
