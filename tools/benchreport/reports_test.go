package main

import (
	"bytes"
	"strings"
	"testing"
	"text/tabwriter"
)

func TestReportsReport(t *testing.T) {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 2, 0, 2, ' ', tabwriter.AlignRight)
	reportsReport(&b, tw, map[string]map[string]float64{"BenchmarkWeeklyReport": {"scans/report": 1, "queries/event": 1, "writes/report": 0}})
	out := b.String()
	// 1,000 x 600 B / 4 KB = 146 RRU scan + 500 RRU queries = 646 RRU a report; x 5.35 = 3.5k RRU = $0.0004.
	for _, want := range []string{"1 scan, 1.00 queries per event, 0 writes", "646 RRU", "3k RRU = $0.0004", "anything per ping"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	reportsReport(&b, tw, map[string]map[string]float64{})
	if !strings.Contains(b.String(), "no BenchmarkWeeklyReport") {
		t.Errorf("missing result: %q", b.String())
	}
}
