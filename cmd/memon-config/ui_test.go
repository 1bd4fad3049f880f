package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/internal/web"
	"github.com/peerj/memon/pkg/memon"
)

// uiServer serves the web app over a fake store through the CLI's own
// editor, as `memon-config ui` wires it.
func uiServer(t *testing.T, f *fake.Store, readOnly bool) (*httptest.Server, string) {
	t.Helper()
	a := &app{now: func() time.Time { return t0 }, local: time.UTC, env: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}
	ts := httptest.NewUnstartedServer(nil)
	h, err := web.New(web.Options{Addr: ts.Listener.Addr().String(), ReadOnly: readOnly, Store: f, Editor: &webEditor{a: a, st: f}, Now: a.now})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, csrfOf(t, ts.URL+"/new")
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	_, body := get(t, page)
	if m := csrfField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postForm posts without following the redirect.
func postForm(t *testing.T, u string, v url.Values) (int, string, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// editValues is the edit form as the page fills it, with changes.
func editValues(ev *memon.Event, token string, change map[string]string) url.Values {
	v := url.Values{"csrf": {token}, "name": {ev.Name}, "type": {string(ev.Schedule.Kind)},
		"period": {memon.FormatDuration(ev.Schedule.Period)}, "grace": {memon.FormatDuration(ev.Grace)},
		"max-alerts": {"3"}, "description": {ev.Description}, "tz": {ev.Schedule.TimeZone},
		"failures-before-alert": {"1"}, "min-runtime": {"0s"}, "max-runtime": {"0s"}, "quiet": {""}}
	for k, x := range change {
		v.Set(k, x)
	}
	return v
}

func TestUIFormSetsThroughTheCLI(t *testing.T) {
	t.Parallel()
	ev := event(t, "backup", time.Hour, t0.Add(-10*time.Minute))
	ev.Description = "keep me"
	f := newFake(ev)
	ts, tok := uiServer(t, f, false)
	if tok == "" {
		t.Fatal("the new-event form carries no CSRF token")
	}

	code, loc, body := postForm(t, ts.URL+"/set", editValues(ev, tok, map[string]string{"period": "2h"}))
	if code != http.StatusSeeOther || !strings.Contains(loc, "done=saved") {
		t.Fatalf("edit: %d %s\n%s", code, loc, body)
	}
	got := f.Event("backup")
	if got.Schedule.Period != 2*time.Hour || got.Description != "keep me" {
		t.Errorf("after the form: period %s, description %q", got.Schedule.Period, got.Description)
	}

	// The CLI's message for the same bad value, next to the field.
	cli := runWith(t, newFake(ev), t0, "set", "backup", "--period", "0")
	want := strings.TrimSpace(strings.TrimPrefix(cli.stderr, "memon-config set: "))
	code, _, body = postForm(t, ts.URL+"/set", editValues(got, tok, map[string]string{"period": "0"}))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-period">`+template(want)+`</p>`) {
		t.Errorf("invalid period: %d, want the CLI's %q next to the field in\n%s", code, want, body)
	}
	if f.Event("backup").Schedule.Period != 2*time.Hour {
		t.Error("an invalid form changed the event")
	}

	// Noise controls: set's --quiet windows and --failures-before-alert.
	code, _, body = postForm(t, ts.URL+"/set", editValues(f.Event("backup"), tok, map[string]string{
		"quiet": "Mon-Fri 22:00-23:30; Sat,Sun 00:00-24:00", "failures-before-alert": "3"}))
	if c := f.Event("backup"); code != http.StatusSeeOther || len(c.Quiet) != 2 || c.FailuresBeforeAlert != 3 {
		t.Errorf("controls: %d, quiet %v, failures %d\n%s", code, c.Quiet, c.FailuresBeforeAlert, body)
	}
	v := editValues(f.Event("backup"), tok, map[string]string{"failures-before-alert": "3", "quiet": ""})
	if code, _, body = postForm(t, ts.URL+"/set", v); code != http.StatusSeeOther || len(f.Event("backup").Quiet) != 0 {
		t.Errorf("emptied quiet field: %d, quiet %v\n%s", code, f.Event("backup").Quiet, body)
	}

	// A race lost to a poll is retried; one lost every time is shown, and
	// nothing is overwritten.
	f.LoseRaces(2)
	v = editValues(f.Event("backup"), tok, map[string]string{"failures-before-alert": "3", "max-alerts": "5"})
	if code, _, body = postForm(t, ts.URL+"/set", v); code != http.StatusSeeOther || f.Event("backup").MaxAlerts != 5 {
		t.Errorf("two lost races: %d, max alerts %d\n%s", code, f.Event("backup").MaxAlerts, body)
	}
	f.LoseRaces(maxAttempts)
	v = editValues(f.Event("backup"), tok, map[string]string{"failures-before-alert": "3", "max-alerts": "5", "grace": "10m"})
	if code, _, body = postForm(t, ts.URL+"/set", v); code != http.StatusConflict || !strings.Contains(body, "kept changing") || f.Event("backup").Grace != 0 {
		t.Errorf("every race lost: %d, grace %s\n%s", code, f.Event("backup").Grace, body)
	}

	// A new event from the form.
	code, loc, body = postForm(t, ts.URL+"/set", url.Values{"csrf": {tok}, "mode": {"new"}, "name": {"fresh"}, "type": {"cron"},
		"cron": {"0 3 * * 1-5"}, "tz": {"Europe/Berlin"}, "period": {"ignored for cron"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d %s\n%s", code, loc, body)
	}
	if c := f.Event("fresh"); c == nil || c.Schedule.Expr != "0 3 * * 1-5" || c.Grace != memon.DefaultCronGrace {
		t.Errorf("created: %+v", c)
	}
}

// template is how html/template writes the CLI's message.
func template(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "<", "&lt;", ">", "&gt;", "&", "&amp;", "+", "&#43;").Replace(s)
}

// TestUIWarnsOnEveryInterface: --addr 0.0.0.0 serves the network, so it
// says so and prints a URL with a one-time key, without which nothing is
// served; loopback says nothing and needs no key.
func TestUIWarnsOnEveryInterface(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := binary(t, "cmd/memon-config")
	if err != nil {
		t.Fatal(err)
	}
	urlLine := regexp.MustCompile(`MEMon UI on (http://localhost:[0-9]+/)(\?key=[0-9a-f]{48})?`)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status := func(u string) int {
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		addr string
		warn bool
	}{{"0.0.0.0:0", true}, {"127.0.0.1:0", false}} {
		cmd := exec.Command(bin, "ui", "--addr", tc.addr, "--read-only")
		cmd.Env = []string{"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_ENDPOINT_URL=http://127.0.0.1:9"}
		out, _ := cmd.StdoutPipe()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n') // the URL line: the warning was printed before it
		m := urlLine.FindStringSubmatch(line)
		var base, key int
		if m != nil {
			base = status(m[1] + "assets/style.css")
			if m[2] != "" {
				key = status(m[1] + "assets/style.css" + m[2])
			}
		}
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		warned := strings.Contains(stderr.String(), "warning: --addr 0.0.0.0:0 listens on every network interface")
		if warned != tc.warn || m == nil || (m[2] != "") != tc.warn {
			t.Errorf("--addr %s: warned %v, want %v; stdout %q stderr %q", tc.addr, warned, tc.warn, line, stderr.String())
		}
		if tc.warn && (base != http.StatusUnauthorized || key != http.StatusSeeOther) {
			t.Errorf("--addr %s: without the key %d (want 401), with it %d (want 303 with the session cookie)", tc.addr, base, key)
		}
		if !tc.warn && base != http.StatusOK {
			t.Errorf("--addr %s: %d, want 200 with no key", tc.addr, base)
		}
	}
}

func TestOnlyLoopbackNeedsNoKey(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true, "LocalHost": true, "127.0.0.2": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.5": false, "10.0.0.1": false, "buildhost": false, "buildhost.example": false} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestUIDetailsNeedsReadOnly(t *testing.T) {
	t.Parallel()
	r := runWith(t, fake.NewStore(), t0, "ui", "--details")
	if r.code != 2 || !strings.Contains(r.stderr, "--details goes with --read-only") {
		t.Errorf("ui --details: %d %q", r.code, r.stderr)
	}
}
