package memon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The queue takes messages of at most 16 KiB, but an AWS job event can be
// far larger: a Step Functions event carries the execution's input and
// output (up to 256 KB), Batch and ECS events the whole job or task with
// its environment. So each rule's target sends a compact copy instead,
// built by EventBridge's input transformer from AWSSource.Compact: the same
// envelope and field names, holding only the fields the decoder reads.
//
// EventBridge fills an input template by text: a placeholder in a JSON value
// position becomes the JSON of the value at its path, and a path that the
// event does not have leaves nothing (AWS documents "that variable isn't
// created"). `{"a": <a>}` would then not be JSON, so every placeholder is
// wrapped in an array, `{"a": [<a>]}`: a missing field gives [] (or [null]),
// a present one [value]. ExpandCompactAWSEvent unwraps them again.
//
// Arrays (Batch attempts, containers, CodeBuild phases) are read by index
// up to a fixed count, since a placeholder holds one value and EventBridge
// allows 100 paths per target. Free text that can exceed the queue's bound
// is left out: a Step Functions cause (up to 32,768 characters; the message
// names the execution whose history holds it).

// compactMarker tags a compact event; its value is the format's version.
const compactMarker = "memon-compact"

// compactFields lists, per source, the paths (below the envelope) the
// compact event carries. "[n]" repeats a segment for indexes 0..n-1.
var compactFields = map[string][]string{
	"batch": {
		"detail.jobName", "detail.jobId", "detail.status", "detail.statusReason",
		"detail.startedAt", "detail.stoppedAt", "detail.container.exitCode", "detail.container.reason",
		"detail.arrayProperties.index",
		"detail.attempts[10].container.exitCode", "detail.attempts[10].container.reason",
		"detail.attempts[10].startedAt", "detail.attempts[10].stoppedAt",
		"detail.ecsProperties.taskProperties[1].containers[5].name",
		"detail.ecsProperties.taskProperties[1].containers[5].exitCode",
		"detail.ecsProperties.taskProperties[1].containers[5].reason",
		"detail.ecsProperties.taskProperties[1].containers[5].essential",
		"detail.eksProperties.podProperties.containers[5].name",
		"detail.eksProperties.podProperties.containers[5].exitCode",
		"detail.eksProperties.podProperties.containers[5].reason",
	},
	"states": {
		"detail.executionArn", "detail.stateMachineArn", "detail.name", "detail.status",
		"detail.startDate", "detail.stopDate", "detail.error",
	},
	"backup": {
		"detail.backupJobId", "detail.state", "detail.status", "detail.resourceArn", "detail.resourceType",
		"detail.creationDate", "detail.completionDate", "detail.statusMessage",
	},
	"glue": {"detail.jobName", "detail.jobRunId", "detail.state", "detail.message"},
	"codebuild": {
		"detail.build-status", "detail.project-name", "detail.build-id",
		"detail.additional-information.build-start-time",
		"detail.additional-information.phases[11].phase-type",
		"detail.additional-information.phases[11].phase-status",
		"detail.additional-information.phases[11].start-time",
		"detail.additional-information.phases[11].end-time",
		"detail.additional-information.phases[11].phase-context[1]",
	},
	"ecs": {
		"detail.taskArn", "detail.taskDefinitionArn", "detail.lastStatus", "detail.stopCode",
		"detail.stoppedReason", "detail.startedAt", "detail.stoppedAt",
		"detail.containers[10].name", "detail.containers[10].exitCode", "detail.containers[3].reason",
	},
}

// CompactInput is an EventBridge target's input transformer.
type CompactInput struct {
	PathsMap map[string]string // placeholder -> JSON path in the event
	Template string            // the compact event, with [<placeholder>] values
}

var repeatSegment = regexp.MustCompile(`^(.*)\[(\d+)\]$`)

