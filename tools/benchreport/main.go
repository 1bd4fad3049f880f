// Command benchreport reads `go test -bench` output of internal/poller's
// benchmarks on stdin and prints MEMon's cost report: what a poll asks of
// AWS as the table grows, what a backlog costs per ping, and from the
// steady-state counts a modelled monthly bill. Used by `make bench`.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Public list prices, us-east-1, as published in 2026. Free tier: the
// always-free monthly allowances (not the 12-month trial).
const (
	sqsPerMillion       = 0.40      // standard queue requests
	sqsFreeRequests     = 1_000_000 // always free
	ddbWritePerMillion  = 0.625     // on-demand write request units
	ddbReadPerMillion   = 0.125     // on-demand read request units
	lambdaPerGBSecond   = 0.0000133334
	lambdaPerMillionReq = 0.20
	lambdaFreeGBSeconds = 400_000
	lambdaFreeRequests  = 1_000_000
	lambdaMemoryGB      = 0.125 // 128 MB
	alarmPerMonth       = 0.10
	alarmsFree          = 10
	alarms              = 5      // the stack's alarms
	logsPerGB           = 0.50   // ingestion
	logBytesPerPoll     = 600    // the summary line, plus a transition now and then
	logsFreeGB          = 5.0    // always free
	jobs                = 1000   // the model: 1,000 hourly jobs
	days                = 30     //
	polls               = 43_200 // one a minute for 30 days
	pingsPerMonth       = jobs * 24 * days
	streamPerMillion    = 0.20      // DynamoDB Streams read request units (GetRecords calls)
	streamFreeReads     = 2_500_000 // always free
	// Whole-table scans a month: the hourly reconcile, the hourly rebuild of
	// the deadline table, and a Lambda cold start an hour (AWS publishes no
	// lifetime for an execution environment; an hour is on the high side
	// for a function invoked every minute).
	scansPerMonth = 3 * 24 * days
	// Per-ping goals: the bill for 1,000 hourly jobs after the free tier, a
	// job pinging every minute at list price.
	goalHourly1000 = 0.70
	goalPerMinute  = 0.06
	pingsPerMinute = 60 * 24 * days // a job pinging every minute, a month
)

var line = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// parse returns benchmark name -> metric unit -> value.
func parse(r io.Reader) (map[string]map[string]float64, error) {
	out := map[string]map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		metrics := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchmark %s: metric %q: %w", m[1], f[i], err)
			}
			metrics[f[i+1]] = v
		}
		out[m[1]] = metrics
	}
	return out, sc.Err()
}

