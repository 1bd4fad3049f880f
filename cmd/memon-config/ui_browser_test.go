package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/chromedp/chromedp"

	"github.com/peerj/memon/internal/browsertest"
	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// Browser tests: the real memon-config ui binary on moto, driven by a real
// headless Chromium through the DevTools protocol.

// screenshotDir is where the browser tests leave their screenshots (the
// docs/web.md names it; build/ is ignored by git).
const screenshotDir = "../../build/screenshots"

// wrapsMidWord lists, for every event name on the page, the text before
// each line break that does not end in a separator (- _ . / : @ +).
const wrapsMidWord = `(() => {
  const bad = [];
  document.querySelectorAll(".events .nm a, .events .nm strong").forEach(el => {
    let text = "", lastTop = null;
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      for (let i = 0; i < n.length; i++) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const top = r.getBoundingClientRect().top;
        if (lastTop !== null && top > lastTop + 2 && !/[-_.\/:@+]$/.test(text)) bad.push(text);
        lastTop = top; text += n.data[i];
      }
    }
  });
  return bad;
})()`

var uiURL = regexp.MustCompile(`MEMon UI on (http://\S+/)`)

// startUI runs `memon-config ui` on a free port and returns its URL; the
// server is interrupted when the test ends.
func (m *moto) startUI(args ...string) string {
	m.t.Helper()
	cmd := exec.Command(m.bin, append([]string{"ui", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(srv.EnvAs(mototest.Operator), settings.EnvTable+"="+m.table, settings.EnvHistoryTable+"="+m.history)
	out, err := cmd.StdoutPipe()
	if err != nil {
		m.t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	m.t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	match := uiURL.FindStringSubmatch(line)
	if err != nil || match == nil {
		m.t.Fatalf("memon-config ui printed %q (%v); stderr %s", line, err, stderr.String())
	}
	go io.Copy(io.Discard, out)
	return match[1]
}

// store is the events table through the real adapter, for seeding.
func (m *moto) store() *dynamo.Store {
	return dynamo.New(m.db, m.table, m.history)
}

// seedEvents writes one event in each status, with history and daily
// counts for the charts.
func (m *moto) seedEvents(now time.Time) {
	t := m.t
	ctx := context.Background()
	st := m.store()
	exit0, exit3 := 0, 3
	evs := []*memon.Event{
		{Config: memon.Config{Name: "backup-nightly", Description: "nightly database dump to S3", Enabled: true, Schedule: mustSchedule(t, memon.Rolling, 24*time.Hour, "", "")},
			State: memon.Up, LastSuccessTime: now.Add(-2 * time.Hour), LastBlockTime: now.Add(-2 * time.Hour), NextBlockTime: now.Add(22 * time.Hour),
			LastDuration: 754 * time.Second, LastExitCode: &exit0, LastHost: "db1.internal", LastRunID: "run-20261124-0300",
			LastMessage: "dumping 42 tables\ndumped 1.2 GB in 12m34s\nupload ok"},
		{Config: memon.Config{Name: "db-dump", Enabled: true, Schedule: mustSchedule(t, memon.Rolling, time.Hour, "", "")},
			State: memon.Down, ErrorCount: 2,
			LastSuccessTime: now.Add(-3 * time.Hour), LastBlockTime: now.Add(-3 * time.Hour), NextBlockTime: now.Add(-2 * time.Hour)},
		{Config: memon.Config{Name: "etl-orders", Description: "orders warehouse load", Enabled: true, Schedule: mustSchedule(t, memon.Cron, 0, "0 3 * * 1-5", "Europe/Berlin"), Grace: 5 * time.Minute},
			State: memon.Down, LastSuccessTime: now.Add(-26 * time.Hour), LastFailTime: now.Add(-30 * time.Minute),
			LastBlockTime: now.Add(-30 * time.Minute), NextBlockTime: now.Add(20 * time.Hour), LastExitCode: &exit3, LastDuration: 95 * time.Second,
			LastHost: "etl-2", LastMessage: "loading orders\n\x1b[31mERROR\x1b[0m duplicate key <b>42</b>\nexit 3"},
		{Config: memon.Config{Name: "report-hourly", Enabled: true, Schedule: mustSchedule(t, memon.Rolling, time.Hour, "", ""), Grace: 15 * time.Minute},
			State:           memon.Up,
			LastSuccessTime: now.Add(-65 * time.Minute), LastBlockTime: now.Add(-65 * time.Minute), NextBlockTime: now.Add(-5 * time.Minute)},
		{Config: memon.Config{Name: "cleanup-tmp", Enabled: true, Schedule: mustSchedule(t, memon.Fixed, time.Hour, "", "")},
			State:           memon.Up,
			LastSuccessTime: now.Add(-2 * time.Hour), LastBlockTime: now.Add(-2 * time.Hour), NextBlockTime: now.Add(-time.Hour)},
		{Config: memon.Config{Name: "archive-logs", Enabled: false, Schedule: mustSchedule(t, memon.Rolling, 7*24*time.Hour, "", "")},
			State:           memon.Up,
			LastSuccessTime: now.Add(-3 * 24 * time.Hour), LastBlockTime: now.Add(-3 * 24 * time.Hour), NextBlockTime: now.Add(4 * 24 * time.Hour)},
		{Config: memon.Config{Name: "warehouse/eu-west-1/nightly-export-of-customer-orders", Enabled: true, Schedule: mustSchedule(t, memon.Cron, 0, "30 1 * * *", "UTC")},
			State: memon.Up, LastSuccessTime: now.Add(-4 * time.Hour), LastBlockTime: now.Add(-4 * time.Hour), NextBlockTime: now.Add(20 * time.Hour)},
	}
	for _, ev := range evs {
		if err := st.Create(ctx, ev); err != nil {
			t.Fatalf("seed %s: %v", ev.Name, err)
		}
	}
	m.ok("set", "fresh-job", "--period", "1h", "--description", "created, never run")

	tr := func(name string, at time.Time, from, to memon.State, kind memon.AlertKind, reason string) {
		x := memon.Transition{ID: fmt.Sprint(at.UnixMilli()), Event: name, At: at, From: from, To: to, Reason: reason}
		if kind != "" {
			x.Alert = &memon.Alert{Kind: kind}
		}
		if err := st.AppendHistory(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	d := 24 * time.Hour
	tr("backup-nightly", now.Add(-40*d), memon.New, memon.Up, "", "first run")
	tr("backup-nightly", now.Add(-12*d), memon.Up, memon.Down, memon.KindDown, "no successful run by the deadline; 1 missed")
	tr("backup-nightly", now.Add(-12*d+5*time.Hour), memon.Down, memon.Up, memon.KindUp, "a successful run arrived after the event was down")
	tr("backup-nightly", now.Add(-5*d), memon.Up, memon.Up, memon.KindLate, "ran 12m after its deadline, before any DOWN alert")
	tr("db-dump", now.Add(-2*time.Hour), memon.Up, memon.Down, memon.KindDown, "no successful run by the deadline; 2 missed")
	tr("etl-orders", now.Add(-30*time.Minute), memon.Up, memon.Down, memon.KindFailed, "the job reported a failure (exit code 3)")

	// Daily records as the poller writes them: runs, failures, durations.
	for i := 1; i <= 30; i++ {
		day := now.UTC().Add(-time.Duration(i) * d)
		runs, fails := 1+i%3, 0
		if i == 12 || i == 19 {
			fails = 1
		}
		item := map[string]types.AttributeValue{
			schema.HistName:  &types.AttributeValueMemberS{Value: "backup-nightly"},
			schema.HistTime:  &types.AttributeValueMemberS{Value: schema.HistDayPrefix + memon.DayOf(day)},
			schema.CountDay:  &types.AttributeValueMemberS{Value: memon.DayOf(day)},
			schema.CountRuns: &types.AttributeValueMemberN{Value: fmt.Sprint(runs)}, schema.CountFailures: &types.AttributeValueMemberN{Value: fmt.Sprint(fails)},
			schema.CountDurationRuns: &types.AttributeValueMemberN{Value: fmt.Sprint(runs)},
			schema.CountDurationSum:  &types.AttributeValueMemberN{Value: fmt.Sprint(runs * (600 + 20*(i%7)))},
			schema.CountDurationMax:  &types.AttributeValueMemberN{Value: fmt.Sprint(700 + 25*(i%5))},
		}
		if _, err := m.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &m.history, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

// statuses reads the overview's rows: name -> status.
func statuses(t *testing.T, b *browsertest.Browser) map[string]string {
	t.Helper()
	var rows []map[string]string
	b.Run(t, chromedp.Evaluate(`Array.from(document.querySelectorAll("li.ev")).map(li => ({name: li.dataset.name, status: li.dataset.status}))`, &rows))
	out := map[string]string{}
	for _, r := range rows {
		out[r["name"]] = r["status"]
	}
	return out
}

func TestUIInBrowser(t *testing.T) {
	browsertest.Need(t)
	m := newMoto(t)
	now := time.Now()
	m.seedEvents(now)
	base := m.startUI()
	b := browsertest.New(t)

	// Overview: every seeded event with its status, trouble first.
	b.Run(t, browsertest.View(1400, "light"), chromedp.Navigate(base), chromedp.WaitVisible(`li.ev`))
	want := map[string]string{
		"backup-nightly": "up", "db-dump": "down", "etl-orders": "failed", "report-hourly": "late", "cleanup-tmp": "overdue",
		"archive-logs": "paused", "fresh-job": "new", "warehouse/eu-west-1/nightly-export-of-customer-orders": "up",
	}
	got := statuses(t, b)
	for name, st := range want {
		if got[name] != st {
			t.Errorf("overview: %s is %q, want %q (all: %v)", name, got[name], st, got)
		}
	}
	var first string
	b.Run(t, chromedp.Evaluate(`document.querySelector("li.ev").dataset.name`, &first))
	if first != "db-dump" {
		t.Errorf("first row is %q, want db-dump (trouble first)", first)
	}
	var chipText, countText string
	b.Run(t, chromedp.Text(`li[data-name="cleanup-tmp"] .st`, &chipText), chromedp.Text(`.count.s-overdue`, &countText))
	chipText, countText = strings.Join(strings.Fields(chipText), " "), strings.Join(strings.Fields(countText), " ")
	if chipText != "overdue not yet polled" || countText != "1 overdue, not yet polled" {
		t.Errorf("overdue row says %q, its count %q", chipText, countText)
	}

	// Screenshots, light and dark, wide and narrow; nothing wider than the
	// window at 400 px.
	for _, width := range []int64{1400, 400} {
		for _, scheme := range []string{"light", "dark"} {
			b.Run(t, browsertest.View(width, scheme), chromedp.Navigate(base), chromedp.WaitVisible(`li.ev`))
			var overflow bool
			b.Run(t, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
			if overflow {
				t.Errorf("overview at %d px %s scrolls sideways", width, scheme)
			}
			b.Screenshot(t, screenshotDir, fmt.Sprintf("overview-%d-%s.png", width, scheme))
			// Every line of a wrapped name ends at a separator, never mid-word.
			var midWord []string
			b.Run(t, chromedp.Evaluate(wrapsMidWord, &midWord))
			if len(midWord) > 0 {
				t.Errorf("at %d px a name wraps mid-word after %q", width, midWord)
			}
			b.Run(t, chromedp.Navigate(base+"event?name=backup-nightly"), chromedp.WaitVisible(`#availability`))
			b.Run(t, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
			if overflow {
				t.Errorf("event page at %d px %s scrolls sideways", width, scheme)
			}
			b.Screenshot(t, screenshotDir, fmt.Sprintf("event-%d-%s.png", width, scheme))
		}
	}
	b.Run(t, browsertest.View(1400, "light"))

	// Event page: the charts' elements and the run details.
	b.Run(t, chromedp.Navigate(base+"event?name=backup-nightly"), chromedp.WaitVisible(`#availability`))
	var bars, runBars, durBars, histRows int
	var uptime string
	b.Run(t,
		chromedp.Evaluate(`document.querySelectorAll("#availability rect").length`, &bars),
		chromedp.Evaluate(`document.querySelectorAll("#runs rect").length`, &runBars),
		chromedp.Evaluate(`document.querySelectorAll("#durations rect").length`, &durBars),
		chromedp.Evaluate(`document.querySelectorAll("table.history tbody tr").length`, &histRows),
		chromedp.Text(`#uptime`, &uptime),
	)
	if bars != 90 || runBars < 29 || durBars < 58 || histRows != 4 || !strings.HasSuffix(uptime, "%") {
		t.Errorf("event page: %d availability bars (want 90), %d run bars, %d duration marks, %d transitions (want 4), uptime %q",
			bars, runBars, durBars, histRows, uptime)
	}
	var downDays int
	b.Run(t, chromedp.Evaluate(`document.querySelectorAll("#availability rect.d-down").length`, &downDays))
	if downDays < 1 {
		t.Error("the availability timeline shows no down day for an outage 12 days ago")
	}
	var output string
	b.Run(t, chromedp.Navigate(base+"event?name=etl-orders"), chromedp.WaitVisible(`pre.output`), chromedp.Text(`pre.output`, &output))
	if !strings.Contains(output, `\x1b[31mERROR\x1b[0m duplicate key <b>42</b>`) || !strings.Contains(output, "exit 3") {
		t.Errorf("output tail: %q", output)
	}

	// Edit the period through the form: the item changes in DynamoDB.
	b.Run(t, chromedp.Navigate(base+"edit?name=backup-nightly"), chromedp.WaitVisible(`#f-period`),
		chromedp.SetValue(`#f-period`, "2h"), chromedp.Click(`button.primary`), chromedp.WaitVisible(`#availability`))
	if p := attrN(m.item("backup-nightly"), schema.AttrPeriod); p != "7200" {
		t.Errorf("after the form, Period is %s, want 7200", p)
	}
	if d := m.item("backup-nightly")[schema.AttrDescription].(*types.AttributeValueMemberS).Value; d != "nightly database dump to S3" {
		t.Errorf("an unchanged field was rewritten: description %q", d)
	}

	// An invalid period: the CLI's own error text, next to the field, and
	// nothing written.
	_, _, cliErr := m.run("set", "backup-nightly", "--period", "0")
	cliMsg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cliErr), "memon-config set: "))
	if cliMsg == "" || !strings.Contains(cliMsg, "--period") {
		t.Fatalf("the CLI said %q", cliErr)
	}
	before := m.item("backup-nightly")
	var fieldErr string
	b.Run(t, chromedp.Navigate(base+"edit?name=backup-nightly"), chromedp.WaitVisible(`#f-period`),
		chromedp.SetValue(`#f-period`, "0"), chromedp.Click(`button.primary`), chromedp.WaitVisible(`#e-period`),
		chromedp.Text(`#e-period`, &fieldErr))
	b.Screenshot(t, screenshotDir, "edit-invalid-1400-light.png")
	if fieldErr != cliMsg {
		t.Errorf("the form says %q\nthe CLI says  %q", fieldErr, cliMsg)
	}
	if attrN(m.item("backup-nightly"), schema.AttrVersion) != attrN(before, schema.AttrVersion) {
		t.Error("an invalid form wrote the item")
	}

	// Pause and resume with the buttons.
	b.Run(t, chromedp.Navigate(base+"event?name=db-dump"), chromedp.WaitVisible(`.actions`),
		chromedp.Click(`form[action="/pause"] button`), chromedp.WaitVisible(`.flash`))
	if m.item("db-dump")[schema.AttrEnabled] == nil || enabled(m.item("db-dump")) {
		t.Errorf("after pause: %v", m.item("db-dump")[schema.AttrEnabled])
	}
	b.Run(t, chromedp.Click(`form[action="/resume"] button`), chromedp.WaitVisible(`form[action="/pause"]`))
	if !enabled(m.item("db-dump")) {
		t.Error("after resume the event is still paused")
	}
	if h := m.ok("history", "db-dump"); !strings.Contains(h, "paused by memon-config") || !strings.Contains(h, "resumed by memon-config") {
		t.Errorf("history after pause/resume:\n%s", h)
	}

	// Create through the form, then delete with confirmation.
	b.Run(t, chromedp.Navigate(base+"new"), chromedp.WaitVisible(`#f-name`),
		chromedp.SetValue(`#f-name`, "made-in-browser"), chromedp.SetValue(`#f-period`, "90m"),
		chromedp.SetValue(`#f-description`, "from the form"), chromedp.Click(`button.primary`), chromedp.WaitVisible(`#availability`))
	if p := attrN(m.item("made-in-browser"), schema.AttrPeriod); p != "5400" {
		t.Errorf("created item: %v", m.item("made-in-browser"))
	}
	b.Run(t, chromedp.Click(`a.danger`), chromedp.WaitVisible(`button[name="confirm"]`))
	if len(m.item("made-in-browser")) == 0 {
		t.Fatal("the confirmation page deleted already")
	}
	b.Run(t, chromedp.Click(`button[name="confirm"]`), chromedp.WaitVisible(`li.ev`))
	if it := m.item("made-in-browser"); len(it) != 0 {
		t.Errorf("after delete: %v", it)
	}

	// The overview updates itself: a new event appears without a reload.
	b.Run(t, chromedp.Navigate(base), chromedp.WaitVisible(`li.ev`), chromedp.Evaluate(`window.kept = 1`, nil))
	m.ok("set", "appears-later", "--period", "1h")
	b.Run(t, chromedp.WaitVisible(`li[data-name="appears-later"]`))
	var kept int
	b.Run(t, chromedp.Evaluate(`window.kept`, &kept))
	if kept != 1 {
		t.Error("the overview reloaded instead of updating in place")
	}
	// Filters: by name as you type, and by status.
	b.Run(t, chromedp.SendKeys(`input[name="q"]`, "etl"), chromedp.WaitNotPresent(`li[data-name="db-dump"]`))
	if got := statuses(t, b); len(got) != 1 || got["etl-orders"] != "failed" {
		t.Errorf("filtered by name: %v", got)
	}
	b.Run(t, chromedp.Navigate(base+"?status=down"), chromedp.WaitVisible(`li.ev`))
	if got := statuses(t, b); len(got) != 1 || got["db-dump"] != "down" {
		t.Errorf("filtered by status: %v", got)
	}

	for _, e := range b.Errors() {
		// The invalid form is answered 422 on purpose; Chromium logs that.
		if !strings.Contains(e, "status of 422") {
			t.Errorf("browser console error: %s", e)
		}
	}
}

func enabled(item map[string]types.AttributeValue) bool {
	switch v := item[schema.AttrEnabled].(type) {
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value != "0"
	}
	return false
}

// TestUIRefusesWhatItMust: read-only serves no form and refuses POSTs; a
// POST without the token and a foreign Host are refused.
func TestUIRefusesWhatItMust(t *testing.T) {
	browsertest.Need(t)
	m := newMoto(t)
	m.ok("set", "guarded", "--period", "1h")
	live := m.startUI()
	ro := m.startUI("--read-only")
	b := browsertest.New(t)

	var forms, links int
	b.Run(t, chromedp.Navigate(ro+"event?name=guarded"), chromedp.WaitVisible(`#availability`),
		chromedp.Evaluate(`document.querySelectorAll("form[method=post]").length`, &forms),
		chromedp.Evaluate(`document.querySelectorAll('a[href^="/edit"], a[href^="/delete"], a[href="/new"]').length`, &links))
	if forms != 0 || links != 0 {
		t.Errorf("read-only event page has %d forms and %d edit links", forms, links)
	}
	var body string
	b.Run(t, chromedp.Navigate(ro+"edit?name=guarded"), chromedp.Text(`body`, &body))
	if !strings.Contains(body, "read-only") {
		t.Errorf("read-only /edit: %q", body)
	}

	// Straight HTTP, as an attacker's page or a rebinding name would send.
	post := func(base, host string, form url.Values) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"pause", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if host != "" {
			req.Host = host
		}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(msg)
	}
	var token string
	b.Run(t, chromedp.Navigate(live+"event?name=guarded"), chromedp.WaitVisible(`#availability`),
		chromedp.Evaluate(`document.querySelector("input[name=csrf]").value`, &token))
	if code, msg := post(live, "", url.Values{"name": {"guarded"}}); code != http.StatusForbidden || !strings.Contains(msg, "token") {
		t.Errorf("POST without token: %d %q", code, msg)
	}
	if code, _ := post(live, "", url.Values{"name": {"guarded"}, "csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("POST with a wrong token: %d", code)
	}
	u, _ := url.Parse(live)
	if code, msg := post(live, "rebind.example:"+u.Port(), url.Values{"name": {"guarded"}, "csrf": {token}}); code != http.StatusMisdirectedRequest || !strings.Contains(msg, "rebind.example") {
		t.Errorf("foreign Host: %d %q", code, msg)
	}
	req, _ := http.NewRequest(http.MethodGet, live, nil)
	req.Host = "rebind.example:" + u.Port()
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET with a foreign Host: %v %v", resp, err)
	}
	if code, msg := post(ro, "", url.Values{"name": {"guarded"}, "csrf": {token}}); code != http.StatusForbidden || !strings.Contains(msg, "read-only") {
		t.Errorf("POST to read-only: %d %q", code, msg)
	}
	if !enabled(m.item("guarded")) {
		t.Fatal("a refused POST paused the event")
	}
	// The real token from the page works: the refusals above were the checks.
	if code, _ := post(live, "", url.Values{"name": {"guarded"}, "csrf": {token}}); code != http.StatusSeeOther {
		t.Errorf("POST with the page's token: %d", code)
	}
	if enabled(m.item("guarded")) {
		t.Error("the POST with the token did not pause")
	}
	if errs := b.Errors(); len(errs) > 0 {
		for _, e := range errs {
			if !strings.Contains(e, "403") { // the read-only /edit page answers 403 on purpose
				t.Errorf("browser console error: %s", e)
			}
		}
	}
}

// TestUIThousandEvents measures what the overview costs with 1,000
// events: bytes per page and time to first render, from the browser.
func TestUIThousandEvents(t *testing.T) {
	browsertest.Need(t)
	m := newMoto(t)
	ctx := context.Background()
	now := time.Now()
	var batch []types.WriteRequest
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := m.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{m.table: batch}}); err != nil {
			t.Fatal(err)
		}
		batch = nil
	}
	for i := range 1000 {
		last := now.Add(-time.Duration(i%50) * time.Minute).Unix()
		state := "up"
		if i%37 == 0 {
			state = "down"
		}
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			schema.AttrName:            &types.AttributeValueMemberS{Value: fmt.Sprintf("job-%04d-%s", i, []string{"backup", "report", "etl", "sync"}[i%4])},
			schema.AttrDescription:     &types.AttributeValueMemberS{Value: "seeded for the page weight measurement"},
			schema.AttrEnabled:         &types.AttributeValueMemberBOOL{Value: i%50 != 0},
			schema.AttrType:            &types.AttributeValueMemberS{Value: "rolling"},
			schema.AttrPeriod:          &types.AttributeValueMemberN{Value: "3600"},
			schema.AttrState:           &types.AttributeValueMemberS{Value: state},
			schema.AttrLastSuccessTime: &types.AttributeValueMemberN{Value: fmt.Sprint(last)},
			schema.AttrLastBlockTime:   &types.AttributeValueMemberN{Value: fmt.Sprint(last)},
			schema.AttrNextBlockTime:   &types.AttributeValueMemberN{Value: fmt.Sprint(last + 3600)},
		}}})
		if len(batch) == 25 {
			flush()
		}
	}
	flush()
	base := m.startUI()
	b := browsertest.New(t)
	var perf struct {
		FCP        float64 `json:"fcp"`
		TTFB       float64 `json:"ttfb"`
		Load       float64 `json:"load"`
		HTML       float64 `json:"html"`
		HTMLBody   float64 `json:"htmlBody"`
		Assets     float64 `json:"assets"`
		AssetsBody float64 `json:"assetsBody"`
		Rows       int     `json:"rows"`
	}
	b.Run(t, browsertest.View(1400, "light"), chromedp.Navigate(base), chromedp.WaitVisible(`li.ev`),
		chromedp.Poll(`performance.getEntriesByType("paint").some(e => e.name === "first-contentful-paint")`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`(() => {
			const n = performance.getEntriesByType("navigation")[0];
			const r = performance.getEntriesByType("resource");
			const p = performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint");
			return {fcp: p.startTime, ttfb: n.responseStart, load: n.loadEventEnd, html: n.transferSize, htmlBody: n.decodedBodySize,
				assets: r.reduce((a, x) => a + x.transferSize, 0), assetsBody: r.reduce((a, x) => a + x.decodedBodySize, 0),
				rows: document.querySelectorAll("li.ev").length};
		})()`, &perf))
	// The bytes on the wire, counted by a client that asks for gzip as a
	// browser does and keeps the body compressed.
	req, _ := http.NewRequest(http.MethodGet, base, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("the overview is not compressed: %v", resp.Header)
	}
	if perf.Rows != 1000 {
		t.Errorf("overview shows %d rows, want 1000", perf.Rows)
	}
	report := fmt.Sprintf("overview with 1,000 events (moto, headless chromium):\n"+
		"  first contentful paint %.0f ms (server answered in %.0f ms, load event %.0f ms)\n"+
		"  page %d bytes on the wire (gzip; the browser counted %.0f), %.0f bytes of HTML; style+script+icon %.0f bytes on the wire, %.0f decoded\n",
		perf.FCP, perf.TTFB, perf.Load, len(wire), perf.HTML, perf.HTMLBody, perf.Assets, perf.AssetsBody)
	t.Log(report)
	if err := os.MkdirAll(screenshotDir, 0o755); err == nil {
		os.WriteFile(filepath.Join(screenshotDir, "perf-1000-events.txt"), []byte(report), 0o644)
	}
}
