package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// fakeTokens records token calls; it issues "tok-N" for events in store.
type fakeTokens struct {
	store *fake.Store
	calls []string
}

func (f *fakeTokens) Issue(_ context.Context, name string, rotate bool) (string, error) {
	f.calls = append(f.calls, fmt.Sprintf("issue %s rotate=%v", name, rotate))
	ev := f.store.Event(name)
	switch {
	case ev == nil:
		return "", memon.ErrNotFound
	case ev.HasToken && !rotate:
		return "", dynamo.ErrTokenExists
	}
	f.store.Edit(name, func(ev *memon.Event) { ev.HasToken = true })
	return fmt.Sprintf("tok-%d", len(f.calls)), nil
}

func (f *fakeTokens) Revoke(_ context.Context, name string) error {
	f.calls = append(f.calls, "revoke "+name)
	f.store.Edit(name, func(ev *memon.Event) { ev.HasToken = false })
	return nil
}

func runTokens(t *testing.T, f *fake.Store, tk *fakeTokens, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		now: func() time.Time { return t0 }, local: time.UTC,
		env:    func(k string) string { return env[k] },
		stdout: &out, stderr: &errb,
		open:   func(context.Context, *globals) (store, error) { return f, nil },
		tokens: func(context.Context, *globals) (tokenStore, error) { return tk, nil },
	}
	code := a.run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func TestTokenPrintsTheURLOnceAndRotates(t *testing.T) {
	f := newFake(event(t, "backup", time.Hour, t0.Add(-time.Minute)))
	tk := &fakeTokens{store: f}
	env := map[string]string{"MEMON_PING_URL": "https://abc.lambda-url.us-east-1.on.aws/"}

	r := runTokens(t, f, tk, env, "token", "backup")
	if r.code != 0 || r.stdout != "https://abc.lambda-url.us-east-1.on.aws/ping/tok-1\n" {
		t.Fatalf("token: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runTokens(t, f, tk, env, "token", "backup")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--rotate") || r.stdout != "" {
		t.Errorf("second token without --rotate: exit %d, %q; want exit 2 naming --rotate and no URL", r.code, r.stderr)
	}
	r = runTokens(t, f, tk, nil, "token", "backup", "--rotate", "--ping-url", "http://127.0.0.1:8080")
	if r.code != 0 || r.stdout != "http://127.0.0.1:8080/ping/tok-3\n" || !strings.Contains(r.stderr, "old URL no longer works") {
		t.Errorf("--rotate: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	if r = runTokens(t, f, tk, env, "token", "nope"); r.code != exitFailure || !strings.Contains(r.stderr, `no event named "nope"`) {
		t.Errorf("unknown event: exit %d, %q", r.code, r.stderr)
	}
	if r = runTokens(t, f, tk, nil, "token", "backup", "--ping-url", "ftp://x"); r.code != exitUsage || !strings.Contains(r.stderr, "--ping-url") {
		t.Errorf("bad --ping-url: exit %d, %q", r.code, r.stderr)
	}
}

func TestShowSaysTokenAndAutoCreatedUntilEdited(t *testing.T) {
	ev := event(t, "found:job", time.Hour, t0.Add(-time.Minute))
	ev.AutoCreated, ev.HasToken = true, true
	f := newFake(ev, event(t, "plain", time.Hour, t0.Add(-time.Minute)))
	tk := &fakeTokens{store: f}

	r := runTokens(t, f, tk, nil, "show", "found:job")
	if r.code != 0 || !strings.Contains(r.stdout, "AUTO-CREATED") || !strings.Contains(r.stdout, "ping token: yes") {
		t.Fatalf("show auto-created event with a token: %q", r.stdout)
	}
	r = runTokens(t, f, tk, nil, "show", "plain")
	if strings.Contains(r.stdout, "AUTO-CREATED") || !strings.Contains(r.stdout, "ping token: none") {
		t.Errorf("show plain event: %q", r.stdout)
	}
	if r = runTokens(t, f, tk, nil, "show", "--json"); !strings.Contains(r.stdout, `"auto_created": true`) || !strings.Contains(r.stdout, `"ping_token": true`) {
		t.Errorf("show --json: %s", r.stdout)
	}
	if r = runTokens(t, f, tk, nil, "set", "found:job", "--description", "nightly"); r.code != 0 {
		t.Fatalf("set: %d %s", r.code, r.stderr)
	}
	if f.Event("found:job").AutoCreated {
		t.Error("an edited event is still marked auto-created")
	}
	if r = runTokens(t, f, tk, nil, "show", "found:job"); strings.Contains(r.stdout, "AUTO-CREATED") {
		t.Errorf("show after set: %q", r.stdout)
	}
}

func TestDeleteRevokesTheTokenFirst(t *testing.T) {
	ev := event(t, "with", time.Hour, t0)
	ev.HasToken = true
	f := newFake(ev, event(t, "without", time.Hour, t0))
	tk := &fakeTokens{store: f}
	if r := runTokens(t, f, tk, nil, "delete", "without"); r.code != 0 || len(tk.calls) != 0 {
		t.Fatalf("delete without token: exit %d, token calls %v", r.code, tk.calls)
	}
	if r := runTokens(t, f, tk, nil, "delete", "with"); r.code != 0 || fmt.Sprint(tk.calls) != "[revoke with]" || f.Event("with") != nil {
		t.Fatalf("delete with token: exit %d, token calls %v, event %v", r.code, tk.calls, f.Event("with"))
	}
}
