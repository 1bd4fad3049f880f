package poller

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/pkg/memon"
)

// TestRoutesDeliverEachTeamItsTagsAlerts: two teams' and a pager's queues subscribed
// with the filter policies memon.ParseRoutes makes, a default subscriber
// that takes only untagged alerts (defaultAlerts=untagged) and one that
// takes all (the harness's). The real poller publishes DOWN (ten alone and
// a digest of the rest), FAILED and UP alerts for tagged and untagged
// events, and test alerts, through moto's SNS, which applies the policies:
// each team gets exactly the alerts of its tags (a digest when one of its
// events is in it), the pager (*/down) every DOWN and test alert, the
// untagged default the untagged events' alerts and the digest, and
// nothing is lost.
func TestRoutesDeliverEachTeamItsTagsAlerts(t *testing.T) {
	h := newHarness(t)
	arn := func(team string) string { return "arn:aws:sqs:us-east-1:123456789012:" + h.res.Table + "-" + team }
	routes, err := memon.ParseRoutes("routes", "data="+arn("data")+";payments|billing="+arn("payments")+";*/down="+arn("pager"))
	if err != nil {
		t.Fatal(err)
	}
	queues := map[string]string{"all": h.res.AlertQueueURL}
	for _, r := range routes {
		policy, _ := json.Marshal(r.FilterPolicy())
		target := r.Targets[0]
		name := target.Endpoint[strings.LastIndex(target.Endpoint, ":")+1:]
		url, err := srv.SubscribeQueueFiltered(h.ctx, h.res.TopicARN, name, string(policy))
		if err != nil || target.Protocol != "sqs" || !strings.HasSuffix(url, "/"+name) {
			t.Fatalf("subscribe %s (%s) with %s: %v", target.Endpoint, url, policy, err)
		}
		queues[strings.TrimPrefix(name, h.res.Table+"-")] = url
	}
	def, err := memon.DefaultFilterPolicy("defaultAlerts", memon.DefaultAlertsUntagged)
	if err != nil {
		t.Fatal(err)
	}
	policy, _ := json.Marshal(def)
	if queues["untagged"], err = srv.SubscribeQueueFiltered(h.ctx, h.res.TopicARN, h.res.Table+"-untagged", string(policy)); err != nil {
		t.Fatal(err)
	}

	// The events: four watched closely, twelve more so that one poll has
	// more DOWN alerts than it sends alone (a digest), of every kind of tags.
	tags := map[string][]string{"load": {"data"}, "charge": {"payments"}, "shared": {"data", "billing"}, "plain": nil}
	for i := range 12 {
		tags[fmt.Sprintf("more-%02d", i)] = [][]string{{"data"}, {"billing", "web"}, nil}[i%3]
	}
	for name, tt := range tags {
		ev := h.rolling(name, time.Hour)
		ev.Tags = tt
		ev.SetInitial(time.Now().Add(-time.Minute))
		h.create(ev)
	}
	h.poll()
	for _, name := range []string{"load", "charge", "shared", "plain"} {
		h.ping(name, memon.Fail)
	}
	h.poll()
	for _, name := range []string{"load", "charge", "shared", "plain"} {
		h.ping(name, memon.Success)
	}
	h.poll()
	// Test alerts: one tagged for payments, one plain.
	pub := notify.New(sns.NewFromConfig(h.pcfg), h.res.TopicARN)
	for _, tt := range [][]string{{"payments"}, nil} {
		a, err := memon.TestAlert(memon.KindDown, h.now(), "test", tt...)
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Publish(h.ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	got := map[string][]string{}
	var all []mototest.Alert
	for team, url := range queues {
		alerts, err := srv.ReadAlerts(h.ctx, url, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts {
			got[team] = append(got[team], alertKey(a))
		}
		sort.Strings(got[team])
		if team == "all" {
			all = alerts
		}
	}
	// What each should have got, from the events' tags as configured (a
	// digest's from the events its text lists), never from the attribute.
	want := map[string][]string{}
	digests := 0
	for _, a := range all {
		var of []string // the tags of the events the alert speaks for
		untagged := a.Event == ""
		switch {
		case a.Kind == string(memon.KindTest):
			_ = json.Unmarshal([]byte(cmp.Or(a.Tags, "[]")), &of) // the test alerts' tags are the test's to choose
			untagged = len(of) == 0
		case a.Event == "":
			digests++
			for _, name := range digestNames(t, a.Body) {
				of = append(of, tags[name]...)
			}
		default:
			of = tags[a.Event]
			untagged = len(of) == 0
			if attr, _ := json.Marshal(of); !untagged && a.Tags != string(attr) || untagged && a.Tags != "" {
				t.Errorf("%s: tags attribute %q, want %s", alertKey(a), a.Tags, attr)
			}
		}
		for _, team := range []string{"data", "payments"} {
			if slices.Contains(of, team) || team == "payments" && slices.Contains(of, "billing") {
				want[team] = append(want[team], alertKey(a))
			}
		}
		if untagged {
			want["untagged"] = append(want["untagged"], alertKey(a))
		}
		if a.Kind == string(memon.KindDown) || a.Kind == string(memon.KindTest) {
			want["pager"] = append(want["pager"], alertKey(a))
		}
		want["all"] = append(want["all"], alertKey(a))
	}
	for team := range want {
		sort.Strings(want[team])
	}
	for _, kind := range []string{"load:down", "load:failed", "load:up", "plain:down", "plain:failed", "plain:up"} {
		if !slices.Contains(got["all"], kind) && !(strings.HasSuffix(kind, ":down") && digests > 0) {
			t.Errorf("the poller did not publish %s: %v", kind, got["all"])
		}
	}
	if digests != 1 || len(got["all"]) < 1+memon.MaxDownAlertsPerPoll+8 {
		t.Errorf("%d digests among %d alerts, want 1 and the 10 DOWN, 4 FAILED and 4 UP", digests, len(got["all"]))
	}
	for _, team := range []string{"data", "payments", "pager", "untagged", "all"} {
		t.Logf("%s: %d alerts: %v", team, len(got[team]), got[team])
		if strings.Join(got[team], " ") != strings.Join(want[team], " ") {
			t.Errorf("%s queue got\n  %v\nwant\n  %v", team, got[team], want[team])
		}
	}
	if !slices.ContainsFunc(got["data"], func(k string) bool { return strings.HasPrefix(k, "digest") }) ||
		!slices.ContainsFunc(got["untagged"], func(k string) bool { return strings.HasPrefix(k, "digest") }) {
		t.Errorf("the digest did not reach both the data team and the untagged default: %v / %v", got["data"], got["untagged"])
	}
}

// alertKey names an alert for comparison: event:kind, or the digest with
// the events it lists.
func alertKey(a mototest.Alert) string {
	if a.Event == "" {
		return "digest:" + a.Kind + ":" + a.Tags
	}
	if a.Kind == string(memon.KindTest) {
		return a.Event + ":test:" + a.Tags
	}
	return a.Event + ":" + a.Kind
}

// digestNames are the events a DOWN digest lists.
func digestNames(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range digestLine.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("a digest that lists no event:\n%s", body)
	}
	return out
}
