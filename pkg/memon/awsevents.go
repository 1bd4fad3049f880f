package memon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon/ping"
)

// Jobs that AWS runs announce their outcome on EventBridge. MEMon's stack
// routes the terminal ones to its queue, and the poller turns each into a
// ping named <service>:<resource> (see AWSSources and DecodeAWSEvent), so
// monitoring an AWS job needs an event in the table and nothing else.

// AWSSource is one AWS service whose job events MEMon understands: how
// EventBridge labels them and which of their states end a run. The stack
// builds its rule patterns from it, the decoder its mapping.
type AWSSource struct {
	Key        string   // the name prefix and the `-c awsSources=` word: "batch"
	Source     string   // EventBridge source: "aws.batch"
	DetailType string   // EventBridge detail-type: "Batch Job State Change"
	Field      string   // the detail field holding the state
	Succeeded  []string // states that are a successful run
	Failed     []string // states that are a failed run
	// DefaultOn: a rule is created unless `-c awsSources=` says otherwise.
	// ECS is off by default: every task of every service reports, so its
	// volume (and queue cost) is that of the whole cluster.
	DefaultOn bool
	// Resource says, for people, what follows the prefix in the name.
	Resource string
}

// The AWS sources, in the order docs/aws-job-events.md lists them.
var awsSources = []AWSSource{
	{Key: "batch", Source: "aws.batch", DetailType: "Batch Job State Change", Field: "status",
		Succeeded: []string{"SUCCEEDED"}, Failed: []string{"FAILED"}, DefaultOn: true, Resource: "job name"},
	{Key: "states", Source: "aws.states", DetailType: "Step Functions Execution Status Change", Field: "status",
		Succeeded: []string{"SUCCEEDED"}, Failed: []string{"FAILED", "TIMED_OUT", "ABORTED"}, DefaultOn: true, Resource: "state machine name"},
	{Key: "backup", Source: "aws.backup", DetailType: "Backup Job State Change", Field: "state",
		Succeeded: []string{"COMPLETED"}, Failed: []string{"FAILED", "ABORTED", "EXPIRED", "PARTIAL"}, DefaultOn: true,
		Resource: "resource type:resource id of the backed-up resource"},
	{Key: "glue", Source: "aws.glue", DetailType: "Glue Job State Change", Field: "state",
		Succeeded: []string{"SUCCEEDED"}, Failed: []string{"FAILED", "TIMEOUT", "STOPPED", "ERROR"}, DefaultOn: true, Resource: "job name"},
	{Key: "codebuild", Source: "aws.codebuild", DetailType: "CodeBuild Build State Change", Field: "build-status",
		Succeeded: []string{"SUCCEEDED"}, Failed: []string{"FAILED", "FAULT", "STOPPED", "TIMED_OUT"}, DefaultOn: true, Resource: "project name"},
	{Key: "ecs", Source: "aws.ecs", DetailType: "ECS Task State Change", Field: "lastStatus",
		Succeeded: []string{"STOPPED"}, DefaultOn: false, Resource: "task definition family"},
}

// AWSSources returns the AWS services MEMon maps to pings.
func AWSSources() []AWSSource { return append([]AWSSource(nil), awsSources...) }

// AWSSourceByKey finds a source by its name prefix ("batch").
func AWSSourceByKey(key string) (AWSSource, bool) {
	for _, s := range awsSources {
		if s.Key == key {
			return s, true
		}
	}
	return AWSSource{}, false
}

// TerminalStates are the states a rule matches: every state that ends a run.
func (s AWSSource) TerminalStates() []string {
	return append(append([]string(nil), s.Succeeded...), s.Failed...)
}

// DetailPattern is the `detail` part of the EventBridge rule pattern.
// ECS tasks that a service started (group "service:NAME") are left out:
// a service's tasks are replaced all the time and are not jobs.
func (s AWSSource) DetailPattern() map[string]any {
	p := map[string]any{s.Field: s.TerminalStates()}
	if s.Key == "ecs" {
		p["group"] = []any{map[string]any{"anything-but": map[string]any{"prefix": "service:"}}}
	}
	return p
}

// MaxAWSEventBody bounds an EventBridge event read from the queue
// (EventBridge's own limit on an event).
const MaxAWSEventBody = 256 * 1024

// ErrAWSIgnored marks an AWS event that is no run's outcome: a state that
// ends nothing, an array job's child, an unknown detail-type. The poller
// deletes it quietly and counts it.
var ErrAWSIgnored = errors.New("not a job outcome")

// IsAWSName reports whether name has a <service>: prefix of an AWS source,
// so pings for it may come from AWS rather than memon-send.
func IsAWSName(name string) bool { return ping.IsAWSName(name) }

// envelope is the EventBridge event as it arrives on the queue (the rule's
// SQS target delivers the event itself as the message body).
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Detail     json.RawMessage `json:"detail"`
}

// LooksLikeAWSEvent is a cheap test for an EventBridge envelope: a ping
// from memon-send never has a "detail-type".
func LooksLikeAWSEvent(body []byte) bool {
	return bytes.Contains(body, []byte(`"detail-type"`)) && bytes.Contains(body, []byte(`"source"`))
}

