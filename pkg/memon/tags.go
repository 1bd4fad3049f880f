package memon

import (
	"fmt"
	"slices"
	"strings"
)

// Tags group events for people and route their alerts: every alert carries
// its event's tags (the SNS message attribute `tags`), and a deploy-time
// route subscribes a team to the alerts of its tags. A tag is a word of a
// filter policy and of a route as a person types it (`data=ops@…;…`), so
// the rule is narrow: lower case, no separators, no control characters.

// The limits of an event's tags.
const (
	MaxTags   = 10 // SNS filters on at most 5 attributes; 10 values in one is cheap
	MaxTagLen = 40
)

// TagNone is what set, a file and the form take to clear the tags.
const TagNone = "none"

const tagRule = "want 1 to 40 characters from a-z 0-9 and - _ . (lower case, so a route's tag matches exactly)"

// ValidTag reports whether t follows the tag rule.
func ValidTag(t string) bool {
	if t == "" || len(t) > MaxTagLen || t == TagNone {
		return false
	}
	for _, r := range t {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// CheckTag refuses a tag that breaks the rule, naming field and the fix.
func CheckTag(field, t string) error {
	if ValidTag(t) {
		return nil
	}
	want := tagRule
	if t == TagNone {
		want = "'none' clears the tags and cannot be one"
	} else if lower := strings.ToLower(t); lower != t && ValidTag(lower) {
		want = fmt.Sprintf("tags are lower case, so a route's tag matches exactly: give %q", lower)
	}
	return invalid(field, SingleLine(truncate(t, 2*MaxTagLen)), want)
}

// ValidateTags checks an event's tags: each by the rule, no duplicates,
// at most MaxTags.
func ValidateTags(field string, tags []string) error {
	if len(tags) > MaxTags {
		return invalid(field, SingleLine(truncate(strings.Join(tags, ","), 200)), fmt.Sprintf("want at most %d tags", MaxTags))
	}
	for i, t := range tags {
		if err := CheckTag(field, t); err != nil {
			return err
		}
		if slices.Contains(tags[:i], t) {
			return invalid(field, t, "given twice")
		}
	}
	return nil
}

// ParseTags reads tags as people give them: each value may hold several
// separated by commas or spaces; "none" clears (the result is empty, not
// nil). Duplicates are dropped; the rule is ValidateTags'.
func ParseTags(values []string) []string {
	out := []string{}
	for _, v := range values {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if t == TagNone || strings.EqualFold(t, TagNone) {
				continue
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// LimitTags reads stored tags forgivingly (an item edited in the console):
// lower-cased, split at commas and spaces, the ones that break the rule and
// those past MaxTags dropped, so they cannot grow alerts or break a filter.
func LimitTags(stored []string) []string {
	var out []string
	for _, t := range ParseTags(stored) {
		if t = strings.ToLower(t); ValidTag(t) && !slices.Contains(out, t) && len(out) < MaxTags {
			out = append(out, t)
		}
	}
	return out
}

// HasTag reports whether the event's configuration carries tag t.
func (c *Config) HasTag(t string) bool { return slices.Contains(c.Tags, t) }

// TagsText is the tags as alerts and pages write them: "data, nightly".
func TagsText(tags []string) string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = SingleLine(truncate(t, MaxTagLen))
	}
	return strings.Join(out, ", ")
}
