//go:build awscalls

package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/peerj/memon/internal/mototest"
)

// TestRecordedCallsAllowedByPolicy judges every AWS call the test suite
// recorded (mototest.EnvCalls: make test runs the suite with it, then this
// test) against the synthesized policy of the principal that made it: a
// call no statement allows fails, and so does an action or resource of a
// statement that no call uses. It is built only with the awscalls tag, so
// that `go test ./...` (which records) never runs it before the recording
// is complete.
func TestRecordedCallsAllowedByPolicy(t *testing.T) {
	dir := os.Getenv(mototest.EnvCalls)
	if dir == "" {
		t.Fatalf("%s is unset: run `make test` (it records the suite's calls, then runs this test)", mototest.EnvCalls)
	}
	calls, err := mototest.ReadCalls(dir)
	if err != nil {
		t.Fatal(err)
	}
	byPrincipal := map[mototest.Principal][]mototest.Call{}
	for _, c := range calls {
		byPrincipal[c.Principal] = append(byPrincipal[c.Principal], c)
	}
	for _, pp := range stackPolicies(t) {
		mine := byPrincipal[pp.Principal]
		var b strings.Builder
		fmt.Fprintf(&b, "%s (%s)\n  statements:\n", pp.Principal, pp.Source)
		for _, s := range pp.Statements {
			fmt.Fprintf(&b, "    %s %s on %s", s.Effect, strings.Join(s.Actions, ", "), strings.Join(s.Resources, ", "))
			for _, k := range s.Conditions {
				fmt.Fprintf(&b, " if %s %s %v", k.Op, k.Key, k.Values)
			}
			fmt.Fprintln(&b)
		}
		for _, m := range pp.Managed {
			fmt.Fprintf(&b, "    managed (AWS, not judged) %s\n", m)
		}
		fmt.Fprintf(&b, "  calls:\n")
		last := ""
		for _, c := range mine {
			if line := c.Action + " " + c.Resource; line != last {
				fmt.Fprintf(&b, "    %s\n", line)
				last = line
			}
		}
		t.Log(b.String())
		if len(mine) == 0 {
			t.Errorf("%s: no call recorded: its tests no longer run under its principal", pp.Principal)
			continue
		}
		for _, c := range mine {
			if ok, _ := pp.allowed(c); !ok {
				t.Errorf("%s: %s on %s (as the test named it: %s) is allowed by no statement of %s", pp.Principal, c.Action, c.Resource, c.Raw, pp.Source)
			}
		}
		for _, u := range pp.unused(mine, runtimeOnly[pp.Principal]) {
			t.Errorf("%s: no recorded call uses %s", pp.Principal, u)
		}
	}
}

// runtimeOnly is, per principal, what its policy grants for the runtime
// rather than for MEMon's code.
var runtimeOnly = map[mototest.Principal]map[string]string{mototest.Poller: lambdaRuntimeOnly, mototest.Ping: lambdaRuntimeOnly,
	mototest.Status: lambdaRuntimeOnly, mototest.StatusDetails: lambdaRuntimeOnly}
