package pingurl_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// toolScript is one file of testdata/tools: the requests a tool that speaks
// healthchecks (or Uptime Kuma's push) sends, read from its source (each
// with the file it comes from), the answers it accepts, and what each run
// must leave on the event.
type toolScript struct {
	Tool    string `json:"tool"`
	Sources []struct {
		Repo, Commit, File, What string
	} `json:"sources"`
	Config string `json:"config"` // the one line of the tool's configuration (docs/healthchecks-tools.md)
	Accept struct {
		Status      []int  `json:"status"`       // exactly one of these
		StatusClass int    `json:"status_class"` // or any of this class (2: 2xx)
		Below       int    `json:"below"`        // or anything below it
		Header      string `json:"header"`       // a header the tool reads, which must be there
		Body        string `json:"body"`         // the body the tool expects
	} `json:"accept"`
	Runs []struct {
		Name     string        `json:"name"`
		Slug     string        `json:"slug"` // the event a slug ping names, else the tool's own event
		Requests []toolRequest `json:"requests"`
		State    memon.State   `json:"state"`   // the event's state after the run
		Alerts   []string      `json:"alerts"`  // the kinds of the alerts it sends
		Log      bool          `json:"log"`     // it leaves a log record in history
		Message  string        `json:"message"` // the event's last message after it
	} `json:"runs"`
}

type toolRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`  // {token}, {key}, {slug} are filled in
	Query   string            `json:"query"` // {rid}: the run's id, a UUID as runitor makes it
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Status  int               `json:"status"` // the status this request must get, when it matters
}

func (s toolScript) accepts(code int) bool {
	switch {
	case len(s.Accept.Status) > 0:
		return slices.Contains(s.Accept.Status, code)
	case s.Accept.StatusClass > 0:
		return code/100 == s.Accept.StatusClass
	case s.Accept.Below > 0:
		return code < s.Accept.Below
	}
	return false
}

func uuid4(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// TestToolsThatSpeakHealthchecksReportUnchanged replays each tool's
// requests against the memon-pingurl binary over moto: every answer is one
// the tool accepts, the pings land on the queue, the poller applies them
// and the alerts follow.
func TestToolsThatSpeakHealthchecksReportUnchanged(t *testing.T) {
	t.Parallel() // its own queue and tables (the prefix) on the package's moto
	files, err := filepath.Glob(filepath.Join("testdata", "tools", "*.json"))
	if err != nil || len(files) < 6 {
		t.Fatalf("testdata/tools holds %d scripts (%v), want runitor, borgmatic, Backrest, gobackup, resticprofile and Uptime Kuma", len(files), err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "healthchecks-tools.md"))
	if err != nil {
		t.Fatal(err)
	}
	l := startLocal(t, "pu-tools")
	ctx := context.Background()
	keys := dynamo.NewKeys(dynamodb.NewFromConfig(srv.Config(ctx)), l.res.Table+"-tokens")
	pingKey, _, err := keys.Issue(ctx, memon.KeyPing, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s toolScript
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(s.Sources) == 0 || s.Config == "" || len(s.Runs) == 0 {
			t.Fatalf("%s names no source file, configuration line or run", f)
		}
		for _, src := range s.Sources {
			if src.Repo == "" || src.File == "" || len(src.Commit) != 40 {
				t.Fatalf("%s: source %+v lacks its repository, file or commit", f, src)
			}
		}
		if !strings.Contains(string(doc), s.Config) {
			t.Errorf("docs/healthchecks-tools.md does not give %s's configuration:\n%s", s.Tool, s.Config)
		}
		t.Run(s.Tool, func(t *testing.T) {
			own := strings.TrimSuffix(filepath.Base(f), ".json") + "-job"
			token := l.create(own)
			for _, run := range s.Runs {
				event := own
				if run.Slug != "" {
					event = run.Slug
				}
				rid := uuid4(t)
				for _, rq := range run.Requests {
					fill := strings.NewReplacer("{token}", token, "{key}", pingKey, "{slug}", run.Slug, "{rid}", rid)
					target := l.base + fill.Replace(rq.Path)
					if rq.Query != "" {
						target += "?" + fill.Replace(rq.Query)
					}
					req, err := http.NewRequest(rq.Method, target, strings.NewReader(rq.Body))
					if err != nil {
						t.Fatal(err)
					}
					for k, v := range rq.Headers {
						req.Header.Set(k, v)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					what := fmt.Sprintf("%s: %s %s", run.Name, rq.Method, rq.Path)
					if !s.accepts(resp.StatusCode) || (rq.Status != 0 && resp.StatusCode != rq.Status) {
						t.Fatalf("%s: %d %q, which %s does not accept (or not %d)", what, resp.StatusCode, body, s.Tool, rq.Status)
					}
					if s.Accept.Body != "" && string(body) != s.Accept.Body {
						t.Errorf("%s: body %q, want %q", what, body, s.Accept.Body)
					}
					if h := s.Accept.Header; h != "" {
						if n, err := strconv.Atoi(resp.Header.Get(h)); err != nil || n <= 0 {
							t.Errorf("%s: %s %q, want a byte count", what, h, resp.Header.Get(h))
						}
					}
					l.poll() // each ping in its own poll: SQS orders them by their millisecond
				}
				ev := l.event(event)
				if state := cmpState(ev.State); state != run.State {
					t.Errorf("%s: event %s is %s, want %s", run.Name, event, state, run.State)
				}
				if run.Message != "" && ev.LastMessage != run.Message {
					t.Errorf("%s: last message %q, want %q", run.Name, ev.LastMessage, run.Message)
				}
				wait := 300 * time.Millisecond
				if len(run.Alerts) > 0 {
					wait = 5 * time.Second
				}
				alerts, err := srv.ReadAlerts(ctx, l.res.AlertQueueURL, wait)
				if err != nil {
					t.Fatal(err)
				}
				var kinds []string
				for _, a := range alerts {
					kinds = append(kinds, a.Kind)
					if a.Event != event {
						t.Errorf("%s: an alert for %s", run.Name, a.Event)
					}
				}
				if strings.Join(kinds, ",") != strings.Join(run.Alerts, ",") {
					t.Errorf("%s: alerts %v, want %v", run.Name, kinds, run.Alerts)
				}
				if run.Log {
					recs, err := l.store.History(ctx, event, time.Time{})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.ContainsFunc(recs, func(r memon.HistoryRecord) bool { return r.Log }) {
						t.Errorf("%s: no log record in %s's history: %+v", run.Name, event, recs)
					}
				}
			}
		})
	}
}

// cmpState reads an item's state as the runs name it: "new" for one that
// has none yet.
func cmpState(s memon.State) memon.State {
	if s == "" {
		return memon.New
	}
	return s
}