func main() {
	results, err := parse(os.Stdin)
	if err == nil {
		err = report(os.Stdout, results)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func report(w io.Writer, r map[string]map[string]float64) error {
	need := func(name string) (map[string]float64, error) {
		m, ok := r[name]
		if !ok {
			return nil, fmt.Errorf("no result for %s in the input (did the benchmark fail?)", name)
		}
		return m, nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "MEMon cost report (make bench). Counts are measured against moto; prices are AWS list prices, us-east-1.")
	fmt.Fprintln(w, "\nIdle poll, nothing due: must not grow with the number of events")
	fmt.Fprintln(tw, "events\titems read/poll\tAPI calls/poll\tSQS receives\tDynamoDB queries\tstream reads\tlease writes\t")
	for _, n := range []string{"10", "1000", "10000"} {
		m, err := need("BenchmarkPollNothingDue/events=" + n)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t\n", n, m["items-read/poll"], m["api-calls/poll"], m["sqs-receives/poll"],
			m["ddb-queries/poll"], m["stream-reads/poll"], m["lease-writes/poll"])
	}
	tw.Flush()

	fmt.Fprintln(w, "\nBacklog drained by one poll (1,000 events, ten pings each)")
	fmt.Fprintln(tw, "backlog\tpings drained in one poll\tSQS requests/ping\tDynamoDB writes/ping\tWRU/ping\tindex WRU/ping\tDynamoDB reads/ping\t")
	for _, name := range sortedNames(r, "BenchmarkDrainBacklog/") {
		m := r[name]
		fmt.Fprintf(tw, "%s\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", strings.TrimPrefix(name, "BenchmarkDrainBacklog/"),
			m["pings/poll"], m["sqs-requests/ping"], m["ddb-writes/ping"], m["wru/ping"], m["index-wru/ping"], m["ddb-reads/ping"])
	}
	tw.Flush()
	fmt.Fprintln(w, "WRU/ping: the item's write units and, for every index of the events table (read from the table) whose key a write sets or removes, the index's.")

	if err := memoryReport(w, tw, r, need); err != nil {
		return err
	}

	steady, err := need("BenchmarkSteadyHourlyJobs")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nSteady state: %.0f pings/poll for different events: %.3f SQS requests, %.3f DynamoDB writes (%.3f WRU, %.3f of them index), %.3f reads per ping; %.0f API calls and %.0f ms per poll (moto)\n",
		steady["pings/poll"], steady["sqs-requests/ping"], steady["ddb-writes/ping"], steady["wru/ping"], steady["index-wru/ping"], steady["ddb-reads/ping"],
		steady["api-calls/poll"], steady["poll-ms"])
	cold, err := coldStartReport(w, need)
	if err != nil {
		return err
	}

	type row struct {
		service, usage  string
		list, afterFree float64
	}
	pings := float64(pingsPerMonth)
	sqsReq := pings*(1+steady["sqs-requests/ping"]) + 0 // a send per ping, plus the poller's receives and deletes
	wru := pings * steady["wru/ping"]
	// A consistent GetItem per event; the due queries (one per index shard)
	// at the 0.5-unit minimum each; the consistent read of the CONFIG alerts
	// waiting for the topic (1 unit) a poll.
	rru := pings*steady["ddb-reads/ping"] + polls*steady["ddb-queries/poll"]*0.5 + polls*1
	leaseWRU := polls * steady["lease-writes/poll"] // take and release, 1 WRU each
	scanRRU := scansPerMonth * cold["scan-rru/poll"]
	streamReads := polls * steady["stream-reads/poll"]
	gbs := polls * steady["poll-ms"] / 1000 * lambdaMemoryGB
	logGB := float64(polls*logBytesPerPoll) / 1e9
	rows := []row{
		{"SQS", fmt.Sprintf("%.2fM requests", sqsReq/1e6), sqsReq / 1e6 * sqsPerMillion, max(0, sqsReq-sqsFreeRequests) / 1e6 * sqsPerMillion},
		{"DynamoDB writes", fmt.Sprintf("%.2fM WRU (%.2f a ping, %.2f of them index)", wru/1e6, steady["wru/ping"], steady["index-wru/ping"]),
			wru / 1e6 * ddbWritePerMillion, wru / 1e6 * ddbWritePerMillion},
		{"DynamoDB reads", fmt.Sprintf("%.2fM RRU", rru/1e6), rru / 1e6 * ddbReadPerMillion, rru / 1e6 * ddbReadPerMillion},
		{"DynamoDB scans", fmt.Sprintf("%d scans x %.0f RRU (reconcile, rebuild, cold start: hourly)", scansPerMonth, cold["scan-rru/poll"]),
			scanRRU / 1e6 * ddbReadPerMillion, scanRRU / 1e6 * ddbReadPerMillion},
		{"DynamoDB poll lease", fmt.Sprintf("%.3fM WRU (%.0f a poll)", leaseWRU/1e6, steady["lease-writes/poll"]), leaseWRU / 1e6 * ddbWritePerMillion, leaseWRU / 1e6 * ddbWritePerMillion},
		{"DynamoDB Streams", fmt.Sprintf("%.3fM GetRecords (%.1f a poll)", streamReads/1e6, steady["stream-reads/poll"]), streamReads / 1e6 * streamPerMillion,
			max(0, streamReads-streamFreeReads) / 1e6 * streamPerMillion},
		{"Lambda", fmt.Sprintf("%d invocations, %.0f GB-s", polls, gbs), gbs*lambdaPerGBSecond + polls/1e6*lambdaPerMillionReq,
			max(0, gbs-lambdaFreeGBSeconds)*lambdaPerGBSecond + max(0, polls-lambdaFreeRequests)/1e6*lambdaPerMillionReq},
		{"CloudWatch alarms", fmt.Sprintf("%d alarms", alarms), alarms * alarmPerMonth, max(0, alarms-alarmsFree) * alarmPerMonth},
		{"CloudWatch Logs", fmt.Sprintf("%.3f GB ingested", logGB), logGB * logsPerGB, max(0, logGB-logsFreeGB) * logsPerGB},
		{"SNS, EventBridge rule", "a few alerts; scheduled rules are free", 0, 0},
	}
	fmt.Fprintf(w, "\nModelled monthly bill: %d hourly jobs for %d days = %d pings, %d polls\n", jobs, days, pingsPerMonth, polls)
	fmt.Fprintln(tw, "service\tusage\tlist price\tafter always-free tier\t")
	var list, free float64
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t$%.2f\t$%.2f\t\n", r.service, r.usage, r.list, r.afterFree)
		list += r.list
		free += r.afterFree
	}
	fmt.Fprintf(tw, "total\t\t$%.2f\t$%.2f\t\n", list, free)
	tw.Flush()
	fmt.Fprintf(w, "\nGoal at most $%.2f/month for 1,000 hourly jobs: %s ($%.2f after the always-free tier, $%.2f at list price).\n",
		goalHourly1000, verdict(free <= goalHourly1000), free, list)
	fmt.Fprintf(w, "Jobs that fit under $1 at this rate: about %d hourly jobs.\n", int(float64(jobs)/free))
	// The floor of this design: one SQS send and one item write a ping.
	floorList := pings * (sqsPerMillion + ddbWritePerMillion) / 1e6
	floorFree := max(0, pings-sqsFreeRequests)/1e6*sqsPerMillion + pings/1e6*ddbWritePerMillion
	fmt.Fprintf(w, "Floor (an SQS send + 1 WRU a ping): $%.2f list, $%.2f after the free tier; the bill is %.2fx it at list price, %.2fx after the free tier.\n",
		floorList, floorFree, list/floorList, free/floorFree)
	// A job pinging every minute, at list price: its sends, the poller's SQS
	// requests, write units and reads per ping.
	perPing := (1+steady["sqs-requests/ping"])*sqsPerMillion/1e6 + steady["wru/ping"]*ddbWritePerMillion/1e6 + steady["ddb-reads/ping"]*ddbReadPerMillion/1e6
	fmt.Fprintf(w, "A job pinging every minute (%d pings a month) adds $%.3f a month at list price: goal at most $%.2f %s.\n",
		pingsPerMinute, perPing*pingsPerMinute, goalPerMinute, verdict(perPing*pingsPerMinute <= goalPerMinute))
	awsEventsReport(w, tw, steady)
	countersReport(w, tw, r)
	reportsReport(w, tw, r)
	return nil
}

