package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkPollNothingDue/events=10-2      	       5	         7.000 api-calls/poll	         3.000 ddb-queries/poll	         0 items-read/poll	         4.000 sqs-receives/poll
BenchmarkPollNothingDue/events=1000-2    	       5	         7.000 api-calls/poll	         3.000 ddb-queries/poll	         0 items-read/poll	         4.000 sqs-receives/poll
BenchmarkPollNothingDue/events=10000-2   	       1	         7.000 api-calls/poll	         3.000 ddb-queries/poll	         0 items-read/poll	         4.000 sqs-receives/poll
BenchmarkDrainBacklog/sqs=memory/pings=10000-2 	       1	       667.0 api-calls/poll	         3.000 ddb-queries/poll	         1.000 ddb-reads/ping	         1.000 ddb-writes/ping	       300.0 items-read/poll	     10000 pings/poll	        34.00 sqs-receives/poll	         0.2133 sqs-requests/ping	         1.000 wru/ping	         0 index-wru/ping
BenchmarkPollPeakMemory/queue=16KiB-2         	       1	     16384 message-bytes	        49.31 peak-MB
BenchmarkPollPeakMemory/queue=1MiB-2         	       1	   1048512 message-bytes	        31.87 peak-MB
BenchmarkSteadyHourlyJobs-2              	       5	        45.60 api-calls/poll	         2.000 lease-writes/poll	         2.000 stream-reads/poll	         3.000 ddb-queries/poll	         1.000 ddb-reads/ping	         1.000 ddb-writes/ping	        17.00 items-read/poll	        17.00 pings/poll	         6.600 sqs-receives/poll	         0.5059 sqs-requests/ping	      1200 poll-ms	         1.000 wru/ping	         0 index-wru/ping
BenchmarkColdStart-2   	       1	      1000 events	        12.00 api-calls/poll	         1.000 scan-pages/poll	      1000 items-read/poll	        62.00 scan-rru/poll	       900 poll-ms
BenchmarkColdStartInMemory-2   	       1	    100000 events	      1400 poll-ms	        97.00 bytes/event	        36.20 poll-peak-MB	       174.0 process-peak-MB
PASS
`

func TestReportComputesTheBillFromTheMeasuredCounts(t *testing.T) {
	r, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got := r["BenchmarkSteadyHourlyJobs"]["sqs-requests/ping"]; got != 0.5059 {
		t.Fatalf("parsed sqs-requests/ping %v", got)
	}
	var b strings.Builder
	if err := report(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// 720,000 pings x 1 WRU x $0.625/M = $0.45; 720,000 x 1.5059 SQS requests
	// = 1.08M -> $0.43 list, $0.03 after the first free million.
	// Reads: 720,000 + 43,200 x 3 x 0.5 + 43,200 = 0.83M RRU = $0.10; scans:
	// 2,160 x 62 RRU = $0.02. The lease: 43,200 polls x 2 WRU = 0.086M WRU =
	// $0.05; the stream: 43,200 x 2 GetRecords = 0.086M, $0.02 list, $0.00
	// under the free 2.5M. After the free tier: $0.66, MET; the floor
	// $0.45 (1.46x); list $1.68 against a $0.74 floor.
	// A job every minute: 43,200 x (1.5059 x $0.40 + $0.625 + $0.125)/M = $0.058.
	// AWS job events, per million: 1.5059M SQS requests = $0.60; configured
	// ones 1 WRU + 1 RRU = $0.75 more; unconfigured ones 1 RRU = $0.125.
	for _, want := range []string{"0.086M WRU (2 a poll)", "$0.05", "0.086M GetRecords (2.0 a poll)", "$0.02", "0.72M WRU (1.00 a ping, 0.00 of them index)",
		"$0.45", "1.08M requests", "$0.43", "$0.03", "2160 scans x 62 RRU", "at most $0.70/month for 1,000 hourly jobs: MET ($0.66 after the always-free tier, $1.68 at list price)",
		"about 1519 hourly jobs", "$0.74 list, $0.45 after the free tier; the bill is 2.28x it at list price, 1.46x after the free tier",
		"adds $0.058 a month at list price: goal at most $0.06 MET", "sqs=memory/pings=10000",
		"AWS job events", "$0.60", "$0.75", "$1.35", "$0.73", "1000 events (moto): 12 API calls, 1 scan pages, 1000 items read, 62 RRU, 900 ms",
		"97 bytes an event; the poll's peak 36.2 MB (bound 64 MB): MET",
		"Bound of 64 MB per poll (the Lambda has 128 MB): MET (peak 49.3 MB)", "queue=1MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestReportNamesAMissingBenchmark(t *testing.T) {
	r, _ := parse(strings.NewReader("BenchmarkSteadyHourlyJobs-2 1 1 pings/poll\n"))
	var b strings.Builder
	if err := report(&b, r); err == nil || !strings.Contains(err.Error(), "BenchmarkPollNothingDue/events=10") {
		t.Fatalf("err %v, want one naming the missing benchmark", err)
	}
}
