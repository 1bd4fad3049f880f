// Package configtest holds, for tests only, a memon.Config with every
// setting away from its default and a comparison field by field, both read
// from the type itself (reflection over memon.Config's fields), so a
// setting added to the type fails every round-trip test of a front end
// until that front end carries it.
package configtest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Sample is a configuration with every setting away from the default a new
// event gets (NewConfig), valid at now. Its initial deadline is a whole
// minute in the event's zone, as set and the form take it.
func Sample(t testing.TB, name string, now time.Time) memon.Config {
	t.Helper()
	s, err := memon.NewSchedule(memon.Fixed, 2*time.Hour, "", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := memon.ParseQuiet("quiet", "Mon-Fri 22:00-23:30")
	if err != nil {
		t.Fatal(err)
	}
	weekend, _ := memon.ParseQuiet("quiet", "Sat,Sun 00:00-24:00")
	first := now.In(s.Location()).AddDate(0, 0, 3)
	c := memon.Config{
		Name:                name,
		Description:         "nightly dump, every setting given",
		Enabled:             false,
		Schedule:            s,
		Grace:               7 * time.Minute,
		MaxAlerts:           7,
		FailuresBeforeAlert: 4,
		MaxRuntime:          90 * time.Minute,
		MinRuntime:          45 * time.Second,
		Quiet:               []memon.QuietWindow{quiet, weekend},
		DependsOn:           []string{"parent-a", "parent-b"},
		Tags:                []string{"data", "nightly"},
		RepeatEvery:         3 * time.Hour,
		WatchFrom:           memon.WatchNow,
		Initial:             time.Date(first.Year(), first.Month(), first.Day(), 4, 30, 0, 0, s.Location()),
	}
	if err := c.ValidateNew(now); err != nil {
		t.Fatalf("the sample is invalid: %v", err)
	}
	// Every field of the type must differ from the default, or a front end
	// that drops it would go unseen.
	def := memon.NewConfig(name, memon.Schedule{})
	ct, cv, dv := reflect.TypeOf(c), reflect.ValueOf(c), reflect.ValueOf(def)
	for i := range ct.NumField() {
		if f := ct.Field(i); f.Name != "Name" && same(cv.Field(i), dv.Field(i)) {
			t.Fatalf("configtest.Sample leaves memon.Config.%s at its default: give it a value (and every front end a way to carry it)", f.Name)
		}
	}
	return c
}

// Fields lists memon.Config's fields by name: the settings a front end
// must carry.
func Fields() []string {
	ct := reflect.TypeOf(memon.Config{})
	out := make([]string, ct.NumField())
	for i := range out {
		out[i] = ct.Field(i).Name
	}
	return out
}

// Differences names each field of memon.Config in which got differs from
// want, with both values; skip names fields a front end carries elsewhere
// (say, why in the caller).
func Differences(got, want memon.Config, skip ...string) []string {
	var out []string
	ct, gv, wv := reflect.TypeOf(got), reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range ct.NumField() {
		name := ct.Field(i).Name
		if slices.Contains(skip, name) || same(gv.Field(i), wv.Field(i)) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: got %v, want %v", name, gv.Field(i).Interface(), wv.Field(i).Interface()))
	}
	return out
}

// Check fails t for every field in which got differs from want.
func Check(t testing.TB, front string, got, want memon.Config, skip ...string) {
	t.Helper()
	if d := Differences(got, want, skip...); len(d) > 0 {
		t.Errorf("%s does not carry every setting of memon.Config:\n  %s", front, strings.Join(d, "\n  "))
	}
}

// same compares two values of a field as a person reads them: a schedule
// by what it says, times by instant, an empty list as none.
func same(a, b reflect.Value) bool {
	switch x := a.Interface().(type) {
	case memon.Schedule:
		y := b.Interface().(memon.Schedule)
		return x.Kind == y.Kind && x.Period == y.Period && x.Expr == y.Expr && x.TimeZone == y.TimeZone
	case time.Time:
		return x.Equal(b.Interface().(time.Time))
	}
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
