package main

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/configtest"
	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// The front ends of memon-config carry every setting of memon.Config: the
// settings come from the type (configtest.Sample fails for a field it
// leaves at its default; configtest.Check compares field by field), so a
// setting added to the type fails here until set, show --json, the web form
// and export/apply all carry it. The CDK construct's half is in
// pkg/memoncdk.

// parents is a table with the sample's parents, which must exist.
func parents(t *testing.T) *fake.Store {
	f := newFake()
	for _, p := range []string{"parent-a", "parent-b"} {
		if r := runWith(t, f, t0, "set", p, "--period", "1h"); r.code != 0 {
			t.Fatalf("set %s: %s", p, r.stderr)
		}
	}
	return f
}

// setArgs is c as set's flags, from its text (memon.Config.Settings).
func setArgs(c memon.Config) []string {
	args := []string{"set", c.Name}
	for _, s := range c.Settings() {
		switch {
		case s.IsList:
			for _, item := range s.List {
				args = append(args, "--"+s.Key+"="+item)
			}
		case s.Key == memon.KeyEnabled && s.Value == "true":
			args = append(args, "--enabled")
		case s.Key == memon.KeyEnabled:
			args = append(args, "--disabled")
		default:
			args = append(args, "--"+s.Key+"="+s.Value)
		}
	}
	return args
}

// configOf is the stored configuration of name.
func configOf(t *testing.T, f *fake.Store, name string) memon.Config {
	t.Helper()
	ev, err := f.Get(t.Context(), name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return ev.Configured()
}

// fromJSON reads a configuration back from show --json.
func fromJSON(t *testing.T, rec map[string]any) memon.Config {
	t.Helper()
	str := func(k string) string { s, _ := rec[k].(string); return s }
	secs := func(k string) time.Duration { n, _ := rec[k].(float64); return time.Duration(n) * time.Second }
	strs := func(k string) []string {
		var out []string
		l, _ := rec[k].([]any)
		for _, x := range l {
			out = append(out, x.(string))
		}
		return out
	}
	s, err := memon.NewSchedule(memon.ScheduleKind(str("type")), secs("period_seconds"), str("cron"), str("time_zone"))
	if err != nil {
		t.Fatal(err)
	}
	n := func(k string) int { f, _ := rec[k].(float64); return int(f) }
	c := memon.Config{Name: str("name"), Description: str("description"), Schedule: s, Grace: secs("grace_seconds"),
		MaxAlerts: n("max_alerts"), FailuresBeforeAlert: n("failures_before_alert"),
		MaxRuntime: secs("max_runtime_seconds"), MinRuntime: secs("min_runtime_seconds"), RepeatEvery: secs("repeat_every_seconds"),
		DependsOn: strs("depends_on"), Tags: strs("tags"), WatchFrom: memon.WatchFrom(str("watch_from"))}
	c.Enabled, _ = rec["enabled"].(bool)
	for _, q := range strs("quiet") {
		w, err := memon.ParseQuiet("quiet", q)
		if err != nil {
			t.Fatal(err)
		}
		c.Quiet = append(c.Quiet, w)
	}
	if str("status") == string(memon.New) || str("status") == string(memon.Paused) {
		c.Initial, _ = time.Parse(time.RFC3339, str("deadline"))
	}
	return c
}

func TestEverySettingRoundTripsSetAndShowJSON(t *testing.T) {
	t.Parallel()
	want := configtest.Sample(t, "job", t0)
	f := parents(t)
	if r := runWith(t, f, t0, setArgs(want)...); r.code != 0 {
		t.Fatalf("%q: %s", setArgs(want), r.stderr)
	}
	configtest.Check(t, "set", configOf(t, f, "job"), want)

	r := runWith(t, f, t0, "show", "job", "--json")
	var recs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) != 1 {
		t.Fatalf("show --json: %v\n%s", err, r.stdout)
	}
	configtest.Check(t, "set -> show --json", fromJSON(t, recs[0]), want)
}

func TestEverySettingRoundTripsExportAndApply(t *testing.T) {
	t.Parallel()
	want := configtest.Sample(t, "job", t0)
	f := parents(t)
	runWith(t, f, t0, setArgs(want)...)
	for _, format := range []string{"yaml", "json"} {
		r := runWith(t, f, t0, "export", "--format", format)
		if r.code != 0 {
			t.Fatalf("export: %s", r.stderr)
		}
		empty := newFake()
		if a := runWith(t, empty, t0, "apply", "-f", writeFile(t, r.stdout)); a.code != 0 {
			t.Fatalf("apply of the %s export on an empty table: %s%s", format, a.stdout, a.stderr)
		}
		configtest.Check(t, "export --format "+format+" -> apply", configOf(t, empty, "job"), want)
	}
}

var (
	formInput  = regexp.MustCompile(`<input id="f-[^"]+" name="([^"]+)" type="text" value="([^"]*)"`)
	formSelect = regexp.MustCompile(`(?s)<select id="f-type" name="type".*?<option value="([a-z]+)" selected>`)
)

// formFields is the edit form's fields with the values it shows.
func formFields(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range formInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	if m := formSelect.FindStringSubmatch(page); m != nil {
		v.Set("type", m[1])
	}
	return v
}

func TestEverySettingRoundTripsTheWebForm(t *testing.T) {
	t.Parallel()
	want := configtest.Sample(t, "job", t0)
	f := parents(t)
	runWith(t, f, t0, setArgs(want)...)
	ts, tok := uiServer(t, f, false)
	before, _ := f.Get(t.Context(), "job")

	_, page := get(t, ts.URL+"/edit?name=job")
	fields := formFields(t, page)
	for _, k := range memon.SettingKeys() {
		if _, ok := fields[k]; !ok && k != memon.KeyEnabled && k != memon.KeyCron {
			t.Errorf("the edit form has no field %q", k)
		}
	}

	// Posted back unchanged: the same item.
	post := url.Values{"csrf": {tok}, "name": {"job"}}
	for k, v := range fields {
		post[k] = v
	}
	if code, loc, body := postForm(t, ts.URL+"/set", post); code >= 400 {
		t.Fatalf("post unchanged: %d %s\n%s", code, loc, body)
	}
	after, _ := f.Get(t.Context(), "job")
	if after.Version != before.Version {
		t.Errorf("the form posted back unchanged wrote the item (version %d -> %d)", before.Version, after.Version)
	}
	configtest.Check(t, "the web form posted back unchanged", after.Configured(), want)

	// The same fields as a new event: the form carries every setting but
	// enabled, which the event page's pause and resume buttons carry.
	post.Set("name", "copy")
	post.Set("mode", "new")
	if code, loc, body := postForm(t, ts.URL+"/set", post); code >= 400 || !strings.Contains(loc, "copy") {
		t.Fatalf("post as new: %d %s\n%s", code, loc, body)
	}
	copied := want
	copied.Name = "copy"
	configtest.Check(t, "the web form's fields as a new event", configOf(t, f, "copy"), copied, "Enabled")
}
