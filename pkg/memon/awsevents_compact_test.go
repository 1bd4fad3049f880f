package memon

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/eventbridgetest"
)

// sourceOf finds the AWS source whose rule delivers an example event.
func sourceOf(t *testing.T, body []byte) (AWSSource, bool) {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	for _, s := range AWSSources() {
		if s.Source == env.Source && s.DetailType == env.DetailType {
			return s, true
		}
	}
	return AWSSource{}, false
}

// TestCompactAWSEventDecodesLikeTheWholeEvent applies each source's input
// transformer to every example event, as EventBridge fills a template (a
// missing path giving nothing, or null), and checks the compact event
// decodes to the same ping as the whole one. The one difference: a failed
// Step Functions execution's cause is not carried, and the message names
// the execution instead.
func TestCompactAWSEventDecodesLikeTheWholeEvent(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "awsevents", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	sent := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src, ok := sourceOf(t, body)
		if !ok {
			continue // no rule matches its detail-type: never delivered
		}
		for _, missing := range []string{"", "null"} {
			compact, err := eventbridgetest.Transform(src.Compact().Template, src.Compact().PathsMap, body, missing)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			whole, werr := DecodeBody(body, sent)
			got, gerr := DecodeBody(compact, sent)
			if (werr == nil) != (gerr == nil) || errors.Is(werr, ErrAWSIgnored) != errors.Is(gerr, ErrAWSIgnored) {
				t.Errorf("%s (missing=%q): whole event gives %v, compact %v\n%s", f, missing, werr, gerr, compact)
				continue
			}
			if werr != nil {
				// Both name the same field (a detail that is not an object
				// reads as no detail once compacted).
				if field := func(e error) string { return strings.Fields(e.Error())[0] }; field(werr) != field(gerr) {
					t.Errorf("%s: errors differ: whole %q, compact %q", f, werr, gerr)
				}
				continue
			}
			if src.Key == "states" && whole.Signal == Fail {
				var d struct {
					Detail struct{ ExecutionArn, Error string }
				}
				_ = json.Unmarshal(body, &d)
				if !strings.HasPrefix(got.Message, d.Detail.Error) || !strings.Contains(got.Message, d.Detail.ExecutionArn) {
					t.Errorf("%s: compact message %q: want the error, then the execution %s", f, got.Message, d.Detail.ExecutionArn)
				}
				got.Message = whole.Message
			}
			if !reflect.DeepEqual(whole, got) {
				t.Errorf("%s (missing=%q):\nwhole   %+v\ncompact %+v\n%s", f, missing, whole, got, compact)
			}
		}
	}
}

// TestCompactTransformerLimits: what EventBridge accepts for a target's
// input transformer (at most 100 paths, a template of at most 8,192
// characters), for every source.
func TestCompactTransformerLimits(t *testing.T) {
	t.Parallel()
	for _, s := range AWSSources() {
		in := s.Compact()
		if n := len(in.PathsMap); n > 100 {
			t.Errorf("%s: %d paths, EventBridge allows 100", s.Key, n)
		}
		if n := len(in.Template); n > 8192 {
			t.Errorf("%s: template of %d characters, EventBridge allows 8192", s.Key, n)
		}
		if !strings.Contains(in.Template, `"source":"`+s.Source+`"`) || !strings.Contains(in.Template, `"detail-type":"`+s.DetailType+`"`) {
			t.Errorf("%s template lacks its source or detail-type: %s", s.Key, in.Template)
		}
	}
}

// fieldMax is the longest value (in JSON bytes) AWS documents, or MEMon
// assumes where AWS documents none, for the fields compact events carry.
func fieldMax(path string) int {
	last := path[strings.LastIndexAny(path, ".]")+1:]
	switch {
	case strings.HasSuffix(last, "Arn"), last == "build-id":
		return 1024 // ARNs: their names are at most 255 characters
	case last == "statusReason", last == "statusMessage", last == "message", last == "stoppedReason",
		last == "phase-context", strings.HasPrefix(path, "$.detail.additional-information.phases") && strings.Contains(path, "phase-context"):
		return 1024 // free text AWS leaves unbounded: assumed (docs/aws-job-events.md)
	case last == "reason" && strings.HasPrefix(path, "$.detail.containers"):
		return 1024 // an ECS container's reason
	case last == "reason":
		return 255 // a Batch container's reason
	case strings.HasSuffix(last, "At"), strings.HasSuffix(last, "Date"), strings.HasSuffix(last, "time"),
		last == "exitCode", last == "index", last == "essential", last == "status", last == "state",
		last == "lastStatus", last == "build-status", last == "phase-status", last == "phase-type", last == "stopCode":
		return 40 // times (epoch ms, RFC 3339, CodeBuild's), numbers, flags, state words
	case last == "error":
		return 256 // Step Functions
	default:
		return 255 // names, ids, states, times, numbers
	}
}

// TestCompactAWSEventFitsTheQueue builds, per source, an event with every
// carried field at its longest and huge fields the compact event leaves
// out (a 256 KB input and output, a large environment, a 32 KB cause), and
// checks the compact event stays under the queue's 16 KiB.
func TestCompactAWSEventFitsTheQueue(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 250_000)
	for _, s := range AWSSources() {
		in := s.Compact()
		ev := map[string]any{"id": strings.Repeat("i", 36), "time": "2026-03-02T08:00:00Z",
			"source": s.Source, "detail-type": s.DetailType,
			"detail": map[string]any{"input": huge, "output": huge, "cause": huge[:32768],
				"container": map[string]any{"environment": []any{map[string]any{"name": "BIG", "value": huge}}},
				"overrides": map[string]any{"containerOverrides": []any{map[string]any{"environment": huge}}}}}
		for _, path := range in.PathsMap {
			setJSONPath(ev, path, strings.Repeat("r", fieldMax(path)-2))
		}
		body, _ := json.Marshal(ev)
		compact, err := eventbridgetest.Transform(in.Template, in.PathsMap, body, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: a %d-byte event compacts to %d bytes", s.Key, len(body), len(compact))
		if len(compact) >= 16*1024 {
			t.Errorf("%s: the compact event is %d bytes, over the queue's 16 KiB", s.Key, len(compact))
		}
	}
}

// setJSONPath sets "$.a.b[2].c" in ev, making objects and arrays on the way.
func setJSONPath(ev map[string]any, path string, val any) {
	segs := strings.Split(strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(path, "$."), "[", ".["), "]", ""), ".")
	var holder any = ev // the object or array that holds segs[i]
	for i, seg := range segs {
		get := func() any {
			if c, ok := holder.(map[string]any); ok {
				return c[seg]
			}
			return holder.([]any)[atoi(seg[1:])]
		}
		set := func(v any) {
			if c, ok := holder.(map[string]any); ok {
				c[seg] = v
			} else {
				holder.([]any)[atoi(seg[1:])] = v
			}
		}
		if i == len(segs)-1 {
			set(val)
			return
		}
		next := get()
		if idx := segs[i+1]; strings.HasPrefix(idx, "[") {
			arr, _ := next.([]any)
			for len(arr) <= atoi(idx[1:]) {
				arr = append(arr, nil)
			}
			next = arr
		} else if next == nil {
			next = map[string]any{}
		}
		set(next)
		holder = next
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
