package memon

import (
	"strings"
	"testing"
	"time"
)

// TestCheckFires: a cron schedule with no firing in the next
// five years is refused with the field, the value and the reason — by
// NewSchedule when it can never fire (so a hand-written item is unusable and
// reported), by CheckFires against the clock otherwise.
func TestCheckFires(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		expr string
		ok   bool
	}{
		{"0 3 * * *", true},
		{"0 0 29 2 *", true}, // 2028 is a leap year
		{"@yearly", true},
		{"0 0 30 2 *", false},
		{"0 0 31 4 *", false},
		{"0 0 31 2,4,6,9,11 *", false},
	} {
		s, err := NewSchedule(Cron, 0, tc.expr, "Europe/Berlin") // a day that never comes: refused here
		if err == nil {
			err = s.CheckFires(now)
		}
		if tc.ok != (err == nil) {
			t.Errorf("%q: %v", tc.expr, err)
		}
		if err != nil && (!strings.Contains(err.Error(), `cron "`+tc.expr+`"`) || !strings.Contains(err.Error(), "never fires in the next 5 years")) {
			t.Errorf("%q: message %q", tc.expr, err)
		}
	}
	if err := mustSchedule(t, Rolling, time.Hour, "", "").CheckFires(now); err != nil {
		t.Errorf("rolling: %v", err)
	}
}
