package poller

import (
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// TestDependsOnHoldsChildrenAndListsThem: while the parent is down, the
// children's DOWN alerts are held and listed in the parent's; when the
// parent recovers, a child still down alerts on its own.
func TestDependsOnHoldsChildrenAndListsThem(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	deadline := day0.Add(10 * time.Minute)
	w.rolling("db", time.Hour, deadline.Add(time.Minute), func(ev *memon.Event) { ev.Dependents = []string{"report", "export"} })
	w.rolling("report", time.Hour, deadline, func(ev *memon.Event) { ev.DependsOn = []string{"db"} })
	w.rolling("export", time.Hour, deadline.Add(time.Hour), func(ev *memon.Event) { ev.DependsOn = []string{"db"} })

	w.clock.Advance(10*time.Minute + 30*time.Second) // report is overdue, db not yet
	w.poll()
	if got := w.pub.Take(); len(got) != 1 || got[0].Subject != "[MEMon] Down: report" {
		t.Fatalf("before the parent is down, the child alerts normally: %v", subjects(got))
	}

	w.clock.Advance(time.Minute) // db overdue too: its DOWN lists report
	w.poll()
	got := w.pub.Take()
	if len(got) != 1 || got[0].Subject != "[MEMon] Down: db" || !strings.Contains(got[0].Body, "also affected: report") ||
		strings.Contains(got[0].Body, "export") {
		t.Fatalf("parent DOWN: %v\n%s", subjects(got), body(got))
	}

	w.clock.Advance(time.Hour) // export misses its deadline while db is down: held
	w.poll()
	for _, a := range w.pub.Take() {
		if a.Event == "export" || a.Event == "report" {
			t.Errorf("a child alerted while its parent is down: %s", a.Subject)
		}
	}
	if h := w.store.Records("export"); len(h) == 0 || !strings.Contains(h[len(h)-1].Reason, "held: 1 parent down: db") {
		t.Errorf("export's history: %+v", h)
	}

	w.ping("db", memon.Success) // the parent recovers
	w.poll()
	if got := w.pub.Take(); len(got) != 1 || got[0].Subject != "[MEMon] Up: db" {
		t.Errorf("parent recovery: %v", subjects(got))
	}
	w.clock.Advance(memon.ParentRecheck + time.Minute)
	w.poll()
	got = w.pub.Take()
	var exportDown bool
	for _, a := range got {
		if a.Subject == "[MEMon] Down: export" && strings.Contains(a.Body, "still down now that its parents are up") {
			exportDown = true
		}
	}
	if !exportDown {
		t.Errorf("after the parent recovered, export still down must alert: %v\n%s", subjects(got), body(got))
	}
}

func body(as []memon.Alert) string {
	var s []string
	for _, a := range as {
		s = append(s, a.Body)
	}
	return strings.Join(s, "\n---\n")
}