// awsEventsReport prices what the EventBridge rules for AWS job events add
// (stack context awsSources). EventBridge itself charges nothing for AWS
// services' own events on the default bus, nor for rules matching them;
// each event delivered costs what a ping costs, plus the SQS send that
// EventBridge makes. An event for a job nobody configured is read (one
// consistent GetItem, 1 RRU) and deleted, never written.
func awsEventsReport(w io.Writer, tw *tabwriter.Writer, steady map[string]float64) {
	const perEvents = 1_000_000
	sqsReq := perEvents * (1 + steady["sqs-requests/ping"])
	wru := perEvents * steady["wru/ping"]
	rru := perEvents * steady["ddb-reads/ping"]
	fmt.Fprintln(w, "\nAWS job events (EventBridge rules, -c awsSources): what 1 million delivered events add, list prices")
	fmt.Fprintln(tw, "events\tEventBridge\tSQS\tDynamoDB\ttotal\t")
	configured := sqsReq/1e6*sqsPerMillion + wru/1e6*ddbWritePerMillion + rru/1e6*ddbReadPerMillion
	fmt.Fprintf(tw, "configured (a ping each)\t$0.00\t$%.2f\t$%.2f\t$%.2f\t\n", sqsReq/1e6*sqsPerMillion,
		wru/1e6*ddbWritePerMillion+rru/1e6*ddbReadPerMillion, configured)
	unconfigured := sqsReq/1e6*sqsPerMillion + 1*ddbReadPerMillion
	fmt.Fprintf(tw, "not configured (read, dropped)\t$0.00\t$%.2f\t$%.2f\t$%.2f\t\n", sqsReq/1e6*sqsPerMillion, 1*ddbReadPerMillion, unconfigured)
	tw.Flush()
	fmt.Fprintf(w, "An hourly AWS job costs what an hourly memon-send job costs (%d events a month). The rules match only terminal\n"+
		"states, and ECS (off by default) only tasks no service started; events the rules do not match cost nothing.\n", 24*days)
}

