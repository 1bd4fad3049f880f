package mototest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/peerj/memon/internal/schema"
)

// Resources are MEMon's queue, tables and topic, created in moto the way the
// CDK stack lays them out, plus a queue subscribed to the topic so a test
// can read the alerts back.
type Resources struct {
	QueueURL, DLQURL, Table, HistoryTable, TopicARN, AlertQueueURL string
}

// CreateMEMon creates a fresh set of resources named with prefix.
func (s *Server) CreateMEMon(ctx context.Context, prefix string) (Resources, error) {
	cfg := s.Config(ctx)
	q, ns := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	r := Resources{Table: prefix, HistoryTable: prefix + "-history"}

	dlq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix + "-dlq")})
	if err != nil {
		return r, fmt.Errorf("create dlq: %w", err)
	}
	r.DLQURL = *dlq.QueueUrl
	dlqAttrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []qtypes.QueueAttributeName{qtypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return r, fmt.Errorf("dlq arn: %w", err)
	}
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqAttrs.Attributes["QueueArn"], "maxReceiveCount": 5})
	main, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix), Attributes: map[string]string{
		"RedrivePolicy": string(redrive), "VisibilityTimeout": "110",
	}})
	if err != nil {
		return r, fmt.Errorf("create queue: %w", err)
	}
	r.QueueURL = *main.QueueUrl

	if err := s.CreateTable(ctx, r.Table, schema.EventsTable); err != nil {
		return r, err
	}
	if err := s.CreateTable(ctx, r.HistoryTable, schema.HistoryTable); err != nil {
		return r, err
	}

	topic, err := ns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(prefix)})
	if err != nil {
		return r, fmt.Errorf("create topic: %w", err)
	}
	r.TopicARN = *topic.TopicArn
	r.AlertQueueURL, err = s.SubscribeQueue(ctx, r.TopicARN, prefix+"-alerts")
	return r, err
}

// CreateTable creates a table laid out as schema (memon's one definition,
// which the CDK stack builds its tables from), on demand, in the server's
// region.
func (s *Server) CreateTable(ctx context.Context, name string, ts schema.TableSchema) error {
	return CreateTableWith(ctx, dynamodb.NewFromConfig(s.Config(ctx)), name, ts)
}

// CreateTableWith is CreateTable through a given client (another region).
func CreateTableWith(ctx context.Context, db *dynamodb.Client, name string, ts schema.TableSchema) error {
	attr := func(k schema.KeyAttr) dtypes.AttributeDefinition {
		typ := dtypes.ScalarAttributeTypeS
		if k.Number {
			typ = dtypes.ScalarAttributeTypeN
		}
		return dtypes.AttributeDefinition{AttributeName: aws.String(k.Name), AttributeType: typ}
	}
	keys := func(hash, rng schema.KeyAttr) []dtypes.KeySchemaElement {
		ks := []dtypes.KeySchemaElement{{AttributeName: aws.String(hash.Name), KeyType: dtypes.KeyTypeHash}}
		if rng.Name != "" {
			ks = append(ks, dtypes.KeySchemaElement{AttributeName: aws.String(rng.Name), KeyType: dtypes.KeyTypeRange})
		}
		return ks
	}
	defined := map[string]bool{}
	var defs []dtypes.AttributeDefinition
	define := func(ks ...schema.KeyAttr) {
		for _, k := range ks {
			if k.Name != "" && !defined[k.Name] {
				defined[k.Name] = true
				defs = append(defs, attr(k))
			}
		}
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: dtypes.BillingModePayPerRequest,
		KeySchema:   keys(ts.Hash, ts.Range),
	}
	define(ts.Hash, ts.Range)
	for _, ix := range ts.Indexes {
		define(ix.Hash, ix.Range)
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, dtypes.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keys(ix.Hash, ix.Range),
			Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeKeysOnly},
		})
	}
	in.AttributeDefinitions = defs
	if ts.Stream {
		in.StreamSpecification = &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewAndOldImages}
	}
	if _, err := db.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	if ts.TTL != "" {
		if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
			TimeToLiveSpecification: &dtypes.TimeToLiveSpecification{AttributeName: aws.String(ts.TTL), Enabled: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("time to live of %s: %w", name, err)
		}
	}
	return nil
}

// SubscribeQueue creates a queue and subscribes it to a topic (moto's
// CloudFormation does not create subscriptions, so tests make their own).
func (s *Server) SubscribeQueue(ctx context.Context, topicARN, name string) (string, error) {
	return s.SubscribeQueueFiltered(ctx, topicARN, name, "")
}

// SubscribeQueueFiltered is SubscribeQueue with a subscription filter
// policy (JSON, on the message attributes; "": none), as a deploy's route
// subscribes a team.
func (s *Server) SubscribeQueueFiltered(ctx context.Context, topicARN, name, filterPolicy string) (string, error) {
	cfg := s.Config(ctx)
	q, ns := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	aq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("create alert queue: %w", err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aq.QueueUrl, AttributeNames: []qtypes.QueueAttributeName{qtypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", fmt.Errorf("alert queue arn: %w", err)
	}
	in := &sns.SubscribeInput{TopicArn: &topicARN, Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"])}
	if filterPolicy != "" {
		in.Attributes = map[string]string{"FilterPolicy": filterPolicy}
	}
	if _, err := ns.Subscribe(ctx, in); err != nil {
		return "", fmt.Errorf("subscribe alert queue: %w", err)
	}
	return *aq.QueueUrl, nil
}

// Alert is an SNS notification read back from a subscribed queue.
type Alert struct {
	Subject, Body, Event, Kind string
	Tags                       string // the `tags` attribute: a JSON array, "" when absent
	// Chat is the message as an SQS subscriber receives it: the chat
	// custom-notification JSON. Body is the e-mail text it carries.
	Chat string
}

// ReadAlerts drains a subscribed queue, waiting up to wait for the first.
func (s *Server) ReadAlerts(ctx context.Context, queueURL string, wait time.Duration) ([]Alert, error) {
	q := sqs.NewFromConfig(s.Config(ctx))
	var out []Alert
	deadline := time.Now().Add(wait)
	for {
		resp, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
		if err != nil {
			return out, fmt.Errorf("read alerts: %w", err)
		}
		for _, m := range resp.Messages {
			var env struct {
				Subject           string
				Message           string
				MessageAttributes map[string]struct{ Value string }
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				return out, fmt.Errorf("decode SNS envelope %q: %w", aws.ToString(m.Body), err)
			}
			var chat struct {
				Metadata struct{ AdditionalContext map[string]string }
			}
			if err := json.Unmarshal([]byte(env.Message), &chat); err != nil || chat.Metadata.AdditionalContext["text"] == "" {
				return out, fmt.Errorf("SNS gave the SQS subscriber %q, want the chat JSON", env.Message)
			}
			out = append(out, Alert{Subject: env.Subject, Body: chat.Metadata.AdditionalContext["text"], Chat: env.Message,
				Event: env.MessageAttributes["event"].Value, Kind: env.MessageAttributes["kind"].Value, Tags: env.MessageAttributes["tags"].Value})
			if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &queueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return out, fmt.Errorf("delete alert: %w", err)
			}
		}
		if len(resp.Messages) == 0 && (len(out) > 0 || time.Now().After(deadline)) {
			return out, nil
		}
		if len(resp.Messages) == 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// Subjects lists alert subjects, for readable test failures.
func Subjects(alerts []Alert) string {
	s := make([]string, len(alerts))
	for i, a := range alerts {
		s[i] = a.Subject
	}
	return strings.Join(s, "; ")
}
