package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/pkg/memon"
)

// doctor proves a deployment works end to end: one line per check, a fix
// for each failure, exit 0 only when every check passes.

func doctorCommand() *command {
	o := &doctorOptions{}
	return &command{
		name: "doctor", args: "[--wait DUR] [--stack NAME]",
		summary: "Check a deployment end to end, one line per check with a fix for each failure: the stack and its\n" +
			"outputs, the table, the queue, the poller (a temporary event it creates and deletes), the alert\n" +
			"topic's subscriptions, a test alert, the dead-letter queue and the poller's recent errors.\n" +
			"Exit 0 only when all pass.",
		flags: func(fs *flag.FlagSet) {
			durationFlag(fs, &o.wait, "wait", 3*time.Minute, "how long the poller has to pick up the test ping, `DUR`")
			fs.StringVar(&o.stack, "stack", "", "CloudFormation stack `NAME` (default MEMon, or MEMon-PREFIX for --table PREFIX)")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runDoctor(a, ctx, cl, o) },
	}
}

// doctorOptions are doctor's flags.
type doctorOptions struct {
	wait  time.Duration
	stack string
}

// requiredOutputs are the stack outputs doctor needs.
var requiredOutputs = []string{"QueueUrl", "DeadLetterQueueUrl", "TableName", "HistoryTableName", "TopicArn", "PollerFunctionName"}

// check is one line of the report.
type check struct {
	name string
	ok   bool
	skip bool
	text string // what was found
	fix  string // what to do, when it failed
}

func (c check) String() string {
	switch {
	case c.skip:
		return fmt.Sprintf("skip  %s: %s", c.name, c.text)
	case c.ok:
		return fmt.Sprintf("ok    %s: %s", c.name, c.text)
	}
	return fmt.Sprintf("FAIL  %s: %s. Fix: %s", c.name, c.text, c.fix)
}

// doctorClients are the AWS clients doctor talks through.
type doctorClients struct {
	cfn  stackAPI
	db   *dynamodb.Client
	sqs  *sqs.Client
	sns  *sns.Client
	logs *cloudwatchlogs.Client
}

