// Package eventbridgetest emulates, for tests, what EventBridge does with an
// input transformer: MEMon's tests check its compact templates against whole
// AWS events with it, as moto's EventBridge fills templates differently
// (strings unquoted, missing placeholders left as they are). It imports
// nothing of MEMon, so package memon's own tests can use it.
package eventbridgetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Transform does what EventBridge does with an input transformer whose
// template is JSON: each <key> of template becomes the JSON of the value at
// its path (paths: key -> "$.a.b[2]") in event, or missing (AWS: nothing)
// when the event has no such path.
func Transform(template string, paths map[string]string, event []byte, missing string) ([]byte, error) {
	var ev any
	d := json.NewDecoder(bytes.NewReader(event))
	d.UseNumber()
	if err := d.Decode(&ev); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	out := template
	for key, path := range paths {
		val := missing
		if v, ok := jsonPathValue(ev, path); ok {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return nil, err
			}
			val = strings.TrimSuffix(buf.String(), "\n")
		}
		out = strings.ReplaceAll(out, "<"+key+">", val)
	}
	if !json.Valid([]byte(out)) {
		return nil, fmt.Errorf("the filled template is not JSON: %s", out[:min(len(out), 200)])
	}
	return []byte(out), nil
}

// jsonPathValue reads "$.a.b[2].c" (dot notation, array indexes).
func jsonPathValue(v any, path string) (any, bool) {
	p := strings.TrimPrefix(path, "$")
	p = strings.ReplaceAll(strings.ReplaceAll(p, "[", "."), "]", "")
	for _, seg := range strings.Split(strings.TrimPrefix(p, "."), ".") {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[seg]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}
