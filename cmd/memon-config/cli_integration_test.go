package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/flagtest"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
)

// boolFlags lists each command's own boolean flags, read from the flag set
// the command defines (not a hand-kept list).
func boolFlags(c *command) []string {
	if c.flags == nil {
		return nil
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	return flagtest.BoolFlags(fs)
}

// Digits, request ids, ping tokens, stack keys (alone on a line or in a
// badge or status-page URL), their hashes and the tables' names vary between
// two otherwise equal runs.
var (
	digits   = regexp.MustCompile(`[0-9]+`)
	random   = regexp.MustCompile(`(RequestID: |/ping/|/badge/|/status/|TokenHash=)[A-Za-z0-9_-]+`)
	keyAlone = regexp.MustCompile(`(?m)^[A-Za-z0-9_-]{32}$`)
)

func (m *moto) normalize(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, m.history, "HISTORY"), m.table, "TABLE")
	s = keyAlone.ReplaceAllString(random.ReplaceAllString(s, "${1}X"), "KEY")
	return digits.ReplaceAllString(s, "#")
}

// outcome is what one run did: its exit status and output, and the events
// table after it, with times and table names normalized.
type outcome struct {
	code           int
	stdout, stderr string
	items          string
	opened         bool // ui: a browser was started
}

// TestEveryBoolFlagFalseIsTheFlagLeftOut: for every boolean flag of every
// memon-config command, `--flag=false` through the built binary does what
// leaving the flag out does, on identical tables: same exit status, same
// output, same items (`apply --prune=false --yes=false` deletes nothing;
// `ui --open=false` opens no browser).
func TestEveryBoolFlagFalseIsTheFlagLeftOut(t *testing.T) {
	t.Parallel()
	mototest.Need(t, srv)
	// A fake browser opener on PATH records that it was started.
	fakeBin := t.TempDir()
	for _, name := range []string{"xdg-open", "open"} {
		script := "#!/bin/sh\ntouch \"$MEMON_TEST_OPENED\"\n"
		if err := os.WriteFile(filepath.Join(fakeBin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	checks := filepath.Join(t.TempDir(), "checks.yaml")
	if err := os.WriteFile(checks, []byte("events:\n  - name: job\n    period: 2h\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// base is each command's invocation without the flag; a command with a
	// boolean flag and no base fails the test.
	base := map[string][]string{
		"set":         {"set", "job", "--period", "3h"},
		"show":        {"show"},
		"html":        {"html"},
		"export":      {"export"},
		"apply":       {"apply", "-f", checks},
		"report":      {"report"},
		"token":       {"token", "job", "--ping-url", "http://127.0.0.1:9"},
		"api-key":     {"api-key", "create"},
		"ping-key":    {"ping-key"},
		"badges":      {"badges", "--status-url", "http://127.0.0.1:9"},
		"status-page": {"status-page", "--status-url", "http://127.0.0.1:9"},
		"ui":          {"ui", "--addr", "127.0.0.1:0"},
	}
	seen := 0
	for _, c := range commands() {
		for _, f := range boolFlags(c) {
			args, ok := base[c.name]
			if !ok {
				t.Errorf("%s has the boolean flag --%s and no base invocation in this test", c.name, f)
				continue
			}
			seen++
			t.Run(c.name+"/"+f, func(t *testing.T) {
				t.Parallel()
				run := func(label string, extra ...string) (o outcome) {
					t.Run(label, func(t *testing.T) { o = runOnce(t, c.name, args, extra, fakeBin) })
					return o
				}
				left, off := run("left-out"), run("false", "--"+f+"=false")
				if off != left {
					t.Errorf("memon-config %s --%s=false differs from the flag left out:\n--%s=false: %+v\nleft out:   %+v", c.name, f, f, off, left)
				}
				if c.name == "ui" && f == "open" {
					if on := run("true", "--open"); !on.opened {
						t.Error("ui --open started no browser: the fake opener is not reached, so this test proves nothing")
					}
				}
			})
		}
	}
	if seen < 8 {
		t.Fatalf("found only %d boolean flags", seen)
	}
}

// runOnce runs memon-config cmd with args and extra on fresh tables holding
// two events, and returns what it did.
func runOnce(t *testing.T, cmd string, args, extra []string, fakeBin string) outcome {
	m := newMoto(t)
	m.ok("set", "job", "--period", "1h", "--description", "kept")
	m.ok("set", "extra", "--cron", "0 3 * * *") // not in the checks file: only --prune deletes it
	tokens := m.table + "-tokens"
	if err := srv.CreateTokenTable(context.Background(), tokens); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "opened")
	m.extraEnv = []string{"PATH=" + fakeBin + string(os.PathListSeparator) + os.Getenv("PATH"), "MEMON_TEST_OPENED=" + marker,
		settings.EnvTokenTable + "=" + tokens}
	var o outcome
	all := append(append([]string(nil), args...), extra...)
	if cmd == "ui" {
		o.stdout = m.firstLine(all...)
	} else {
		var out, errs string
		o.code, out, errs = m.run(all...)
		o.stdout, o.stderr = m.normalize(out), m.normalize(errs)
	}
	o.stdout = m.normalize(o.stdout)
	o.items = m.normalize(itemsText(m.items()))
	_, err := os.Stat(marker)
	o.opened = err == nil
	return o
}

// firstLine starts a long-running memon-config (ui), returns its first
// line of output, waits a moment for what it does next (open a browser)
// and stops it.
func (m *moto) firstLine(args ...string) string {
	m.t.Helper()
	cmd := exec.Command(m.bin, args...)
	cmd.Env = append(srv.Env(), settings.EnvTable+"="+m.table, settings.EnvHistoryTable+"="+m.history)
	cmd.Env = append(cmd.Env, m.extraEnv...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		m.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		m.t.Fatalf("memon-config %s: %v (output %q)", strings.Join(args, " "), err, line)
	}
	time.Sleep(500 * time.Millisecond) // a browser is started right after the line
	return line
}

// itemsText is the events table as text: each item's attributes sorted, by
// value (strings, numbers, booleans, lists and maps).
func itemsText(items []map[string]types.AttributeValue) string {
	var b strings.Builder
	for _, it := range items {
		keys := make([]string, 0, len(it))
		for k := range it {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s ", k, valueText(it[k]))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func valueText(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprint(v.Value)
	case *types.AttributeValueMemberL:
		var parts []string
		for _, e := range v.Value {
			parts = append(parts, valueText(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *types.AttributeValueMemberM:
		return "{" + itemsText([]map[string]types.AttributeValue{v.Value}) + "}"
	}
	return fmt.Sprintf("%T", v)
}
