package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkPollNothingDue/events=10-2      	       5	         7.000 api-calls/poll	         3.000 ddb-queries/poll	         0 items-read/poll	         4.000 sqs-receives/poll
BenchmarkPollNothingDue/events=1000-2    	       5	         7.000 api-calls/poll	         3.000 ddb-queries/poll	         0 items-read/poll	         4.000 sqs-receives/poll
BenchmarkPollNothingDue/events=10000-2   	       1	         7.000 api-calls/poll	         3.000 ddb-queries/poll	         0 items-read/poll	         4.000 sqs-receives/poll
BenchmarkDrainBacklog/sqs=memory/pings=10000-2 	       1	       667.0 api-calls/poll	         3.000 ddb-queries/poll	         1.000 ddb-reads/ping	         1.000 ddb-writes/ping	       300.0 items-read/poll	     10000 pings/poll	        34.00 sqs-receives/poll	         0.2133 sqs-requests/ping
BenchmarkPollPeakMemory/queue=16KiB-2         	       1	     16384 message-bytes	        49.31 peak-MB
BenchmarkPollPeakMemory/queue=1MiB-2         	       1	   1048512 message-bytes	        31.87 peak-MB
BenchmarkSteadyHourlyJobs-2              	       5	        45.60 api-calls/poll	         2.000 lease-writes/poll	         2.000 stream-reads/poll	         3.000 ddb-queries/poll	         1.000 ddb-reads/ping	         1.000 ddb-writes/ping	        17.00 items-read/poll	        17.00 pings/poll	         6.600 sqs-receives/poll	         0.5059 sqs-requests/ping	      1200 poll-ms
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
	// 720,000 pings x 3 WRU x $0.625/M = $1.35; 720,000 x 1.5059 SQS requests
	// = 1.08M -> $0.43 list, $0.03 after the first free million.
	// AWS job events, per million: 1.5059M SQS requests = $0.60; configured
	// ones 3 WRU + 1 RRU = $2.00 more; unconfigured ones 1 RRU = $0.125.
	// The lease: 43,200 polls x 2 WRU = 0.086M WRU = $0.05; the stream:
	// 43,200 x 2 GetRecords = 0.086M, $0.02 list, $0.00 under the free 2.5M.
	for _, want := range []string{"0.086M WRU (2 a poll)", "$0.05", "0.086M GetRecords (2.0 a poll)", "$0.02", "2.16M WRU", "$1.35", "1.08M requests", "$0.43", "$0.03", "NOT MET", "sqs=memory/pings=10000",
		"AWS job events", "$0.60", "$2.00", "$2.60", "$0.73",
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