func runDoctor(a *app, ctx context.Context, cl *call, o *doctorOptions) error {
	if err := cl.noArgs("doctor"); err != nil {
		return err
	}
	wait, stack := o.wait, o.stack
	if wait <= 0 {
		return flagError("wait", memon.FormatDuration(wait), "a positive duration such as 3m")
	}
	if stack == "" {
		stack = stackName(cl.g)
	}
	cfg, err := loadAWS(ctx, cl.g)
	if err != nil {
		return err
	}
	c := doctorClients{cfn: cloudformation.NewFromConfig(cfg), db: dynamodb.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg),
		sns: sns.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
	d := &doctor{a: a, c: c, stack: stack, wait: wait}
	failed := 0
	for _, chk := range d.run(ctx) {
		fmt.Fprintln(a.stdout, chk)
		if !chk.ok {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of the checks above did not pass", failed)
	}
	fmt.Fprintln(a.stdout, "doctor: every check passed")
	return nil
}

type doctor struct {
	a     *app
	c     doctorClients
	stack string
	wait  time.Duration
	out   map[string]string
}

// run runs the checks in order; a check whose prerequisite failed is skipped
// (and counts as not passed).
func (d *doctor) run(ctx context.Context) []check {
	var out []check
	stackCheck := d.checkStack(ctx)
	out = append(out, stackCheck)
	if !stackCheck.ok {
		for _, n := range []string{"table", "queue", "poller", "alert topic", "test alert", "dead-letter queue", "poller errors"} {
			out = append(out, check{name: n, skip: true, text: "needs the stack's outputs"})
		}
		return out
	}
	store := dynamo.New(d.c.db, d.out["TableName"], d.out["HistoryTableName"])
	table := d.checkTable(ctx, store)
	out = append(out, table)
	if table.ok {
		out = append(out, d.checkPing(ctx, store)...)
	} else {
		out = append(out, check{name: "queue", skip: true, text: "needs a readable table"},
			check{name: "poller", skip: true, text: "needs a readable table"})
	}
	return append(out, d.checkTopic(ctx), d.checkTestAlert(ctx), d.checkDLQ(ctx), d.checkPollerErrors(ctx))
}

func (d *doctor) checkStack(ctx context.Context) check {
	c := check{name: "stack " + d.stack}
	outs, err := stackOutputs(ctx, d.c.cfn, d.stack)
	if err != nil {
		c.text, c.fix = err.Error(), "deploy MEMon (make deploy EMAIL=you@example.com), or name the stack with --stack NAME"
		return c
	}
	var missing []string
	for _, k := range requiredOutputs {
		if outs[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		c.text = "outputs missing: " + strings.Join(missing, ", ")
		c.fix = "redeploy the current stack (make deploy): an older or failed deployment lacks them"
		return c
	}
	d.out = outs
	c.ok, c.text = true, fmt.Sprintf("deployed, %d outputs", len(outs))
	if outs["PingUrl"] != "" {
		c.text += ", HTTPS pings on"
	}
	return c
}

func (d *doctor) checkTable(ctx context.Context, store *dynamo.Store) check {
	c := check{name: "table " + d.out["TableName"]}
	if _, err := store.Get(ctx, "memon-doctor-probe"); err != nil && !errors.Is(err, memon.ErrNotFound) {
		c.text = err.Error()
		c.fix = "your credentials need dynamodb:GetItem/Scan/UpdateItem on the table: check AWS_PROFILE and AWS_REGION (the stack's region)"
		return c
	}
	c.ok, c.text = true, "readable"
	return c
}

// checkPing creates a temporary event, sends it a ping like memon-send
// does, and waits for the poller to apply it. The event is deleted after.
func (d *doctor) checkPing(ctx context.Context, store *dynamo.Store) []check {
	q, p := check{name: "queue"}, check{name: "poller"}
	name := "memon-doctor-" + randomHex(4)
	sched, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		panic(err) // a constant schedule
	}
	ev := memon.NewEvent(name, sched)
	ev.Description = "temporary event of memon-config doctor: safe to delete"
	// Paused: its pings are recorded, it never alerts. If the poller does
	// not come, the event stays so the queued ping finds it later (no
	// CONFIG alert, no dead letter).
	ev.Enabled = false
	if err := store.Create(ctx, ev); err != nil {
		q.text, q.fix = "could not create the temporary event "+name+": "+err.Error(), "your credentials need dynamodb:UpdateItem on the table"
		p.skip, p.text = true, "needs the temporary event"
		return []check{q, p}
	}
	keep := false
	defer func() {
		if keep {
			return
		}
		// A fresh context: the event goes even when the wait was interrupted.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := store.Delete(cleanup, name); err != nil && !errors.Is(err, memon.ErrNotFound) {
			fmt.Fprintf(d.a.stderr, "memon-config doctor: could not delete the temporary event: %v (memon-config delete %s)\n", err, name)
		}
	}()

	sent := d.a.now()
	sender := queue.NewSender(d.c.sqs, d.out["QueueUrl"], "")
	if err := sender.Send(ctx, memon.Message{Name: name, Time: memon.EpochSeconds(sent), Message: "memon-config doctor"}); err != nil {
		q.text, q.fix = err.Error(), "your credentials need sqs:SendMessage on the queue (attach the stack's memon-sender policy)"
		p.skip, p.text = true, "needs a queued ping"
		return []check{q, p}
	}
	q.ok, q.text = true, "accepted a ping for the temporary event "+name

	deadline := time.Now().Add(d.wait)
	for {
		got, err := store.Get(ctx, name)
		if err == nil && !got.LastSuccessTime.IsZero() {
			p.ok, p.text = true, fmt.Sprintf("applied the ping within %s", time.Since(deadline.Add(-d.wait)).Round(time.Second))
			return []check{q, p}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(2*time.Second, time.Until(deadline)+time.Millisecond)):
		}
	}
	keep = true
	p.text = fmt.Sprintf("the ping was not applied within %s", d.wait)
	p.fix = fmt.Sprintf("the poller is not running: check that the EventBridge rule for %s is enabled and the function has no errors "+
		"(aws logs tail /aws/lambda/%s); on make local, run memon-poller --every 5s; a longer --wait if polls are slow. "+
		"The paused temporary event is kept so its queued ping is applied when the poller runs: then memon-config delete %s",
		d.out["PollerFunctionName"], d.out["PollerFunctionName"], name)
	return []check{q, p}
}

