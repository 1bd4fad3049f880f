package main

import (
	"strings"
	"testing"
	"text/tabwriter"
)

func TestCountersReportPricesTheDailyRecord(t *testing.T) {
	r, err := parse(strings.NewReader("BenchmarkDailyCounters-2   \t       1\t         0 plain-updates/event-day\t         2.000 transact-items/event-day\t         1.000 transactions/event-day\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	countersReport(&b, tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0), r)
	// 2 items at 2 WRU instead of 1 plain update: 3 extra WRU per event-day;
	// 1,000 jobs x 30 days = 90k WRU = $0.056; 1,000 x 400 records x 200 B
	// = 0.08 GB = $0.020.
	for _, want := range []string{"1.00 transaction of 2.00 items", "3.00", "90k WRU = $0.056", "0.08 GB = $0.020"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	var none strings.Builder
	countersReport(&none, tabwriter.NewWriter(&none, 0, 0, 2, ' ', 0), map[string]map[string]float64{})
	if !strings.Contains(none.String(), "no BenchmarkDailyCounters result") {
		t.Errorf("without the benchmark: %q", none.String())
	}
}
