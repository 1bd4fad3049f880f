package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// What a report reads, beyond what BenchmarkWeeklyReport counts: a
// consistent scan bills 1 RRU per 4 KB of items, an eventually consistent
// query at least 0.5 RRU (a week of daily records is under 4 KB).
const (
	eventItemBytes  = 600 // a typical event item with its counters
	queryRRU        = 0.5
	reportsPerMonth = 4.35 + 1 // weekly and monthly (-c report=both)
)

// reportsReport prices the scheduled reports (BenchmarkWeeklyReport): one
// scan of the events table and one query per event, once a week or month;
// nothing per ping.
func reportsReport(w io.Writer, tw *tabwriter.Writer, r map[string]map[string]float64) {
	m, ok := r["BenchmarkWeeklyReport"]
	if !ok {
		fmt.Fprintln(w, "\nReports: no BenchmarkWeeklyReport result in the input (make bench runs it).")
		return
	}
	scanRRU := float64(jobs) * eventItemBytes / 4096 * m["scans/report"]
	queryRRUs := float64(jobs) * m["queries/event"] * queryRRU
	perReport := scanRRU + queryRRUs
	month := perReport * reportsPerMonth
	fmt.Fprintln(w, "\nScheduled reports (weekly and monthly, 1,000 events): what they add")
	fmt.Fprintln(tw, "per report (measured)\tread units per report\ta month, weekly + monthly\t")
	fmt.Fprintf(tw, "%.0f scan, %.2f queries per event, %.0f writes\t%.0f RRU\t%.0fk RRU = $%.4f; 5 Scheduler invocations (free)\t\n",
		m["scans/report"], m["queries/event"], m["writes/report"], perReport, month/1e3, month/1e6*ddbReadPerMillion)
	tw.Flush()
	fmt.Fprintln(w, "A report never costs anything per ping: it reads the counters the pings' own writes keep.")
}
