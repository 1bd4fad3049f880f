package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/peerj/memon/pkg/memon"
)

type fakeSNS struct {
	in  *sns.PublishInput
	err error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.in = in
	return &sns.PublishOutput{}, f.err
}

func TestPublishCarriesSubjectBodyAndFilterAttributes(t *testing.T) {
	f := &fakeSNS{}
	a := memon.Alert{Kind: memon.KindDown, Event: "backup", Subject: memon.Subject(memon.KindDown, "backup"), Body: "body"}
	if err := New(f, "arn:aws:sns:us-east-1:123456789012:memon").Publish(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	var perProtocol map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(f.in.Message)), &perProtocol); err != nil || aws.ToString(f.in.MessageStructure) != "json" {
		t.Fatalf("message %s (structure %s): want per-protocol JSON: %v", aws.ToString(f.in.Message), aws.ToString(f.in.MessageStructure), err)
	}
	if aws.ToString(f.in.TopicArn) != "arn:aws:sns:us-east-1:123456789012:memon" || aws.ToString(f.in.Subject) != "[MEMon] Down: backup" ||
		perProtocol["email"] != "body" || perProtocol["default"] != "body" {
		t.Errorf("published %s %s %v", aws.ToString(f.in.TopicArn), aws.ToString(f.in.Subject), perProtocol)
	}
	for attr, want := range map[string]string{"event": "backup", "kind": "down"} {
		v := f.in.MessageAttributes[attr]
		if aws.ToString(v.DataType) != "String" || aws.ToString(v.StringValue) != want {
			t.Errorf("attribute %s = %s/%s, want String/%s", attr, aws.ToString(v.DataType), aws.ToString(v.StringValue), want)
		}
	}
}

func TestPublishErrorNamesTheAlert(t *testing.T) {
	f := &fakeSNS{err: errors.New("throttled")}
	err := New(f, "arn").Publish(context.Background(), memon.Alert{Kind: memon.KindUp, Event: "job"})
	if err == nil || !strings.Contains(err.Error(), `up alert for "job"`) || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("err %v", err)
	}
}

func TestPublishReportHasNoEventAttribute(t *testing.T) {
	f := &fakeSNS{}
	if err := New(f, "arn").Publish(context.Background(), memon.Alert{Kind: memon.KindReport, Subject: "[MEMon] Weekly report: x"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.in.MessageAttributes["event"]; ok || aws.ToString(f.in.MessageAttributes["kind"].StringValue) != "report" {
		t.Errorf("attributes %+v: want kind=report and no empty event (SNS refuses it)", f.in.MessageAttributes)
	}
}
