package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// failedJob is a down event whose last run failed with output, a host, a
// run id and an exit code, and whose history has a reason.
func failedJob(t *testing.T) (*fake.Store, *memon.Event) {
	t.Helper()
	ev := hourly(t, "etl-orders", t0.Add(time.Hour))
	exit3 := 3
	ev.Description, ev.DependsOn = "orders warehouse load", []string{"db-dump"}
	ev.State, ev.LastFailTime, ev.LastExitCode = memon.Down, t0.Add(-10*time.Minute), &exit3
	ev.LastHost, ev.LastRunID, ev.LastMessage = "etl-2.internal", "run-4711", "ERROR duplicate key 42 in orders"
	st := fake.NewStore(ev)
	tr := memon.Transition{ID: "1", Event: ev.Name, At: t0.Add(-10 * time.Minute), From: memon.Up, To: memon.Down,
		Reason: "the job reported a failure: secret-bucket-name", Alert: &memon.Alert{Kind: memon.KindFailed}}
	if err := st.AppendHistory(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
	return st, ev
}

// private are the texts of failedJob that only an editing page, or a
// read-only one with Details, shows.
var private = []string{"orders warehouse load", "db-dump", "etl-2.internal", "run-4711", "duplicate key", "secret-bucket-name", "exit code 3", "Reason"}

func pages(t *testing.T, o Options) map[string]string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	if !o.Hosted {
		o.Addr = ts.Listener.Addr().String()
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)
	out := map[string]string{}
	for _, p := range []string{"/", "/event?name=etl-orders"} {
		resp, body := do(t, http.MethodGet, ts.URL+p, "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", p, resp.StatusCode, body)
		}
		out[p] = body
	}
	return out
}

func TestReadOnlyPagesShowOnlyNamesStatusesAndTimes(t *testing.T) {
	t.Parallel()
	st, _ := failedJob(t)
	for _, tc := range []struct {
		why     string
		o       Options
		private bool
	}{
		{"editing", Options{Store: st, Editor: &editor{}, Now: func() time.Time { return t0 }}, true},
		{"read-only", Options{ReadOnly: true, Store: st, Now: func() time.Time { return t0 }}, false},
		{"read-only with details", Options{ReadOnly: true, Details: true, Store: st, Now: func() time.Time { return t0 }}, true},
		{"hosted", Options{Hosted: true, Store: st, Now: func() time.Time { return t0 }}, false},
	} {
		t.Run(tc.why, func(t *testing.T) {
			got := pages(t, tc.o)
			ev := got["/event?name=etl-orders"]
			for _, want := range []string{"etl-orders", "failed", "every hour after each run", "Availability, last 90 days", "Transitions"} {
				if !strings.Contains(ev, want) {
					t.Errorf("the event page lacks %q", want)
				}
			}
			for _, p := range private {
				if shown := strings.Contains(ev, p); shown != tc.private {
					t.Errorf("the event page shows %q: %v, want %v", p, shown, tc.private)
				}
			}
			if shown := strings.Contains(got["/"], "orders warehouse load"); shown != tc.private {
				t.Errorf("the overview shows the description: %v, want %v", shown, tc.private)
			}
			if tc.o.ReadOnly || tc.o.Hosted {
				for p, body := range got {
					if strings.Contains(body, "<form") {
						t.Errorf("read-only %s has a form", p)
					}
				}
			}
		})
	}
}

func TestHostedPagesWorkUnderTheirPrefixOnAnyHost(t *testing.T) {
	t.Parallel()
	st, _ := failedJob(t)
	s, err := New(Options{Hosted: true, Store: st, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	const base = "/status/k3y"
	ts := httptest.NewServer(http.StripPrefix(base, s))
	t.Cleanup(ts.Close)
	resp, body := do(t, http.MethodGet, ts.URL+base+"/", "abc123.lambda-url.us-east-1.on.aws", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("overview on the function URL's host: %d\n%s", resp.StatusCode, body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("hosted page lacks %s", h)
		}
	}
	// Every link and asset of the page resolves under the prefix.
	for _, ref := range []string{`data-live="60"`, `href="event?name=etl-orders"`, `href="assets/style.css?`, `src="assets/app.js?`, `href="./"`} {
		if !strings.Contains(body, ref) {
			t.Errorf("overview lacks %s", ref)
		}
	}
	if strings.Contains(body, `href="/`) || strings.Contains(body, `src="/`) {
		t.Errorf("an absolute link would leave the prefix:\n%s", body)
	}
	for _, p := range []string{"/assets/style.css", "/assets/app.js", "/event?name=etl-orders"} {
		if resp, _ := do(t, http.MethodGet, ts.URL+base+p, "", nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s%s: %d", base, p, resp.StatusCode)
		}
	}
	if resp, _ := do(t, http.MethodPost, ts.URL+base+"/pause", "", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST on the hosted page: %d, want 403", resp.StatusCode)
	}
}

func TestHostedProblemNamesNoAWSError(t *testing.T) {
	t.Parallel()
	st := failingList{fake.NewStore()}
	var log strings.Builder
	s, err := New(Options{Hosted: true, Store: st, Log: &log, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	resp, body := do(t, http.MethodGet, ts.URL+"/", "", nil, nil)
	if resp.StatusCode != http.StatusBadGateway || strings.Contains(body, "arn:aws") || !strings.Contains(body, "could not read") {
		t.Errorf("hosted problem: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(log.String(), "arn:aws") {
		t.Errorf("the log should keep the error: %q", log.String())
	}
}

// failingList fails List as an AWS call does, naming the table.
type failingList struct{ *fake.Store }

func (failingList) List(context.Context) ([]memon.Listed, error) {
	return nil, errors.New("operation error DynamoDB: Scan, AccessDeniedException: arn:aws:dynamodb:us-east-1:123456789012:table/memon")
}