// pollMemoryLimitMB is the bound on one poll's memory: half the
// Lambda's 128 MB.
const pollMemoryLimitMB = 64

// memoryReport prints the poller's peak memory for one poll of the
// worst-case queue (BenchmarkPollPeakMemory) against the bound.
func memoryReport(w io.Writer, tw *tabwriter.Writer, r map[string]map[string]float64,
	need func(string) (map[string]float64, error)) error {
	worst, err := need("BenchmarkPollPeakMemory/queue=16KiB")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nPoller memory for one poll of the worst-case queue (ten messages a receive, four receivers, a full round)")
	fmt.Fprintln(tw, "queue\tmessage bytes\tpeak MB\t")
	peak := worst["peak-MB"]
	for _, name := range sortedNames(r, "BenchmarkPollPeakMemory/") {
		m := r[name]
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t\n", strings.TrimPrefix(name, "BenchmarkPollPeakMemory/"), m["message-bytes"], m["peak-MB"])
		peak = max(peak, m["peak-MB"])
	}
	tw.Flush()
	fmt.Fprintf(w, "Bound of %d MB per poll (the Lambda has 128 MB): %s (peak %.1f MB).\n", pollMemoryLimitMB, verdict(peak <= pollMemoryLimitMB), peak)
	return nil
}

// coldStartReport prints what a new process's first poll costs (it
// rebuilds the deadline table by a scan) and returns the moto measurement,
// which the bill prices.
func coldStartReport(w io.Writer, need func(string) (map[string]float64, error)) (map[string]float64, error) {
	moto, err := need("BenchmarkColdStart")
	if err != nil {
		return nil, err
	}
	mem, err := need("BenchmarkColdStartInMemory")
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "\nCold start: a new process's first poll rebuilds the deadline table by a scan (a Lambda cold start; every memon-poller --once)")
	fmt.Fprintf(w, "  %.0f events (moto): %.0f API calls, %.0f scan pages, %.0f items read, %.0f RRU, %.0f ms\n",
		moto["events"], moto["api-calls/poll"], moto["scan-pages/poll"], moto["items-read/poll"], moto["scan-rru/poll"], moto["poll-ms"])
	fmt.Fprintf(w, "  %.0f events (in memory): %.0f ms; the deadline table holds %.0f bytes an event; the poll's peak %.1f MB (bound %d MB): %s\n",
		mem["events"], mem["poll-ms"], mem["bytes/event"], mem["poll-peak-MB"], pollMemoryLimitMB, verdict(mem["poll-peak-MB"] <= pollMemoryLimitMB))
	fmt.Fprintln(w, "  A warm poller (the same process, a warm Lambda) scans only for the hourly safety net; each scan is priced below.")
	return moto, nil
}

// verdict words a goal's outcome.
func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// sortedNames lists the benchmark names with a prefix, sorted.
func sortedNames(r map[string]map[string]float64, prefix string) []string {
	var out []string
	for name := range r {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
