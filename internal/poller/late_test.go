package poller

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/peerj/memon/pkg/memon"
)

// foldLateRaces counts a DOWN followed by an UP for events prefix0..n-1 as
// their one LATE. A late run (past deadline + grace) is LATE when its ping is
// applied before any poller judges the event; a poller that judges it while
// another poller holds the ping in flight sends DOWN, then UP when the ping
// lands. Either way each transition is alerted exactly once.
func foldLateRaces(got map[string]int, prefix string, n int) {
	for i := range n {
		name := fmt.Sprintf("%s%d", prefix, i)
		if got[name+":down"] == 1 && got[name+":up"] == 1 && got[name+":late"] == 0 {
			got[name+":late"] = 1
			delete(got, name+":down")
			delete(got, name+":up")
		}
	}
}

// alertedExactly checks that every "event:kind" in want was alerted exactly
// that many times and nothing else was alerted.
func alertedExactly(t *testing.T, got, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s alerted %d times, want exactly %d", k, got[k], n)
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			t.Errorf("unexpected alert %s x%d", k, n)
		}
	}
}

// digestLine is an event's line in a DOWN digest: "  - NAME[ [tags]]: why".
var digestLine = regexp.MustCompile(`(?m)^  - ([^ :\[]+)(?: \[[^\]]*\])?: `)

// perEvent counts alerts as "event:kind", a DOWN digest as one DOWN alert
// for each event it names.
func perEvent(alerts []memon.Alert) map[string]int {
	got := map[string]int{}
	for _, a := range alerts {
		if a.Event == "" && a.Kind == memon.KindDown {
			for _, m := range digestLine.FindAllStringSubmatch(a.Body, -1) {
				got[m[1]+":down"]++
			}
			continue
		}
		got[a.Event+":"+string(a.Kind)]++
	}
	return got
}
