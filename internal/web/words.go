package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// scheduleWords says an event's schedule the way a person would:
// "every 1h after each run", "at 03:00 Monday to Friday, Europe/Berlin".
func scheduleWords(ev *memon.Event) string {
	s := ev.Schedule
	var w string
	switch s.Kind {
	case memon.Cron:
		w = cronWords(s.Expr) + ", " + s.Location().String()
	case memon.Fixed:
		w = "every " + durationWords(s.Period) + " on a fixed grid"
	default:
		w = "every " + durationWords(s.Period) + " after each run"
	}
	if ev.Grace > 0 {
		w += ", " + memon.FormatDuration(ev.Grace) + " grace"
	}
	return w
}

// durationWords drops the 1 of "1h": "hour", "2h", "day".
func durationWords(d time.Duration) string {
	switch d {
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	case 7 * 24 * time.Hour:
		return "week"
	}
	return memon.FormatDuration(d)
}

var weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// cronWords describes the common shapes of a cron expression and quotes
// the rest: a wrong description is worse than the expression itself.
func cronWords(expr string) string {
	quoted := fmt.Sprintf("cron %q", expr)
	switch strings.TrimSpace(expr) {
	case "@hourly":
		return "every hour on the hour"
	case "@daily", "@midnight":
		return "daily at 00:00"
	case "@weekly":
		return "Sundays at 00:00"
	case "@monthly":
		return "on the 1st of each month at 00:00"
	}
	f := strings.Fields(expr)
	if len(f) != 5 || f[3] != "*" {
		return quoted
	}
	min, hour, dom, dow := f[0], f[1], f[2], f[4]
	var when string
	switch {
	case isNum(min) && isNum(hour):
		h, _ := strconv.Atoi(hour)
		m, _ := strconv.Atoi(min)
		when = fmt.Sprintf("at %02d:%02d", h, m)
	case isNum(min) && hour == "*":
		when = fmt.Sprintf("every hour at minute %s", min)
	case strings.HasPrefix(min, "*/") && isNum(min[2:]) && hour == "*":
		when = "every " + min[2:] + " minutes"
	case min == "*" && hour == "*":
		when = "every minute"
	default:
		return quoted
	}
	days := ""
	switch {
	case dow == "*" && dom == "*":
		days = "daily"
	case dom == "*":
		d, ok := dowWords(dow)
		if !ok {
			return quoted
		}
		days = d
	case dow == "*" && isNum(dom):
		days = "on day " + dom + " of each month"
	default:
		return quoted
	}
	if days == "daily" && !strings.HasPrefix(when, "at ") {
		return when
	}
	return days + " " + when
}

func isNum(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && s != ""
}

// dowWords reads "1-5", "0,6", "1": Monday to Friday, Sunday and Saturday.
func dowWords(dow string) (string, bool) {
	day := func(s string) (string, bool) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 7 {
			return "", false
		}
		return weekdays[n%7], true
	}
	var parts []string
	for _, p := range strings.Split(dow, ",") {
		if a, b, ok := strings.Cut(p, "-"); ok {
			da, ok1 := day(a)
			db, ok2 := day(b)
			if !ok1 || !ok2 {
				return "", false
			}
			parts = append(parts, da+" to "+db)
			continue
		}
		d, ok := day(p)
		if !ok {
			return "", false
		}
		parts = append(parts, d+"s")
	}
	return strings.Join(parts, " and "), true
}
