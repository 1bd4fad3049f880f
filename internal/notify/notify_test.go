package notify

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestEveryAlertFormCarriesTheTags: a tagged event's alerts (each kind, as
// the state machine renders them, and the DOWN digest) carry the tags as
// the String.Array attribute routes filter on, and in every text form; an
// untagged alert has no tags attribute at all.
func TestEveryAlertFormCarriesTheTags(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	var alerts []memon.Alert
	for _, kind := range memon.TestAlertKinds {
		a, err := memon.TestAlert(kind, now, "test", "data", "nightly")
		if err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	digest, _ := memon.DownDigest([]memon.HeldDown{{Name: "a", Reason: "missed", Tags: []string{"nightly"}}, {Name: "b", Reason: "missed", Tags: []string{"data"}}})
	alerts = append(alerts, digest)
	for _, a := range alerts {
		f := &fakeSNS{}
		if err := New(f, "arn").Publish(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		v := f.in.MessageAttributes["tags"]
		if aws.ToString(v.DataType) != "String.Array" || aws.ToString(v.StringValue) != `["data","nightly"]` {
			t.Errorf("%s: tags attribute %s/%s, want String.Array/[\"data\",\"nightly\"]", a.Subject, aws.ToString(v.DataType), aws.ToString(v.StringValue))
		}
		c := Chat(a)
		if !strings.Contains(SMS(a), "[data,nightly]") || c.Metadata.AdditionalContext["tags"] != "data,nightly" ||
			!slices.Contains(c.Content.Keywords, "data") {
			t.Errorf("%s: sms %q, chat context %q, keywords %q", a.Subject, SMS(a), c.Metadata.AdditionalContext["tags"], c.Content.Keywords)
		}
		if a.Event != "" && (!strings.Contains(a.Body, "Tags:          data, nightly\n") || !strings.Contains(c.Content.Description, "*Tags:* `data, nightly`")) {
			t.Errorf("%s: the text does not show the tags:\n%s\n%s", a.Subject, a.Body, c.Content.Description)
		}
	}
	f := &fakeSNS{}
	plain, _ := memon.TestAlert(memon.KindDown, now, "test")
	if err := New(f, "arn").Publish(context.Background(), plain); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.in.MessageAttributes["tags"]; ok || strings.Contains(plain.Body, "Tags:") {
		t.Errorf("an untagged alert carries tags: %+v\n%s", f.in.MessageAttributes, plain.Body)
	}
}
