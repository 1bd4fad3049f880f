package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/peerj/memon/internal/mototest"
)

var srv *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }

// TestSubscribersGetTheirProtocolsForm publishes through moto's SNS, which
// applies MessageStructure=json per subscription as SNS does: an SQS
// subscriber and an HTTPS-style webhook receive the chat JSON, with the
// subject and the `event`/`kind` attributes unchanged.
func TestSubscribersGetTheirProtocolsForm(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	cfg := srv.Config(ctx)
	ns := sns.NewFromConfig(cfg)
	topic, err := ns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("notify-protocols")})
	if err != nil {
		t.Fatal(err)
	}
	queueURL, err := srv.SubscribeQueue(ctx, *topic.TopicArn, "notify-protocols-sqs")
	if err != nil {
		t.Fatal(err)
	}
	posted := make(chan []byte, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posted <- b
	}))
	defer hook.Close()
	if _, err := ns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(hook.URL)}); err != nil {
		t.Fatal(err)
	}
	drainPosts := func() {
		for {
			select {
			case <-posted: // the subscription confirmation
			case <-time.After(300 * time.Millisecond):
				return
			}
		}
	}
	drainPosts()

	a := failedAlert(t, "batch:nightly-etl", "load step: 17 rows rejected")
	if err := New(ns, *topic.TopicArn).Publish(ctx, a); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(Chat(a))

	alerts, err := srv.ReadAlerts(ctx, queueURL, 2*time.Second)
	if err != nil || len(alerts) != 1 {
		t.Fatalf("SQS subscriber got %+v, %v", alerts, err)
	}
	got := alerts[0]
	if got.Chat != string(want) || got.Body != a.Body || got.Subject != "[MEMon] Failed: batch:nightly-etl" || got.Kind != "failed" || got.Event != "batch:nightly-etl" {
		t.Errorf("SQS subscriber got subject %q kind %q event %q chat:\n%s", got.Subject, got.Kind, got.Event, got.Chat)
	}
	select {
	case b := <-posted:
		var env struct{ Message, Subject string }
		if err := json.Unmarshal(b, &env); err != nil || env.Message != string(want) || env.Subject != a.Subject {
			t.Errorf("webhook got %s", b)
		}
	case <-time.After(3 * time.Second):
		t.Error("the webhook got nothing")
	}
	if strings.Contains(got.Chat, "\"default\"") {
		t.Error("the subscriber got the whole per-protocol document, not its own form")
	}
}
