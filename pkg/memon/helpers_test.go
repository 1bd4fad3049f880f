package memon

import (
	"testing"
	"time"
)

// at returns epoch seconds as a UTC time: the seed's examples are in epochs.
func at(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func mustSchedule(t *testing.T, kind ScheduleKind, period time.Duration, expr, zone string) Schedule {
	t.Helper()
	s, err := NewSchedule(kind, period, expr, zone)
	if err != nil {
		t.Fatalf("NewSchedule(%q, %v, %q, %q): %v", kind, period, expr, zone, err)
	}
	return s
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func success(name string, sent time.Time) Ping {
	return Ping{Name: name, Signal: Success, SentAt: sent}
}

func fail(name string, sent time.Time, code int) Ping {
	return Ping{Name: name, Signal: Fail, SentAt: sent, ExitCode: &code}
}

// kinds lists the alert kinds of transitions, "" for a silent one.
func kinds(trs []Transition) []AlertKind {
	var out []AlertKind
	for _, tr := range trs {
		if tr.Alert == nil {
			out = append(out, "")
			continue
		}
		out = append(out, tr.Alert.Kind)
	}
	return out
}
