package memon

import (
	"testing"
	"time"
)

func TestTimeInStates(t *testing.T) {
	t.Parallel()
	now := hoursIn(24*2 + 12) // day 2, 12:00
	from := hoursIn(0)
	rec := func(h float64, from, to State) HistoryRecord {
		return HistoryRecord{Name: "job", At: hoursIn(h), From: from, To: to}
	}
	rolling := mustSchedule(t, Rolling, time.Hour, "", "")
	for _, tc := range []struct {
		name             string
		status           func(*Event)
		recs             []HistoryRecord
		up, down, paused time.Duration
		ok               bool
	}{
		{"new, never ran: neither up nor down", func(*Event) {}, nil, 0, 0, 0, false},
		{"created on day 2 and up since its first run at 06:00", func(ev *Event) { ev.State = Up },
			[]HistoryRecord{rec(48+6, New, Up)}, 6 * time.Hour, 0, 0, true},
		{"always broken since day 1 (watched from now, never ran)", func(ev *Event) { ev.State = Down },
			[]HistoryRecord{rec(24+1, New, Down)}, 0, 35 * time.Hour, 0, true},
		{"paused all along", func(ev *Event) { ev.Enabled = false }, nil, 0, 0, 60 * time.Hour, false},
		{"paused a day in the middle; a failure while paused is not downtime", func(ev *Event) { ev.State = Down },
			[]HistoryRecord{rec(1, New, Up), rec(12, Up, Paused), rec(20, Up, Down), rec(36, Paused, Down)},
			11 * time.Hour, 24 * time.Hour, 24 * time.Hour, true},
		{"up all period (the first run before it): all up", func(ev *Event) { ev.State = Up }, nil, 60 * time.Hour, 0, 0, true},
		{"a superseded failure changes nothing", func(ev *Event) { ev.State = Up },
			[]HistoryRecord{rec(1, New, Up), {Name: "job", At: hoursIn(5), From: Up, To: Up, Superseded: true}}, 59 * time.Hour, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", rolling)
			tc.status(ev)
			days := TimeInStates(ev, tc.recs, from, now)
			if len(days) != 3 || !days[0].Day.Equal(from) {
				t.Fatalf("days %+v, want the three UTC days from %s", days, from)
			}
			var paused time.Duration
			for _, d := range days {
				paused += d.Paused
				if d.Watched()+d.Paused > 24*time.Hour {
					t.Errorf("day %s holds more than a day: %+v", d.Day, d)
				}
			}
			up, down, share, ok := Availability(days)
			if up != tc.up || down != tc.down || paused != tc.paused || ok != tc.ok {
				t.Fatalf("up %v down %v paused %v ok %v; want %v %v %v %v", up, down, paused, ok, tc.up, tc.down, tc.paused, tc.ok)
			}
			// The report reads the same numbers.
			r := SummarizeEvent(ev, nil, tc.recs, Period{First: DayOf(from), Last: DayOf(now), End: now}, now)
			if r.Watched != up+down || r.Counts.Downtime != down || (ok && r.Uptime() != share) {
				t.Errorf("report: watched %v downtime %v uptime %v; want %v %v %v", r.Watched, r.Counts.Downtime, r.Uptime(), up+down, down, share)
			}
		})
	}
}
