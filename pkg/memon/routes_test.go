package memon

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseRoutes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		policies []string // each route's filter policy, JSON ("null": every alert)
		targets  []string // protocol:endpoint of every target, in order
	}{
		{"", nil, nil},
		{" data=data-team@example.com ", []string{`{"tags":["data"]}`}, []string{"email:data-team@example.com"}},
		{"data=data-team@example.com;payments=https://hooks.example.com/x?a=b,+15551234567",
			[]string{`{"tags":["data"]}`, `{"tags":["payments"]}`},
			[]string{"email:data-team@example.com", "https:https://hooks.example.com/x?a=b", "sms:+15551234567"}},
		{"payments|billing/down|FAILED=+15551234567",
			[]string{`{"kind":["down","failed","test"],"tags":["payments","billing"]}`}, []string{"sms:+15551234567"}},
		{"*/down=+15551234567;*=arn:aws:sqs:us-east-1:123456789012:ops",
			[]string{`{"kind":["down","test"]}`, `null`}, []string{"sms:+15551234567", "sqs:arn:aws:sqs:us-east-1:123456789012:ops"}},
		{"data=arn:aws:lambda:us-east-1:123456789012:function:pager;;", []string{`{"tags":["data"]}`},
			[]string{"lambda:arn:aws:lambda:us-east-1:123456789012:function:pager"}},
	} {
		rs, err := ParseRoutes("routes", tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var policies, targets []string
		for _, r := range rs {
			b, _ := json.Marshal(r.FilterPolicy())
			policies = append(policies, string(b))
			for _, x := range r.Targets {
				targets = append(targets, x.Protocol+":"+x.Endpoint)
			}
			if again, err := ParseRoutes("routes", r.String()); err != nil || len(again) != 1 || again[0].String() != r.String() {
				t.Errorf("%q: String %q does not read back: %v", tc.in, r.String(), err)
			}
		}
		if strings.Join(policies, " ") != strings.Join(tc.policies, " ") || strings.Join(targets, " ") != strings.Join(tc.targets, " ") {
			t.Errorf("%q:\n policies %v, want %v\n targets %v, want %v", tc.in, policies, tc.policies, targets, tc.targets)
		}
	}
}

func TestParseRoutesRefusesWithTheFix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"data":                                 "want TAGS[/KINDS]=TARGET",
		"data=":                                "want TAGS[/KINDS]=TARGET",
		"Data=a@example.com":                   `give "data"`,
		"data team=a@example.com":              "a-z 0-9",
		"data/pages=a@example.com":             "want kinds among down, late, up",
		"data=http://hooks.example.com":        "want https://",
		"data=+1555":                           "E.164",
		"data=ops":                             "want an e-mail address, an https:// URL",
		"data=Ops <ops@example.com>":           "want an e-mail address such as",
		"data=arn:aws:sns:us-east-1:1:t":       "an SQS queue",
		"data=a@example.com,":                  "an empty target",
		"data=a@example.com;web=a@example.com": "in two routes (data and web)",
	} {
		_, err := ParseRoutes("routes", in)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "routes") {
			t.Errorf("%q: %v, want an error on routes with %q", in, err, want)
		}
	}
	// Every bad route is reported, not only the first.
	_, err := ParseRoutes("routes", "Data=a@example.com;ok=b@example.com;x=http://y")
	if err == nil || !strings.Contains(err.Error(), `give "data"`) || !strings.Contains(err.Error(), "want https://") {
		t.Errorf("two bad routes: %v", err)
	}
}

func TestDefaultFilterPolicy(t *testing.T) {
	t.Parallel()
	for mode, want := range map[string]string{"": "null", "all": "null",
		"untagged": `{"$or":[{"tags":[{"exists":false}]},{"event":[{"exists":false}]}]}`} {
		p, err := DefaultFilterPolicy("defaultAlerts", mode)
		b, _ := json.Marshal(p)
		if err != nil || string(b) != want {
			t.Errorf("%q: %s, %v; want %s", mode, b, err, want)
		}
	}
	if _, err := DefaultFilterPolicy("defaultAlerts", "tagged"); err == nil || !strings.Contains(err.Error(), "want all") {
		t.Errorf("bad mode: %v", err)
	}
}
