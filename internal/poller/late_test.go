package poller

import "fmt"

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
