package notify

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/peerj/memon/pkg/memon"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json")

// failedAlert decides a real FAILED transition through the domain, as the
// poller would, so the facts are the engine's own.
func failedAlert(t *testing.T, name, message string) memon.Alert {
	t.Helper()
	s, err := memon.NewSchedule(memon.Rolling, 24*time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := memon.NewEvent(name, s)
	ev.Description = "nightly load into the warehouse"
	sent := time.Date(2026, 3, 2, 4, 10, 7, 0, time.UTC)
	ok := memon.Ping{Name: name, Signal: memon.Success, SentAt: sent.Add(-24 * time.Hour)}
	ev.Apply(ok)
	code := 3
	trs, _ := ev.Apply(memon.Ping{Name: name, Signal: memon.Fail, SentAt: sent, ExitCode: &code, Duration: 605500 * time.Millisecond,
		RunID: "7d4c9a10", Host: "batch-worker-1", Message: message, Source: "aws.batch"})
	if len(trs) != 1 || trs[0].Alert == nil {
		t.Fatalf("no FAILED transition: %+v", trs)
	}
	return *trs[0].Alert
}

func published(t *testing.T, a memon.Alert) map[string]string {
	t.Helper()
	f := &fakeSNS{}
	if err := New(f, "arn:aws:sns:us-east-1:123456789012:memon").Publish(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(f.in.Subject) != a.Subject || aws.ToString(f.in.MessageAttributes["kind"].StringValue) != string(a.Kind) ||
		aws.ToString(f.in.MessageAttributes["event"].StringValue) != a.Event {
		t.Errorf("subject %q attributes %v changed", aws.ToString(f.in.Subject), f.in.MessageAttributes)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(f.in.Message)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEachProtocolGetsItsForm(t *testing.T) {
	a := failedAlert(t, "batch:nightly-etl", "load step: 17 rows rejected")
	m := published(t, a)
	if m["email"] != a.Body || m["default"] != a.Body {
		t.Errorf("e-mail is not today's text:\n%s", m["email"])
	}
	if sms := m["sms"]; sms != "MEMon Failed: batch:nightly-etl, exit 3" {
		t.Errorf("sms %q", sms)
	}
	for _, proto := range []string{"http", "https", "lambda", "sqs"} {
		if m[proto] != m["sqs"] {
			t.Errorf("%s gets a different form than sqs", proto)
		}
	}
	var chat ChatNotification
	dec := json.NewDecoder(strings.NewReader(m["sqs"]))
	dec.DisallowUnknownFields() // only the fields of AWS's schema
	if err := dec.Decode(&chat); err != nil {
		t.Fatal(err)
	}
	if chat.Version != "1.0" || chat.Source != "custom" || chat.Content.TextType != "client-markdown" ||
		chat.Content.Title != "MEMon Failed: `batch:nightly-etl`" || len(chat.Content.NextSteps) == 0 {
		t.Errorf("chat notification %+v", chat)
	}
	want := map[string]string{"kind": "failed", "event": "batch:nightly-etl", "state": "down", "exit_code": "3", "host": "batch-worker-1",
		"run_id": "7d4c9a10", "last_run": "2026-03-02T04:10:07Z", "deadline": "2026-03-03T04:10:07Z", "duration": "605.5", "text": a.Body}
	for k, v := range want {
		if got := chat.Metadata.AdditionalContext[k]; got != v {
			t.Errorf("additionalContext[%s] = %q, want %q", k, got, v)
		}
	}
	if chat.Metadata.ThreadID != "memon-batch:nightly-etl" || chat.Metadata.Summary != a.Subject || chat.ID == "" {
		t.Errorf("metadata %+v", chat.Metadata)
	}

	// The exact document, for docs/alerts.md's readers and for review.
	golden := filepath.Join("testdata", "chat_failed.json")
	pretty, _ := json.MarshalIndent(chat, "", "  ")
	if *update {
		if err := os.WriteFile(golden, append(pretty, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if wantDoc, err := os.ReadFile(golden); err != nil || string(wantDoc) != string(pretty)+"\n" {
		t.Errorf("chat JSON differs from %s (go test -update to accept):\n%s", golden, pretty)
	}
}

// TestChatRendersNoSenderMarkup: names and job output go into code spans and
// one fenced block; nothing a sender wrote can close them, mention a channel
// or add a line of its own.
func TestChatRendersNoSenderMarkup(t *testing.T) {
	evil := "done\n```\n<!channel> *click* [here](http://evil.example)\x1b[2J\u202e"
	a := failedAlert(t, "job`x", evil)
	c := Chat(a)
	d := c.Content.Description
	if n := strings.Count(d, "```"); n != 2 {
		t.Errorf("%d fences in the description, want the 2 of MEMon's own block:\n%s", n, d)
	}
	for _, bad := range []string{"\x1b", "\u202e"} {
		if strings.Contains(d, bad) || strings.Contains(c.Content.Title, bad) {
			t.Errorf("control or format character %q reached the chat", bad)
		}
	}
	// Outside the fenced block, every line is MEMon's own "*Label:* `value`".
	head := strings.TrimSuffix(strings.TrimSpace(d[:strings.Index(d, "```")]), "*Job output:*")
	for _, l := range strings.Split(strings.TrimSpace(head), "\n") {
		if !strings.HasPrefix(l, "*") || !strings.HasSuffix(l, "`") || strings.Count(l, "`") != 2 {
			t.Errorf("line %q is not one label and one code span", l)
		}
	}
	if c.Content.Title != "MEMon Failed: `jobʼx`" {
		t.Errorf("title %q", c.Content.Title)
	}
}

func TestSMSIsOneShortLine(t *testing.T) {
	down := memon.Alert{Kind: memon.KindDown, Event: strings.Repeat("n", 200), Subject: memon.Subject(memon.KindDown, strings.Repeat("n", 200)),
		Facts: memon.AlertFacts{Missed: 2, Deadline: time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)}}
	if s := SMS(down); len(s) > maxSMS || strings.ContainsAny(s, "\n\r") || !strings.HasPrefix(s, "MEMon Down: nnn") {
		t.Errorf("sms %q (%d bytes)", s, len(s))
	}
	down.Event, down.Subject = "backup", memon.Subject(memon.KindDown, "backup")
	if s := SMS(down); s != "MEMon Down: backup, 2 missed, due Mar 2 04:00 UTC" {
		t.Errorf("sms %q", s)
	}
}

func TestConfigAlertChat(t *testing.T) {
	a := memon.ConfigAlert("ghost", `a ping names "ghost" but no such event exists`)
	c := Chat(a)
	if !strings.Contains(c.Content.Description, "no such event exists") || len(c.Content.NextSteps) != 1 ||
		c.Metadata.AdditionalContext["kind"] != "config" || c.Metadata.AdditionalContext["event"] != "ghost" {
		t.Errorf("config chat %+v", c)
	}
}

func TestReportChat(t *testing.T) {
	a := memon.Alert{Kind: memon.KindReport, Subject: "[MEMon] Weekly report: 3 events, 1 failed", Body: "Weekly report\n*bold*\n"}
	c := Chat(a)
	if c.Content.Title != "Weekly report: 3 events, 1 failed" || !strings.Contains(c.Content.Description, "```\nWeekly report\n*bold*\n```") ||
		c.Metadata.ThreadID != "memon-report" || c.Metadata.AdditionalContext["kind"] != "report" {
		t.Errorf("report chat %+v", c)
	}
	if _, ok := c.Metadata.AdditionalContext["event"]; ok {
		t.Error("a report names no event")
	}
}

// Every event alert kind, the ones added after the chat form too (overrun,
// flapping), gets the event layout: its word in the title, what happened,
// next steps.
func TestEveryEventAlertKindGetsTheEventLayout(t *testing.T) {
	for _, kind := range []memon.AlertKind{memon.KindDown, memon.KindLate, memon.KindUp, memon.KindFailed, memon.KindOverrun, memon.KindFlapping} {
		word, ok := kind.Word()
		if !ok {
			t.Fatalf("%s has no subject word", kind)
		}
		a := memon.Alert{Kind: kind, Event: "etl", Subject: memon.Subject(kind, "etl"), Body: "text",
			Facts: memon.AlertFacts{Reason: "what happened to etl", State: memon.Up}}
		c := Chat(a)
		if c.Content.Title != "MEMon "+word+": `etl`" || !strings.Contains(c.Content.Description, "*What happened:* `what happened to etl`") ||
			c.Metadata.EventType != "MEMon "+word || (kind != memon.KindUp && len(c.Content.NextSteps) == 0) {
			t.Errorf("%s chat: %+v", kind, c)
		}
	}
}

// TestSenderTextIsOneLineInEveryForm: a sender's host and run id with line
// breaks stay one escaped line in the e-mail, the SMS, the chat content and
// every value of the chat JSON's metadata (a webhook or chat integration
// that renders additionalContext must not show forged lines).
func TestSenderTextIsOneLineInEveryForm(t *testing.T) {
	s, err := memon.NewSchedule(memon.Rolling, 24*time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := memon.NewEvent("backup", s)
	sent := time.Date(2026, 3, 2, 4, 10, 7, 0, time.UTC)
	ev.Apply(memon.Ping{Name: "backup", Signal: memon.Success, SentAt: sent.Add(-24 * time.Hour)})
	code := 1
	forged := "web1\n\nWhat happened: FORGED\r\n--\nMEMon"
	trs, _ := ev.Apply(memon.Ping{Name: "backup", Signal: memon.Fail, SentAt: sent, ExitCode: &code,
		Host: forged, RunID: "r1\nState: UP", Message: "out"})
	if len(trs) != 1 || trs[0].Alert == nil {
		t.Fatalf("no FAILED transition: %+v", trs)
	}
	a := *trs[0].Alert
	m := published(t, a)
	if strings.ContainsAny(m["sms"], "\r\n") {
		t.Errorf("sms has a line break: %q", m["sms"])
	}
	if strings.Contains(m["email"], "\nWhat happened: FORGED") || strings.Contains(m["email"], "\nState: UP") {
		t.Errorf("e-mail has a forged line:\n%s", m["email"])
	}
	var c ChatNotification
	if err := json.Unmarshal([]byte(m["https"]), &c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.Content.Description, "\nWhat happened: FORGED") {
		t.Errorf("chat description has a forged line:\n%s", c.Content.Description)
	}
	for k, v := range c.Metadata.AdditionalContext {
		if k == "text" {
			continue // the e-mail text, checked above
		}
		if strings.ContainsAny(v, "\r\n") {
			t.Errorf("metadata %s = %q: more than one line", k, v)
		}
	}
	if got, want := c.Metadata.AdditionalContext["host"], memon.SingleLine(forged); got != want {
		t.Errorf("metadata host = %q, want %q", got, want)
	}
	for _, v := range []string{c.Metadata.ThreadID, c.Metadata.Summary, c.Metadata.EventType} {
		if strings.ContainsAny(v, "\r\n") {
			t.Errorf("metadata %q: more than one line", v)
		}
	}
}

// TestDownDigestChatNamesEveryEvent: the chat form of a DOWN digest shows
// its list (it names no one event, so the list is all it has to say).
func TestDownDigestChatNamesEveryEvent(t *testing.T) {
	a, _ := memon.DownDigest([]memon.HeldDown{{Name: "job-a", Reason: "missed"}, {Name: "job-b", Reason: "missed", Tags: []string{"data"}}})
	c := Chat(a)
	for _, want := range []string{"job-a: missed", "job-b [data]: missed"} {
		if !strings.Contains(c.Content.Description, want) {
			t.Errorf("chat description lacks %q:\n%s", want, c.Content.Description)
		}
	}
	if c.Content.Title != "Down: 2 more events" || len(c.Content.NextSteps) != 0 || SMS(a) != "MEMon Down: 2 more events [data]" || !slices.Equal(a.Tags, []string{"data"}) {
		t.Errorf("title %q next steps %v sms %q", c.Content.Title, c.Content.NextSteps, SMS(a))
	}
}
