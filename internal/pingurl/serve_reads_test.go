package pingurl_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// haScript is testdata/home-assistant.json: what the Home Assistant
// integration sends, read from its source.
type haScript struct {
	Sources []struct {
		Repo, Commit, File, What string
	} `json:"sources"`
	Config   string `json:"config"`
	Requests []struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
	} `json:"requests"`
}

// TestHomeAssistantReadsEveryCheckThroughMemonPingurl: memon-pingurl serves
// pings and the read-only API on one listener, so Home Assistant's
// integration, given it as its site root, pings its check and reads
// /api/v1/checks/ with X-Api-Key as it does against healthchecks, and gets
// every event with the status MEMon gives it: new, up, grace (late), down,
// paused, and (v1) started.
func TestHomeAssistantReadsEveryCheckThroughMemonPingurl(t *testing.T) {
	t.Parallel() // its own queue and tables (the prefix) on the package's moto
	raw, err := os.ReadFile("testdata/home-assistant.json")
	if err != nil {
		t.Fatal(err)
	}
	var s haScript
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Sources) == 0 || s.Config == "" || len(s.Requests) != 2 {
		t.Fatalf("testdata/home-assistant.json: %+v", s)
	}
	for _, src := range s.Sources {
		if src.Repo == "" || src.File == "" || len(src.Commit) != 40 {
			t.Fatalf("source %+v lacks its repository, file or commit", src)
		}
	}
	mototest.Need(t, srv) // before srv is used: under -short there is none
	l := startLocalAs(t, "pu-ha", srv.Env())
	ctx := context.Background()

	// An event in each state, each reached the way it is in life: pings
	// through memon-pingurl judged by the poller, a pause, a deadline
	// passed inside its grace.
	heartbeat := l.create("ha-heartbeat") // the check Home Assistant pings itself
	for name, signal := range map[string]string{"backup": "", "failing": "/fail", "running": "/start", "paused": ""} {
		tok := l.create(name)
		if code, body := l.do(http.MethodGet, "/ping/"+tok+signal, ""); code != http.StatusOK {
			t.Fatalf("%s: ping %d %s", name, code, body)
		}
		l.poll()
	}
	l.create("never-ran")
	ev := l.event("paused")
	ev.Enabled = false
	if err := l.store.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	l.create("late")
	ev = l.event("late")
	ev.Grace = time.Hour
	ev.SetInitial(time.Now().Add(-time.Minute))
	if err := l.store.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	key, _, err := dynamo.NewKeys(dynamodb.NewFromConfig(srv.Config(ctx)), l.res.Table+"-tokens").Issue(ctx, memon.KeyAPI, "home assistant")
	if err != nil {
		t.Fatal(err)
	}

	send := func(i int, apiKey string) (int, []byte) {
		t.Helper()
		rq := s.Requests[i]
		fill := strings.NewReplacer("{check}", heartbeat, "{api_key}", apiKey)
		req, err := http.NewRequest(rq.Method, l.base+fill.Replace(rq.Path), nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range rq.Headers {
			req.Header.Set(k, fill.Replace(v))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	// The config flow: the ping, then the check list; both must be ok.
	if code, body := send(0, key); code/100 != 2 {
		t.Fatalf("Home Assistant's ping: %d %s", code, body)
	}
	l.poll()
	code, body := send(1, key)
	if code != http.StatusOK {
		t.Fatalf("the check list: %d %s", code, body)
	}
	var got struct {
		Checks []map[string]any `json:"checks"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	want := map[string]string{"ha-heartbeat": "up", "backup": "up", "failing": "down", "running": "started",
		"paused": "paused", "never-ran": "new", "late": "grace"}
	if len(got.Checks) != len(want) {
		t.Fatalf("%d checks, want %d: %s", len(got.Checks), len(want), body)
	}
	seen := map[string]bool{}
	for _, c := range got.Checks {
		name, _ := c["name"].(string)
		if c["status"] != want[name] {
			t.Errorf("%s: status %v, want %s", name, c["status"], want[name])
		}
		// What the integration reads: an entity id (unique_key, as for
		// healthchecks' read-only keys), the name, the status, last_ping.
		if uk, _ := c["unique_key"].(string); len(uk) != 40 || seen[uk] {
			t.Errorf("%s: unique_key %v", name, c["unique_key"])
		} else {
			seen[uk] = true
		}
		if _, ok := c["last_ping"]; !ok {
			t.Errorf("%s: no last_ping", name)
		}
	}
	// A wrong key fails the config flow, as a wrong healthchecks key does.
	if code, _ := send(1, strings.Repeat("k", memon.TokenLen)); code != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d", code)
	}
}
