// Command memon-poller is MEMon's poller. In Lambda (AWS_LAMBDA_RUNTIME_API
// set) it handles the EventBridge schedule's events; elsewhere it polls once
// (--once) or in a loop (--every DUR), as memon.py's `poll` did from cron.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/poller"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/version"
	"github.com/peerj/memon/pkg/memon"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `usage: memon-poller [--once | --every DUR] [--reconcile] [--budget DUR]
       memon-poller --report weekly|monthly [--report-time-zone ZONE]
       memon-poller --version | version | --help

Drains the MEMon queue into event state, alerts on overdue events.
In AWS Lambda it serves the EventBridge schedule; elsewhere:
  --once         poll once and exit (for cron: * * * * * memon-poller --once)
  --every DUR    poll every DUR until interrupted (e.g. --every 1m)
  --reconcile    also rewrite the items MEMon did not write now (after moving from memon.py)
  --budget DUR   time allowed for draining the queue in one poll (default 40s)
  --report weekly|monthly
                 publish that report to the alert topic now and exit (kind=report)
  --report-time-zone ZONE
                 the zone whose calendar day the report is made on (env
                 MEMON_REPORT_TIME_ZONE, default UTC)

Environment (required): MEMON_QUEUE_URL, MEMON_TABLE, MEMON_HISTORY_TABLE,
MEMON_TOPIC_ARN; and the standard AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL.
Optional: MEMON_AUTO_CREATE_PERIOD=DUR: a ping for an unknown event creates a
rolling event with that period (at most 20 a poll) instead of a CONFIG alert.
Exit status: 0 ok, 1 a poll had errors, 2 usage or configuration error.
`

// options are memon-poller's flags.
type options struct {
	once, reconcile, version bool
	every, budget            time.Duration
	report, reportZone       string
}

// newFlagSet binds memon-poller's flags to o; the usage text above
// describes them.
func newFlagSet(o *options, getenv func(string) string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("memon-poller", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed by run: --help to stdout, a bad flag's usage to stderr, each once
	fs.BoolVar(&o.once, "once", false, "poll once and exit")
	fs.DurationVar(&o.every, "every", 0, "poll every `DUR` until interrupted")
	fs.BoolVar(&o.reconcile, "reconcile", false, "also rewrite the items MEMon did not write now")
	fs.DurationVar(&o.budget, "budget", 40*time.Second, "time allowed for draining the queue in one poll, `DUR`")
	fs.StringVar(&o.report, "report", "", "publish the weekly or monthly report now and exit")
	fs.StringVar(&o.reportZone, "report-time-zone", getenv(envReportTimeZone), "the `ZONE` whose calendar day the report is made on")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	return fs
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o := &options{}
	fs := newFlagSet(o, getenv, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	if o.version || (fs.NArg() == 1 && fs.Arg(0) == "version") {
		fmt.Fprintf(stdout, "memon-poller %s\n", version.String())
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "memon-poller: unexpected arguments %q (see memon-poller --help)\n", fs.Args())
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stdout, nil))
	inLambda := getenv("AWS_LAMBDA_RUNTIME_API") != ""
	var req reportRequest
	if o.report != "" {
		var err error
		if req, err = parseReportRequest(o.report, o.reportZone); err != nil {
			fmt.Fprintln(stderr, "memon-poller:", err)
			return 2
		}
	}
	if !inLambda && !o.once && o.every <= 0 && o.report == "" {
		fmt.Fprint(stderr, "memon-poller: give --once or --every DUR (e.g. --every 1m)\n\n"+usage)
		return 2
	}
	interval := time.Minute
	if o.every > 0 {
		interval = o.every
	}
	autoCreate, err := autoCreatePeriod(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "memon-poller:", err)
		return 2
	}
	autoCreateMax, err := autoCreateMax(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "memon-poller:", err)
		return 2
	}
	w, err := build(ctx, getenv, poller.Config{Budget: o.budget, Interval: interval, AutoCreatePeriod: autoCreate, AutoCreateMax: autoCreateMax}, log)
	if err != nil {
		fmt.Fprintln(stderr, "memon-poller:", err)
		return 2
	}
	if inLambda {
		lambda.StartWithOptions(w.handle, lambda.WithContext(ctx))
		return 0
	}
	if o.report != "" {
		if err := w.report(ctx, req); err != nil {
			fmt.Fprintln(stderr, "memon-poller:", err)
			return 1
		}
		return 0
	}
	p := w.poller
	if o.reconcile {
		log.Info("reconcile", slog.Any("summary", p.Reconcile(ctx)))
	}
	for {
		_, err := p.Poll(ctx)
		if o.once {
			if err != nil {
				return 1
			}
			return 0
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(time.Until(time.Now().Truncate(interval).Add(interval))):
		}
	}
}

// The adapters fit the poller's ports (checked here, where they are wired).
var (
	_ poller.Queue     = (*queue.Receiver)(nil)
	_ poller.Store     = (*dynamo.Store)(nil)
	_ poller.Publisher = (*notify.Publisher)(nil)
	_ poller.Lease     = (*dynamo.Store)(nil)
	_ poller.Changes   = (*dynamo.Stream)(nil)
)

// build wires the AWS adapters from the environment.
func build(ctx context.Context, getenv func(string) string, cfg poller.Config, log *slog.Logger) (*wiring, error) {
	names := map[string]string{}
	var missing []error
	for _, key := range []string{settings.EnvQueueURL, settings.EnvTable, settings.EnvHistoryTable, settings.EnvTopicARN} {
		if names[key] = getenv(key); names[key] == "" {
			missing = append(missing, fmt.Errorf("%s is not set (the stack output names it; `make local` writes it to .local/memon.env)", key))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	q := queue.NewReceiver(sqs.NewFromConfig(awsCfg, queue.LimitResponses), names[settings.EnvQueueURL], time.Second)
	db := dynamodb.NewFromConfig(awsCfg)
	store := dynamo.New(db, names[settings.EnvTable], names[settings.EnvHistoryTable])
	changes := dynamo.NewStream(db, dynamodbstreams.NewFromConfig(awsCfg), names[settings.EnvTable])
	pub := notify.New(sns.NewFromConfig(awsCfg), names[settings.EnvTopicARN])
	p := poller.New(q, store, pub, cfg, time.Now, log).UseLease(store).WatchChanges(changes)
	return &wiring{poller: p, store: store, pub: pub, now: time.Now, log: log}, nil
}

// autoCreatePeriod reads MEMON_AUTO_CREATE_PERIOD (stack context
// autoCreate=DUR): 0 when unset, which keeps CONFIG alerts for unknown names.
func autoCreatePeriod(getenv func(string) string) (time.Duration, error) {
	v := getenv(settings.EnvAutoCreatePeriod)
	if v == "" {
		return 0, nil
	}
	d, err := memon.ParsePeriod(settings.EnvAutoCreatePeriod, v)
	if err != nil {
		return 0, fmt.Errorf("%w (unset it to keep CONFIG alerts for unknown events)", err)
	}
	return d, nil
}

// autoCreateMax reads MEMON_AUTO_CREATE_MAX (stack context
// autoCreateMax=N): 0 when unset, which takes poller.DefaultAutoCreateMax.
func autoCreateMax(getenv func(string) string) (int, error) {
	v := getenv(settings.EnvAutoCreateMax)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want a whole number of events, at least 1 (unset: %d)", settings.EnvAutoCreateMax, v, poller.DefaultAutoCreateMax)
	}
	return n, nil
}