// expandPaths turns "a[2].b" into "a[0].b", "a[1].b" (as dotted paths with
// numeric segments: "a.0.b").
func expandPaths(p string) [][]string {
	out := [][]string{nil}
	for _, seg := range strings.Split(p, ".") {
		m := repeatSegment.FindStringSubmatch(seg)
		if m == nil {
			for i := range out {
				out[i] = append(append([]string(nil), out[i]...), seg)
			}
			continue
		}
		n, _ := strconv.Atoi(m[2])
		var next [][]string
		for _, o := range out {
			for i := 0; i < n; i++ {
				next = append(next, append(append([]string(nil), o...), m[1], strconv.Itoa(i)))
			}
		}
		out = next
	}
	return out
}

// Compact is the input transformer that makes this source's compact event.
func (s AWSSource) Compact() CompactInput {
	paths := [][]string{{"id"}, {"time"}}
	for _, f := range compactFields[s.Key] {
		paths = append(paths, expandPaths(f)...)
	}
	tree := map[string]any{compactMarker: 1, "source": s.Source, "detail-type": s.DetailType}
	in := CompactInput{PathsMap: map[string]string{}}
	for i, p := range paths {
		key := "v" + strconv.Itoa(i)
		var jp strings.Builder
		jp.WriteString("$")
		for _, seg := range p {
			if _, err := strconv.Atoi(seg); err == nil {
				jp.WriteString("[" + seg + "]")
			} else {
				jp.WriteString("." + seg)
			}
		}
		in.PathsMap[key] = jp.String()
		setPath(tree, p, placeholder(key))
	}
	in.Template = renderTemplate(tree)
	return in
}

// placeholder is a template leaf: rendered as [<key>].
type placeholder string

// setPath puts v at p in tree; numeric segments make arrays, kept as maps
// keyed by index until rendering.
func setPath(tree map[string]any, p []string, v any) {
	for _, seg := range p[:len(p)-1] {
		next, ok := tree[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			tree[seg] = next
		}
		tree = next
	}
	tree[p[len(p)-1]] = v
}

// renderTemplate writes the tree as the JSON template: objects with sorted
// keys, index-keyed objects as arrays, placeholders as [<key>].
func renderTemplate(v any) string {
	switch v := v.(type) {
	case placeholder:
		return "[<" + string(v) + ">]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		if _, err := strconv.Atoi(keys[0]); err == nil {
			sort.Slice(keys, func(i, j int) bool { a, _ := strconv.Atoi(keys[i]); b, _ := strconv.Atoi(keys[j]); return a < b })
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = renderTemplate(v[k])
			}
			return "[" + strings.Join(parts, ",") + "]"
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			kb, _ := json.Marshal(k)
			parts[i] = string(kb) + ":" + renderTemplate(v[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// isCompact reports whether body is a compact event (cheap test).
func isCompact(body []byte) bool {
	return bytes.Contains(body, []byte(`"`+compactMarker+`"`))
}

// ExpandCompactAWSEvent turns a compact event back into the shape AWS
// sends: wrapped values unwrapped, missing ones and empty array elements
// left out, so the service decoders read both alike.
func ExpandCompactAWSEvent(body []byte) ([]byte, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, invalid("body", truncate(string(body), 60), "want a compact EventBridge event (JSON)")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("body", truncate(string(body), 60), "want a compact EventBridge event (a JSON object)")
	}
	delete(obj, compactMarker)
	out, _ := unwrapCompact(obj)
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("re-encode compact event: %w", err)
	}
	return b, nil
}

// unwrapCompact undoes the template's wrapping: a template array of
// objects is a repeated structure, any other array a wrapped value.
// It reports false for what is absent.
func unwrapCompact(v any) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if u, ok := unwrapCompact(e); ok {
				v[k] = u
			} else {
				delete(v, k)
			}
		}
		return v, len(v) > 0
	case []any:
		structural := len(v) > 0
		for _, e := range v {
			if _, isObj := e.(map[string]any); !isObj {
				structural = false
			}
		}
		if !structural {
			if len(v) == 0 || v[0] == nil {
				return nil, false
			}
			return v[0], true
		}
		var kept []any
		for _, e := range v {
			if u, ok := unwrapCompact(e); ok {
				kept = append(kept, u)
			}
		}
		return kept, len(kept) > 0
	default:
		return v, true
	}
}
