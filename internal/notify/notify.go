// Package notify is MEMon's SNS adapter: it publishes rendered alerts with
// the message attributes subscribers filter on (`event`, `kind`, `tags`). It knows
// nothing of SQS or DynamoDB.
package notify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/peerj/memon/pkg/memon"
)

// PublishAPI is the part of the SNS client used, with the SDK's signature.
type PublishAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ PublishAPI = (*sns.Client)(nil)

// Publisher sends alerts to one topic.
type Publisher struct {
	api   PublishAPI
	topic string
}

// New returns a publisher for a topic ARN.
func New(api PublishAPI, topicARN string) *Publisher {
	return &Publisher{api: api, topic: topicARN}
}

// Publish sends one alert, in the form each subscription protocol takes.
func (p *Publisher) Publish(ctx context.Context, a memon.Alert) error {
	msg, err := perProtocol(a) // per protocol: text, SMS line, chat JSON (protocols.go)
	if err != nil {
		return fmt.Errorf("publish %s alert for %q: %w", a.Kind, a.Event, err)
	}
	attrs := map[string]types.MessageAttributeValue{
		"kind": {DataType: aws.String("String"), StringValue: aws.String(string(a.Kind))},
	}
	if a.Event != "" { // SNS refuses an empty attribute; a report or a CONFIG digest is about no one event
		attrs["event"] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(a.Event)}
	}
	if len(a.Tags) > 0 { // absent when untagged: a filter policy tells the two apart with "exists"
		tags, err := json.Marshal(a.Tags)
		if err != nil {
			return fmt.Errorf("publish %s alert for %q: tags: %w", a.Kind, a.Event, err)
		}
		attrs["tags"] = types.MessageAttributeValue{DataType: aws.String("String.Array"), StringValue: aws.String(string(tags))}
	}
	_, err = p.api.Publish(ctx, &sns.PublishInput{
		TopicArn:          &p.topic,
		Subject:           aws.String(a.Subject),
		Message:           aws.String(msg),
		MessageStructure:  aws.String("json"),
		MessageAttributes: attrs,
	})
	if err != nil {
		return fmt.Errorf("publish %s alert for %q: %w", a.Kind, a.Event, err)
	}
	return nil
}
