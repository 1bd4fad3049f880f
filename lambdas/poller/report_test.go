package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/internal/poller"
	"github.com/peerj/memon/pkg/memon"
)

func fakeWiring(t *testing.T, now time.Time) (*wiring, *fake.Store, *fake.Publisher) {
	t.Helper()
	s, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	clock := fake.NewClock(now)
	st := fake.NewStore(memon.NewEvent("backup", s))
	pub := &fake.Publisher{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := poller.New(fake.NewQueue(clock.Now), st, pub, poller.Config{ReconcileEvery: -1}, clock.Now, log)
	return &wiring{poller: p, store: st, pub: pub, now: clock.Now, log: log}, st, pub
}

func TestHandleDispatch(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC) // first Monday of November, 08:00 in Berlin
	scheduled, err := os.ReadFile("testdata/scheduled-event.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		in      string
		subject string // the report published, "" for a poll
		errText string
	}{
		{"the minute schedule polls", string(scheduled), "", ""},
		{"the weekly schedule's input publishes the weekly report", `{"report":"weekly","time_zone":"Europe/Berlin"}`, "[MEMon] Weekly report: 1 event", ""},
		{"monthly, zone defaults to UTC", `{"report":"monthly"}`, "[MEMon] Monthly report: 1 event", ""},
		{"an unknown cadence is an error naming the field", `{"report":"daily"}`, "", "weekly or monthly"},
		{"an unknown zone is an error naming the field", `{"report":"weekly","time_zone":"Mars/Base"}`, "", "report-time-zone"},
		{"input that is not an object is an error, not a poll", `"not an event"`, "", "want the schedule's EventBridge event"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, st, pub := fakeWiring(t, now)
			err := w.handle(context.Background(), json.RawMessage(tc.in))
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Errorf("error %v, want one naming %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sent := pub.Alerts()
			polled := strings.Contains(strings.Join(st.Calls(), "\n"), "Deadlines") // a poll finds what is due
			if tc.subject == "" {
				if len(sent) != 0 || !polled {
					t.Errorf("want a poll: published %v, calls %v", sent, st.Calls())
				}
				return
			}
			if len(sent) != 1 || sent[0].Kind != memon.KindReport || !strings.HasPrefix(sent[0].Subject, tc.subject) || polled {
				t.Errorf("published %+v (polled %v), want one report %q", sent, polled, tc.subject)
			}
		})
	}
}

func TestParseReportRequestFlags(t *testing.T) {
	t.Parallel()
	if r, err := parseReportRequest("Weekly", ""); err != nil || r.cadence != memon.Weekly || r.loc != time.UTC {
		t.Errorf("weekly: %+v %v", r, err)
	}
	if _, err := parseReportRequest("yearly", "UTC"); err == nil {
		t.Error("yearly accepted")
	}
}
