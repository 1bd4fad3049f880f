package web

import (
	"errors"
	"net/url"
	"strings"

	"github.com/peerj/memon/pkg/memon"
)

// fieldKeys are the form's fields, named as memon-config set's flags: the
// name and every setting of memon.Config but enabled, which the event page's
// pause and resume buttons change.
func fieldKeys() []string {
	keys := []string{"name"}
	for _, k := range memon.SettingKeys() {
		if k != memon.KeyEnabled {
			keys = append(keys, k)
		}
	}
	return keys
}

// form is the create or edit form with the values shown and the CLI's
// errors placed next to the fields they name.
type form struct {
	New    bool
	Name   string
	Values map[string]string
	Errors map[string]string
	Error  string // an error that names no field
}

// fieldView is one input as the "field" template draws it.
type fieldView struct {
	Key, Label, Type, Hint, Value, Error string
}

func (f *form) Field(key, label, typ, hint string) fieldView {
	return fieldView{Key: key, Label: label, Type: typ, Hint: hint, Value: f.Values[key], Error: f.Errors[key]}
}

// currentValues are an event's settings as the form shows them: the text
// `memon-config set` would take for each (memon.Config's Settings; a list's
// items joined with "; ", set's own separator for the repeated flag).
func currentValues(ev *memon.Event) map[string]string {
	v := map[string]string{"name": ev.Name}
	c := ev.Configured()
	for _, st := range c.Settings() {
		if st.Key != memon.KeyEnabled {
			v[st.Key] = st.Value
		}
	}
	return v
}

// quietText is the quiet windows as the form shows them.
func quietText(ws []memon.QuietWindow) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, w.String())
	}
	return strings.Join(parts, "; ")
}

// submitted reads the posted form: the fields it has (a field left out, by
// a page older than a new setting, changes nothing).
func submitted(pf url.Values) map[string]string {
	v := map[string]string{}
	for _, k := range fieldKeys() {
		if pf.Has(k) {
			v[k] = pf.Get(k)
		}
	}
	return v
}

// changes is what `memon-config set` is given: for a new event every field
// filled in, for an existing one the fields that differ from cur. The
// schedule's inputs count only for the kind chosen: a cron schedule takes
// no period and a period schedule no cron expression.
func changes(sub, cur map[string]string, isNew bool) map[string]string {
	out := map[string]string{}
	kind := sub["type"]
	for _, k := range fieldKeys() {
		if k == "name" {
			continue
		}
		if (k == "period" && kind == string(memon.Cron)) || (k == "cron" && kind != string(memon.Cron)) {
			continue
		}
		v, posted := sub[k]
		if !posted {
			continue
		}
		if isNew {
			if strings.TrimSpace(v) != "" && !(k == "type" && v == string(memon.Rolling)) {
				out[k] = v
			}
			continue
		}
		if v != cur[k] {
			if (k == memon.KeyQuiet || k == memon.KeyDependsOn || k == memon.KeyTag) && strings.TrimSpace(v) == "" {
				v = "none" // an emptied list clears it, as --quiet none does
			}
			out[k] = v
		}
	}
	if !isNew && kind != cur["type"] {
		// A new kind takes the schedule as shown, changed or not.
		out["type"] = kind
		if kind == string(memon.Cron) {
			out["cron"] = sub["cron"]
			delete(out, "type") // --cron implies it
		} else if strings.TrimSpace(sub["period"]) != "" {
			out["period"] = sub["period"]
		}
	}
	return out
}

// placeErrors puts each of the CLI's errors next to the field it names
// (its FieldError's flag, or the first flag the message mentions); the
// others go above the form.
func placeErrors(err error) (map[string]string, string) {
	byField := map[string]string{}
	var rest []string
	for _, e := range flatten(err) {
		msg := e.Error()
		key := ""
		var fe *memon.FieldError
		if errors.As(e, &fe) {
			key = fieldOf(fe.Field)
		}
		if key == "" {
			key = firstFlag(msg)
		}
		if key == "" {
			rest = append(rest, msg)
			continue
		}
		if byField[key] != "" {
			byField[key] += "\n"
		}
		byField[key] += msg
	}
	return byField, strings.Join(rest, "\n")
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// fieldOf maps a flag ("--max-alerts", "EVENT", "name") to its form field.
func fieldOf(flag string) string {
	f := strings.TrimPrefix(flag, "--")
	if f == "EVENT" {
		return "name"
	}
	for _, k := range fieldKeys() {
		if k == f {
			return k
		}
	}
	return ""
}

func firstFlag(msg string) string {
	best, at := "", -1
	for _, k := range fieldKeys() {
		i := strings.Index(msg, "--"+k)
		if i >= 0 && (at < 0 || i < at) {
			// "--initial-date" must not read as "--initial": keys are whole flags.
			end := i + 2 + len(k)
			if end < len(msg) && (msg[end] == '-' || isLetter(msg[end])) {
				continue
			}
			best, at = k, i
		}
	}
	return best
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
