package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
)

// Locally there is no AWS service to emit job events, and moto's EventBridge
// cannot deliver them (put-events answers 500); the stack's rules only put
// the event on the queue, so this puts the same envelope there itself.

// jobEventKinds are the AWS job event samples `memon-local event` sends.
var jobEventKinds = []string{"batch", "states", "ecs"}

// jobEvent is a sample EventBridge event for a run of name that ended at
// stop after a minute: a Batch job, a Step Functions execution or an ECS
// task, succeeded or (failed) with exit code 3.
func jobEvent(kind, name string, failed bool, stop time.Time) ([]byte, error) {
	start := stop.Add(-time.Minute)
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	const account, region = "123456789012", "us-east-1"
	status, code := "SUCCEEDED", 0
	if failed {
		status, code = "FAILED", 3
	}
	var source, detailType string
	var detail map[string]any
	switch kind {
	case "batch":
		source, detailType = "aws.batch", "Batch Job State Change"
		detail = map[string]any{"jobName": name, "jobId": fmt.Sprintf("local-%d", ms(stop)), "status": status,
			"statusReason": map[bool]string{true: "Essential container in task exited", false: ""}[failed],
			"createdAt":    ms(start), "startedAt": ms(start), "stoppedAt": ms(stop),
			"container": map[string]any{"exitCode": code}}
	case "states":
		source, detailType = "aws.states", "Step Functions Execution Status Change"
		id := fmt.Sprintf("local-%d", ms(stop))
		detail = map[string]any{"executionArn": "arn:aws:states:" + region + ":" + account + ":execution:" + name + ":" + id,
			"stateMachineArn": "arn:aws:states:" + region + ":" + account + ":stateMachine:" + name, "name": id,
			"status": status, "startDate": ms(start), "stopDate": ms(stop)}
		if failed {
			detail["error"], detail["cause"] = "States.TaskFailed", "a sample failure from memon-local"
		}
	case "ecs":
		source, detailType = "aws.ecs", "ECS Task State Change"
		detail = map[string]any{"group": "family:" + name, "lastStatus": "STOPPED",
			"taskArn":           fmt.Sprintf("arn:aws:ecs:%s:%s:task/local/%d", region, account, ms(stop)),
			"taskDefinitionArn": "arn:aws:ecs:" + region + ":" + account + ":task-definition/" + name + ":1",
			"startedAt":         start.UTC().Format(time.RFC3339), "stoppedAt": stop.UTC().Format(time.RFC3339),
			"stopCode": "EssentialContainerExited", "containers": []map[string]any{{"name": name, "exitCode": code, "lastStatus": "STOPPED"}}}
	default:
		return nil, fmt.Errorf("KIND %q: want one of %v", kind, jobEventKinds)
	}
	return json.Marshal(map[string]any{"version": "0", "id": fmt.Sprintf("local-%d", ms(stop)), "detail-type": detailType,
		"source": source, "account": account, "time": stop.UTC().Format(time.RFC3339), "region": region,
		"resources": []string{}, "detail": detail})
}

// sendJobEvent is `memon-local event KIND NAME [fail]`: the sample event on
// $MEMON_QUEUE_URL, as the stack's EventBridge rule delivers it.
func sendJobEvent(ctx context.Context, args []string, getenv func(string) string, now time.Time, stdout, stderr io.Writer) int {
	if len(args) < 2 || len(args) > 3 || (len(args) == 3 && args[2] != "fail") {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	endpoint, queue := getenv("AWS_ENDPOINT_URL"), getenv(settings.EnvQueueURL)
	if endpoint == "" || queue == "" {
		fmt.Fprintf(stderr, "local: error: AWS_ENDPOINT_URL or %s is not set: source .local/memon.env (make local writes it)\n", settings.EnvQueueURL)
		return 2
	}
	body, err := jobEvent(args[0], args[1], len(args) == 3, now)
	if err != nil {
		fmt.Fprintf(stderr, "local: error: %v\n", err)
		return 2
	}
	c := sqs.NewFromConfig(mototest.Attach(endpoint).Config(ctx))
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(string(body))}); err != nil {
		fmt.Fprintf(stderr, "local: error: send the %s event: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintf(stdout, "sent a %s event for %s:%s to %s; memon-poller --once applies it\n", args[0], args[0], args[1], queue)
	return 0
}
