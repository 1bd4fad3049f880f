package memon

import (
	"strings"
	"testing"
	"time"
)

func TestDependencyCycle(t *testing.T) {
	t.Parallel()
	graph := map[string][]string{"a": {"b"}, "b": {"c"}, "c": nil, "d": {"a"}}
	cases := []struct {
		name string
		deps []string
		want string
	}{
		{"c", []string{"a"}, "c → a → b → c"},
		{"c", []string{"d"}, "c → d → a → b → c"},
		{"c", nil, ""},
		{"e", []string{"a", "d"}, ""},
		{"a", []string{"c"}, ""},
		{"b", []string{"d"}, "b → d → a → b"},
	}
	for _, tc := range cases {
		if got := DependencyCycle(tc.name, tc.deps, graph); got != tc.want {
			t.Errorf("%s depends on %v: %q, want %q", tc.name, tc.deps, got, tc.want)
		}
	}
}

func TestValidateDependsOn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		deps []string
		want string
	}{
		{[]string{"job"}, "itself"},
		{[]string{"db", "db"}, "twice"},
		{[]string{"bad name"}, "existing event"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}, "at most 10"},
	} {
		if err := ValidateDependsOn("depends-on", "job", tc.deps); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.deps, err, tc.want)
		}
	}
	if err := ValidateDependsOn("depends-on", "job", []string{"db", "net"}); err != nil {
		t.Error(err)
	}
}

func TestParentHoldsChildAlerts(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		acts     []act
		troubled func(i int) bool
		want     []string
	}{
		{
			name: "FAILED, LATE and OVERRUN of a child are held while a parent is down",
			acts: []act{{min: 0, what: "success"}, {min: 1, what: "start"}, {min: 20, what: "check"}, {min: 61.5, what: "success"},
				{min: 70, what: "fail"}, {min: 80, what: "success"}},
			troubled: func(i int) bool { return i >= 2 },
			want: []string{"- first run", "- has not finished after the maximum run time 10m; host db1 (held: 1 parent down: db)",
				"- before any DOWN alert (held: 1 parent down: db)", "- (exit code 2) (held: 1 parent down: db)",
				"- (no UP alert: the outage was never alerted)"},
		},
		{
			name:     "the held outage is sent once the parent is up, and its recovery then sends UP",
			acts:     []act{{min: 0, what: "success"}, {min: 61, what: "check"}, {min: 67, what: "check"}, {min: 73, what: "check"}, {min: 80, what: "success"}},
			troubled: func(i int) bool { return i <= 2 },
			want:     []string{"- first run", "- (held: 1 parent down: db)", "down: still down now that its parents are up", "up:"},
		},
		{
			name:     "the parent recovers before the child: no alert from the child at all",
			acts:     []act{{min: 0, what: "success"}, {min: 61, what: "check"}, {min: 62, what: "success"}, {min: 70, what: "check"}},
			troubled: func(i int) bool { return i <= 1 },
			want:     []string{"- first run", "- (held: 1 parent down: db)", "- (no UP alert: the outage was never alerted)"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
			ev.DependsOn, ev.MaxRuntime = []string{"db"}, 10*time.Minute
			var got []string
			for i, a := range tc.acts {
				ev.Relatives = Relatives{}
				if tc.troubled(i) {
					ev.TroubledParents = []string{"db"}
				}
				got = append(got, runActs(t, ev, start, []act{a})...)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("published\n %q\nwant\n %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i][:1]) || !strings.Contains(got[i], strings.TrimPrefix(tc.want[i], "- ")) {
					t.Errorf("transition %d: %q, want %q...", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParentAlertListsAffected(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	ev := NewEvent("db", mustSchedule(t, Rolling, time.Hour, "", ""))
	runActs(t, ev, start, []act{{min: 0, what: "success"}})
	ev.Affected = []string{"report", "export"}
	trs, _ := ev.CheckDue(start.Add(61 * time.Minute))
	if len(trs) != 1 || trs[0].Alert == nil || !strings.Contains(trs[0].Reason, "also affected: report, export") ||
		!strings.Contains(trs[0].Alert.Body, "also affected: report, export") {
		t.Errorf("parent DOWN: %+v", trs)
	}
	if f := trs[0].Alert.Facts; f.ID != trs[0].ID || !f.At.Equal(trs[0].At) || !strings.Contains(f.Reason, "also affected") {
		t.Errorf("parent DOWN facts id %q at %s reason %q: the re-rendered alert keeps its id and time", f.ID, f.At, f.Reason)
	}
}
