package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/peerj/memon/internal/flagtest"
)

// queued returns what the queue holds, as signal/name/message/exit code
// lines in order (times, run ids, durations and the host vary per run).
func queued(t *testing.T, url string) []string {
	t.Helper()
	c := sqsClient(t)
	var got []string
	for range 3 {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range out.Messages {
			var msg struct {
				Name, Signal, Message string
				ExitCode              *int `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &msg); err != nil {
				t.Fatalf("body %q: %v", aws.ToString(m.Body), err)
			}
			got = append(got, fmt.Sprintf("%s %s %q exit=%v", msg.Signal, msg.Name, msg.Message, msg.ExitCode != nil))
		}
	}
	sort.Strings(got)
	return got
}

// TestIntegrationEveryBoolFlagFalseIsTheFlagLeftOut: for every boolean flag
// of memon-send (read from its flag set), `--flag=false` through the built
// binary, wrapping a command, exits, prints and sends what leaving the flag
// out does.
func TestIntegrationEveryBoolFlagFalseIsTheFlagLeftOut(t *testing.T) {
	t.Parallel()
	var o options
	var ec string
	bools := flagtest.BoolFlags(newFlagSet(&o, &ec))
	if len(bools) < 4 {
		t.Fatalf("found only the boolean flags %v", bools)
	}
	digits := regexp.MustCompile(`[0-9]+`)
	for _, f := range bools {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			run := func(label string, extra ...string) string {
				url := newQueue(t, "bool-"+f+"-"+label)
				args := append(append([]string{"--queue-url", url}, extra...), "backup", "--", "sh", "-c", "echo done; exit 3")
				r := runBinary(t, nil, args...)
				return digits.ReplaceAllString(fmt.Sprintf("exit %d\nstdout %q\nstderr %q\nsent %q", r.code, r.stdout, r.stderr, queued(t, url)), "#")
			}
			if left, off := run("left"), run("false", "--"+f+"=false"); off != left {
				t.Errorf("memon-send --%s=false differs from the flag left out:\n--%s=false: %s\nleft out:   %s", f, f, off, left)
			}
		})
	}
}
