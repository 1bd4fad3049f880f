package memon

import (
	"fmt"
	"time"
)

// downAlert decides whether newly missed deadlines are alerted, given the
// missed-run count before them. memon.py's rule stays (no DOWN once MaxAlerts
// periods were missed), and the alerts themselves are counted on the event
// (DownAlerts): the missed-run count restarts at 0 when a schedule edit, a
// re-arm or an initial date moves the deadline, and a cap derived from it
// alone let an outage send more than MaxAlerts DOWN alerts. An outage ends
// only when the job runs. It returns "" once the cap is reached.
func (ev *Event) downAlert(missedBefore int) AlertKind {
	if missedBefore >= ev.MaxAlertsOrDefault() || ev.DownAlerts >= ev.MaxAlertsOrDefault() {
		return "" // still counted and recorded, no longer alerted
	}
	ev.DownAlerts++
	return KindDown
}

// lateReason says how late a run was: after its deadline and its grace,
// before any DOWN alert went out.
func lateReason(t, deadline time.Time, grace time.Duration) string {
	by := FormatDuration(t.Sub(deadline).Round(time.Second))
	if grace == 0 {
		return fmt.Sprintf("ran %s after its deadline %s, before any DOWN alert", by, FormatTime(deadline))
	}
	return fmt.Sprintf("ran %s after its deadline %s, past its grace of %s, before any DOWN alert",
		by, FormatTime(deadline), FormatDuration(grace))
}