func (d *doctor) checkTopic(ctx context.Context) check {
	c := check{name: "alert topic"}
	confirmed, pending := 0, 0
	in := &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(d.out["TopicArn"])}
	for pages := 0; pages < 20; pages++ {
		out, err := d.c.sns.ListSubscriptionsByTopic(ctx, in)
		if err != nil {
			c.text, c.fix = err.Error(), "your credentials need sns:ListSubscriptionsByTopic on the topic"
			return c
		}
		for _, s := range out.Subscriptions {
			switch arn := aws.ToString(s.SubscriptionArn); {
			case arn == "PendingConfirmation":
				pending++
			case strings.HasPrefix(arn, "arn:"):
				confirmed++
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if confirmed == 0 {
		c.text = fmt.Sprintf("no confirmed subscription (%d pending)", pending)
		c.fix = "nobody receives alerts: confirm the subscription mail, or subscribe: make deploy EMAIL=you@example.com, " +
			"or aws sns subscribe --topic-arn " + d.out["TopicArn"] + " --protocol email --notification-endpoint you@example.com"
		return c
	}
	c.ok, c.text = true, fmt.Sprintf("%d confirmed subscription(s), %d pending", confirmed, pending)
	return c
}

// checkTestAlert publishes a test alert to the alert topic.
func (d *doctor) checkTestAlert(ctx context.Context) check {
	c := check{name: "test alert"}
	pub := notify.New(d.c.sns, d.out["TopicArn"])
	alert, err := memon.TestAlert(memon.KindDown, d.a.now(), "memon-config doctor")
	if err == nil {
		err = pub.Publish(ctx, alert)
	}
	if err != nil {
		c.text, c.fix = err.Error(), "your credentials need sns:Publish on the topic"
		return c
	}
	c.ok, c.text = true, "published to "+d.out["TopicArn"]+" (check that it arrived)"
	return c
}

func (d *doctor) checkDLQ(ctx context.Context) check {
	c := check{name: "dead-letter queue"}
	out, err := d.c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(d.out["DeadLetterQueueUrl"]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		c.text, c.fix = err.Error(), "your credentials need sqs:GetQueueAttributes on the dead-letter queue"
		return c
	}
	raw := out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)]
	n, err := strconv.Atoi(raw)
	if err != nil {
		c.text, c.fix = fmt.Sprintf("the queue reported %q messages, not a count", raw), "check the dead-letter queue in the SQS console"
		return c
	}
	if n > 0 {
		c.text = fmt.Sprintf("%d message(s) waiting", n)
		c.fix = "pings the poller could not use (an unknown event, a malformed body): read them in the SQS console, " +
			"create the event (memon-config set NAME ...) and redrive them to the queue, or purge them"
		return c
	}
	c.ok, c.text = true, "empty"
	return c
}

// checkPollerErrors reads the poller's log group for errors in the last hour.
func (d *doctor) checkPollerErrors(ctx context.Context) check {
	group := "/aws/lambda/" + d.out["PollerFunctionName"]
	c := check{name: "poller errors"}
	since := d.a.now().Add(-time.Hour)
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
		StartTime: aws.Int64(since.UnixMilli()), FilterPattern: aws.String("ERROR")}
	var errs []string
	for pages := 0; pages < 10; pages++ {
		out, err := d.c.logs.FilterLogEvents(ctx, in)
		if err != nil {
			c.text, c.fix = fmt.Sprintf("cannot read %s: %v", group, err), "your credentials need logs:FilterLogEvents on the poller's log group"
			return c
		}
		for _, e := range out.Events {
			if msg := aws.ToString(e.Message); strings.Contains(msg, "ERROR") { // the slog JSON "level":"ERROR"
				errs = append(errs, msg)
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(errs) > 0 {
		last := memon.SingleLine(errs[len(errs)-1])
		if r := []rune(last); len(r) > 300 {
			last = string(r[:300]) + "…"
		}
		c.text = fmt.Sprintf("%d error line(s) in the last hour, latest: %s", len(errs), last)
		c.fix = "read them: aws logs tail " + group + " --since 1h; the poller retries failed work, so a lasting error needs its cause fixed"
		return c
	}
	c.ok, c.text = true, "none in "+group+" in the last hour"
	return c
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}
