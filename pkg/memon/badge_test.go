package memon

import "testing"

func TestBadgeWorstStatusWins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []Status
		want Badge
	}{
		{nil, Badge{Status: BadgeUp}},
		{[]Status{StatusUp, StatusNew, StatusPaused}, Badge{Status: BadgeUp, Total: 3}},
		{[]Status{StatusUp, StatusLate}, Badge{Status: BadgeLate, Total: 2, Grace: 1}},
		{[]Status{StatusLate, StatusOverdue, StatusUp}, Badge{Status: BadgeDown, Total: 3, Grace: 1, Down: 1}},
		{[]Status{StatusDown, StatusFailed, StatusUnusable}, Badge{Status: BadgeDown, Total: 3, Down: 3}},
	} {
		if got := NewBadge(tc.in...); got != tc.want {
			t.Errorf("%v: %+v, want %+v", tc.in, got, tc.want)
		}
	}
	// Every status is counted as exactly one of up, late or down.
	for _, s := range Statuses() {
		b := NewBadge(s)
		late, down := s == StatusLate, s.Trouble()
		if b.Total != 1 || (b.Grace == 1) != late || (b.Down == 1) != down {
			t.Errorf("%s: %+v", s, b)
		}
	}
}
