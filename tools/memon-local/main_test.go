package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/peerj/memon/internal/mototest"
)

func TestUsageAndMissingEndpoint(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{nil, {"sideways"}, {"alerts"}, {"up", "now"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, env, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage: memon-local up") {
			t.Errorf("%v: exit %d %q", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"alerts", "drain", "url"}, env, &out, &errb); code != 2 || !strings.Contains(errb.String(), "AWS_ENDPOINT_URL is not set") {
		t.Errorf("exit %d %q", code, errb.String())
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/memon": "https://sqs.us-east-1.amazonaws.com/123456789012/memon",
		"a b":  "'a b'",
		"it's": `'it'\''s'`,
		"$(x)": "'$(x)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestShowPrintsOneLinePerFieldWithoutControlCharacters(t *testing.T) {
	var b bytes.Buffer
	show(&b, mototest.Alert{Subject: "[MEMon] Down: x", Kind: "down", Event: "x\x1b[31m", Body: "one\n\ntwo\nthree\nfour"})
	got := b.String()
	if strings.Contains(got, "\x1b") || strings.Count(got, "|") != 3 || !strings.Contains(got, "ALERT  [MEMon] Down: x    [kind=down") {
		t.Errorf("show:\n%s", got)
	}
}
