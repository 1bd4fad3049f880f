package memon

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidateTags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tags []string
		want string // "" valid, else a part of the error
	}{
		{nil, ""},
		{[]string{"data", "nightly", "team-a_1.x"}, ""},
		{[]string{strings.Repeat("a", MaxTagLen)}, ""},
		{[]string{strings.Repeat("a", MaxTagLen+1)}, "1 to 40 characters"},
		{[]string{"Data"}, `give "data"`},
		{[]string{"data team"}, "a-z 0-9"},
		{[]string{"data=x"}, "a-z 0-9"},
		{[]string{"a\x1b[31m"}, `\x1b`},
		{[]string{"none"}, "'none' clears"},
		{[]string{"data", "data"}, "given twice"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}, "at most 10 tags"},
	} {
		err := ValidateTags(KeyTag, tc.tags)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.tags, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid)):
			t.Errorf("%q: %v, want an ErrInvalid with %q", tc.tags, err, tc.want)
		case err != nil && strings.ContainsRune(err.Error(), '\x1b'):
			t.Errorf("%q: the error carries the escape raw: %q", tc.tags, err)
		}
	}
}

func TestConfigValidateNamesTheTagField(t *testing.T) {
	t.Parallel()
	c := NewConfig("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	c.Tags = []string{"Bad Tag"}
	var fe *FieldError
	if err := c.Validate(at(1_700_000_000)); !errors.As(err, &fe) || fe.Field != KeyTag {
		t.Fatalf("Validate: %v, want a FieldError on %q", err, KeyTag)
	}
}

func TestParseTagsAndLimitTags(t *testing.T) {
	t.Parallel()
	if got := ParseTags([]string{"data, nightly", "data;ops", "none"}); !slices.Equal(got, []string{"data", "nightly", "ops"}) {
		t.Errorf("ParseTags: %q", got)
	}
	if got := ParseTags([]string{"none"}); got == nil || len(got) != 0 {
		t.Errorf("ParseTags(none) = %#v, want empty, not nil (it clears)", got)
	}
	stored := []string{"Data, nightly", "bad!", "x\ny", "data"}
	for i := range 12 {
		stored = append(stored, "t"+string(rune('a'+i)))
	}
	got := LimitTags(stored)
	if len(got) != MaxTags || got[0] != "data" || got[1] != "nightly" || slices.Contains(got, "bad!") {
		t.Errorf("LimitTags: %q", got)
	}
	if err := ValidateTags(KeyTag, got); err != nil {
		t.Errorf("what LimitTags keeps does not validate: %v", err)
	}
}

func TestTagsText(t *testing.T) {
	t.Parallel()
	if got := TagsText([]string{"data", "a\nb"}); got != `data, a\nb` {
		t.Errorf("TagsText: %q", got)
	}
}

// TestAlertsCarryTheEventsTags: an alert as decided, and as a retry
// renders it again from the stored event (no body kept), carries the
// event's tags; a DOWN digest carries the union of its events'.
func TestAlertsCarryTheEventsTags(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	ev.Tags = []string{"data", "nightly"}
	ev.Apply(success("job", at(1_700_000_000)))
	trs, _ := ev.CheckDue(at(1_700_000_000).Add(2 * time.Hour))
	if len(trs) != 1 || trs[0].Alert == nil || !slices.Equal(trs[0].Alert.Tags, ev.Tags) {
		t.Fatalf("DOWN as decided: %+v", trs)
	}
	stored := trs[0]
	stored.Alert = &Alert{Kind: stored.Alert.Kind, Event: "job"} // as the outbox keeps it
	if a := ev.PendingAlert(stored); !slices.Equal(a.Tags, ev.Tags) || !strings.Contains(a.Body, "Tags:          data, nightly\n") {
		t.Errorf("DOWN as a retry renders it: tags %q\n%s", a.Tags, a.Body)
	}
	d, _ := DownDigest([]HeldDown{{Name: "a", Tags: []string{"ops", "data"}}, {Name: "b"}, {Name: "c", Tags: []string{"data", "web"}}})
	if !slices.Equal(d.Tags, []string{"data", "ops", "web"}) || !strings.Contains(d.Body, "  - a [ops, data]: ") {
		t.Errorf("digest tags %q\n%s", d.Tags, d.Body)
	}
}
