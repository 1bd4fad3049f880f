package memon

import "testing"

// TestChangeLogKeepsTheLatestWriteAndWhatItMustNotForget: a console edit
// of the schedule followed by MEMon's own write is still a change, and still
// a schedule edit, at the console's version: a poller that finds the item
// at MEMon's later version knows the edit was read.
func TestChangeLogKeepsTheLatestWriteAndWhatItMustNotForget(t *testing.T) {
	t.Parallel()
	var l ChangeLog
	l.Add(Change{Name: "a", ScheduleEdited: true, Version: 3})
	l.Add(Change{Name: "b", Own: true, Version: 1})
	l.Add(Change{Name: "a", Own: true, Version: 4})
	got := l.Changes()
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" {
		t.Fatalf("changes %+v, want a then b, once each", got)
	}
	if a := got[0]; a.Own || !a.ScheduleEdited || a.Version != 3 {
		t.Errorf("a: %+v, want another tool's write at version 3 (MEMon's at 4 read it), still a schedule edit", a)
	}
	if !got[1].Own {
		t.Errorf("b: %+v, want MEMon's own", got[1])
	}
}
