package queue

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/pkg/memon"
)

// stubSQS serves ReceiveMessage (SQS's JSON protocol) with n messages of
// the given body, or an error code.
func stubSQS(t *testing.T, n int, body string, errCode string) *sqs.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if errCode != "" {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": errCode, "message": "The specified queue does not exist."})
			return
		}
		var msgs []map[string]any
		for i := range n {
			msgs = append(msgs, map[string]any{"MessageId": strconv.Itoa(i), "ReceiptHandle": "h" + strconv.Itoa(i), "Body": body,
				"Attributes": map[string]string{"SentTimestamp": "1700000000000", "ApproximateReceiveCount": "1"}})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Messages": msgs})
	}))
	t.Cleanup(srv.Close)
	return sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}, LimitResponses)
}

// TestReceiveDropsOversizedBodies: a body larger than a ping
// may be is not kept, whatever the queue allows, so a poll holds at most
// memon.MaxMessageBody per message; the message is kept (to be left for the
// dead-letter queue) with its size.
func TestReceiveDropsOversizedBodies(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 100*1024)
	msgs, err := NewReceiver(stubSQS(t, 10, big, ""), testURL, 0).Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 10 {
		t.Fatalf("%d messages, want 10", len(msgs))
	}
	for _, m := range msgs {
		if len(m.Body) != 0 || m.Oversize != len(big) || m.Receipt == "" {
			t.Fatalf("kept %d bytes of a %d-byte body (oversize %d)", len(m.Body), len(big), m.Oversize)
		}
	}
	ok := strings.Repeat("y", memon.MaxMessageBody)
	msgs, err = NewReceiver(stubSQS(t, 10, ok, ""), testURL, 0).Receive(context.Background())
	if err != nil || len(msgs) != 10 || string(msgs[9].Body) != ok {
		t.Fatalf("ten pings of the maximum size: %d messages, %v", len(msgs), err)
	}
}

// TestReceiveResponseIsBounded: a receive whose response is larger than
// MaxResponseBytes (ten 1 MiB messages from a queue without a size limit)
// fails instead of being read into memory.
func TestReceiveResponseIsBounded(t *testing.T) {
	t.Parallel()
	_, err := NewReceiver(stubSQS(t, 10, strings.Repeat("z", 1<<20), ""), testURL, 0).Receive(context.Background())
	if err == nil || !strings.Contains(err.Error(), "MaximumMessageSize") {
		t.Fatalf("err %v, want the response refused, naming MaximumMessageSize", err)
	}
}

// TestReceiveFromMissingQueue: the error says the queue
// does not exist and what to check.
func TestReceiveFromMissingQueue(t *testing.T) {
	t.Parallel()
	_, err := NewReceiver(stubSQS(t, 0, "", "com.amazonaws.sqs#QueueDoesNotExist"), testURL, 0).Receive(context.Background())
	var missing *types.QueueDoesNotExist
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "MEMON_QUEUE_URL") || !errors.As(err, &missing) {
		t.Fatalf("err %v, want it to say the queue does not exist", err)
	}
}