// DecodeBody reads a queue message of either kind: an EventBridge event from
// AWS, or a ping from memon-send (or memon.py).
func DecodeBody(body []byte, sentAt time.Time) (Ping, error) {
	if LooksLikeAWSEvent(body) {
		return DecodeAWSEvent(body, sentAt)
	}
	return DecodeMessage(body, sentAt)
}

// DecodeAWSEvent turns an EventBridge job event into a ping: success or fail
// from the service's state (and exit code), duration from the run's start and
// stop, run id from the job, message from the status reason. Its time is
// sentAt, when the queue accepted the event, as for every ping; the event's
// own time is kept as the client time. An event that ends no run returns an
// error wrapping ErrAWSIgnored; one that cannot be mapped, an ErrInvalid.
func DecodeAWSEvent(body []byte, sentAt time.Time) (Ping, error) {
	if len(body) > MaxAWSEventBody {
		return Ping{}, invalid("body", fmt.Sprintf("%d bytes", len(body)), fmt.Sprintf("an AWS event is at most %d bytes", MaxAWSEventBody))
	}
	compact := isCompact(body)
	if compact {
		var err error
		if body, err = ExpandCompactAWSEvent(body); err != nil {
			return Ping{}, err
		}
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Ping{}, invalid("body", truncate(string(body), 60), "want an EventBridge event (JSON with source, detail-type and detail)")
	}
	var src AWSSource
	for _, s := range awsSources {
		if s.Source == env.Source && s.DetailType == env.DetailType {
			src = s
		}
	}
	if src.Key == "" {
		return Ping{}, fmt.Errorf("%s %q from %s: %w", "detail-type", env.DetailType, env.Source, ErrAWSIgnored)
	}
	if len(env.Detail) == 0 || bytes.Equal(env.Detail, []byte("null")) {
		return Ping{}, invalid("detail", "", "the "+env.DetailType+" event has no detail")
	}
	run, err := awsDecoders[src.Key](env.Detail)
	if err != nil {
		return Ping{}, err
	}
	var sig Signal
	switch {
	case slices.Contains(src.Succeeded, run.state) && !run.failed:
		sig = Success
	case slices.Contains(src.Succeeded, run.state), slices.Contains(src.Failed, run.state):
		sig = Fail
	default:
		return Ping{}, fmt.Errorf("%s %s %q: %w", env.DetailType, src.Field, run.state, ErrAWSIgnored)
	}
	if run.resource == "" {
		return Ping{}, invalid(src.resourceField(), "", "the "+env.DetailType+" event does not say which "+src.Resource+" ran")
	}
	p := Ping{
		Name:     src.Key + ":" + run.resource,
		Signal:   sig,
		SentAt:   sentAt.UTC(),
		Source:   src.Source,
		ExitCode: run.exitCode,
		RunID:    truncate(run.runID, MaxRunIDLen),
		Message:  truncate(strings.TrimSpace(run.message), MaxMessageLen),
	}
	if compact && src.Key == "states" && sig == Fail && run.ref != "" {
		// The compact event leaves the cause out (it can be 32,768 characters).
		p.Message = truncate(joinReasons(p.Message, "cause in the history of execution "+run.ref), MaxMessageLen)
	}
	if err := ping.ValidateAWSName(p.Name); err != nil {
		return Ping{}, err
	}
	if t, err := time.Parse(time.RFC3339Nano, env.Time); err == nil {
		p.ClientTime = t.UTC()
	}
	if !run.start.IsZero() && !run.stop.IsZero() && !run.stop.Before(run.start) && run.stop.Sub(run.start) <= MaxPeriod {
		p.Duration = run.stop.Sub(run.start).Round(time.Millisecond)
	}
	if p.SentAt.IsZero() {
		p.SentAt = p.ClientTime
	}
	if p.SentAt.IsZero() {
		return Ping{}, invalid("time", env.Time, "the event has neither a queue timestamp nor a time")
	}
	return p, nil
}

// resourceField names the detail field the resource comes from, for errors.
func (s AWSSource) resourceField() string {
	return map[string]string{
		"batch": "jobName", "states": "stateMachineArn", "backup": "resourceArn",
		"glue": "jobName", "codebuild": "project-name", "ecs": "taskDefinitionArn",
	}[s.Key]
}

// awsRun is what a service's detail says about one run.
type awsRun struct {
	state       string
	failed      bool // a success state that still failed (an ECS task with a non-zero exit)
	resource    string
	runID       string
	exitCode    *int
	start, stop time.Time
	message     string
	ref         string // where the full outcome can be read (a Step Functions execution ARN)
}

// awsTime reads the timestamps AWS services use: epoch milliseconds (Batch,
// Step Functions), RFC 3339 (ECS, Backup), CodeBuild's "Sep 1, 2017 4:12:29
// PM", or null. Anything else reads as no time: a duration is a detail, never
// a reason to lose a run's outcome.
type awsTime struct{ time.Time }

func (t *awsTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n > 1e11 { // milliseconds
			n /= 1000
		}
		if n > 0 && n <= maxEpoch {
			t.Time = epoch(n)
		}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "Jan 2, 2006 3:04:05 PM", "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return nil
}

// lastSegment is what follows the last '/' or ':' of an ARN.
func lastSegment(arn string) string {
	return arn[strings.LastIndexAny(arn, "/:")+1:]
}

// joinReasons joins distinct non-empty reasons with "; ".
func joinReasons(rs ...string) string {
	var out []string
	for _, r := range rs {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}
