package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/pkg/memon/ping"
)

// ReceiveAPI is the part of the SQS client the poller uses, with the SDK's
// exact signatures.
type ReceiveAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

var _ ReceiveAPI = (*sqs.Client)(nil)

// Receiver drains the queue.
type Receiver struct {
	api  ReceiveAPI
	url  string
	wait int32 // long-poll seconds
}

// NewReceiver returns a receiver that long-polls for wait (whole seconds,
// at least 1: a short poll samples only some SQS servers and can come back
// empty while messages wait).
func NewReceiver(api ReceiveAPI, url string, wait time.Duration) *Receiver {
	w := int32(wait / time.Second)
	if w < 1 {
		w = 1
	}
	return &Receiver{api: api, url: url, wait: min(w, 20)}
}

// Receive makes one long-poll call for up to 10 messages.
func (r *Receiver) Receive(ctx context.Context) ([]ping.QueueMessage, error) {
	out, err := r.api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            &r.url,
		MaxNumberOfMessages: 10,
		WaitTimeSeconds:     r.wait,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{
			types.MessageSystemAttributeNameSentTimestamp,
			types.MessageSystemAttributeNameApproximateReceiveCount,
		},
	})
	if err != nil {
		return nil, receiveError(r.url, err)
	}
	msgs := make([]ping.QueueMessage, 0, len(out.Messages))
	for _, m := range out.Messages {
		rm := ping.QueueMessage{ID: aws.ToString(m.MessageId), Receipt: aws.ToString(m.ReceiptHandle)}
		if body := aws.ToString(m.Body); len(body) > ping.MaxMessageBody {
			rm.Oversize = len(body) // refused by the decoder anyway: not kept
		} else {
			rm.Body = []byte(body)
		}
		if ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
			rm.SentAt = time.UnixMilli(ms).UTC()
		}
		rm.ReceiveCount, _ = strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		msgs = append(msgs, rm)
	}
	return msgs, nil
}

// Delete removes messages in batches of ten and returns the ones it could
// not delete (they come back after the visibility timeout, and are then
// recognised as already applied).
func (r *Receiver) Delete(ctx context.Context, msgs []ping.QueueMessage) ([]ping.QueueMessage, error) {
	var failed []ping.QueueMessage
	var firstErr error
	for start := 0; start < len(msgs); start += 10 {
		batch := msgs[start:min(start+10, len(msgs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(batch))
		byID := make(map[string]ping.QueueMessage, len(batch))
		for i, m := range batch {
			id := strconv.Itoa(i)
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: &id, ReceiptHandle: aws.String(m.Receipt)}
			byID[id] = m
		}
		out, err := r.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &r.url, Entries: entries})
		if err != nil {
			failed = append(failed, batch...)
			if firstErr == nil {
				firstErr = fmt.Errorf("delete %d messages from %s: %w", len(batch), r.url, err)
			}
			continue
		}
		for _, f := range out.Failed {
			failed = append(failed, byID[aws.ToString(f.Id)])
			if firstErr == nil {
				firstErr = fmt.Errorf("delete message from %s: %s %s", r.url, aws.ToString(f.Code), aws.ToString(f.Message))
			}
		}
	}
	return failed, firstErr
}

// receiveError says what a failed receive means for the person reading the
// log: above all, a queue that does not exist is named as missing.
func receiveError(url string, err error) error {
	var missing *types.QueueDoesNotExist
	if errors.As(err, &missing) {
		return fmt.Errorf("queue %s does not exist: it was deleted, or MEMON_QUEUE_URL names another region or account "+
			"(the stack output QueueUrl has the right URL): %w", url, err)
	}
	return fmt.Errorf("receive from %s: %w", url, err)
}
