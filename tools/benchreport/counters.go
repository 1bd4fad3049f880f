package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// What one daily record weighs in the history table: key, counters, TTL.
const (
	dailyRecordBytes = 200
	historyDays      = 400  // the history table's TTL
	storagePerGB     = 0.25 // DynamoDB standard storage, per GB-month
	freeStorageGB    = 25   // always free
)

// countersReport prices the per-event day counters that feed the web
// page's charts and the reports (BenchmarkDailyCounters): today's counts
// ride on the writes a ping already makes; the first write of a new day
// becomes a transaction that also puts yesterday's record. A transactional
// write bills two units per item, so an event-day costs the transaction's
// items twice instead of one plain update.
func countersReport(w io.Writer, tw *tabwriter.Writer, r map[string]map[string]float64) {
	m, ok := r["BenchmarkDailyCounters"]
	if !ok {
		fmt.Fprintln(w, "\nDaily counters: no BenchmarkDailyCounters result in the input (make bench runs it).")
		return
	}
	items, txs := m["transact-items/event-day"], m["transactions/event-day"]
	extraWRU := 2*items - 1 // the plain update it replaces was 1 WRU
	eventDays := float64(jobs * days)
	wru := eventDays * extraWRU
	gb := float64(jobs*historyDays*dailyRecordBytes) / 1e9
	fmt.Fprintln(w, "\nDaily counters (runs, failures, durations per event and day; the web page's charts): what they add")
	fmt.Fprintln(tw, "per event and day\textra WRU\t1,000 jobs, 30 days\tstorage after 400 days\t")
	fmt.Fprintf(tw, "%.2f transaction of %.2f items (measured), %.0f extra writes per ping\t%.2f\t%.0fk WRU = $%.3f\t%.2f GB = $%.3f (free under %d GB)\t\n",
		txs, items, m["plain-updates/event-day"], extraWRU, wru/1e3, wru/1e6*ddbWritePerMillion, gb, gb*storagePerGB, freeStorageGB)
	tw.Flush()
	fmt.Fprintln(w, "A counter never costs a write per ping: today's numbers change in the write that applies the ping or decides DOWN.")
}
