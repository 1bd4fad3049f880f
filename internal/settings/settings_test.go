package settings

import "testing"

func TestDefaultsAreTheStacksNames(t *testing.T) {
	if DefaultTable != "memon" || DefaultHistoryTable != "memon-history" || DefaultQueueName != "memon" || DefaultTopicName != "memon" {
		t.Errorf("defaults drifted from the stack's names: %s %s %s %s", DefaultTable, DefaultHistoryTable, DefaultQueueName, DefaultTopicName)
	}
	if StackName("") != "MEMon" || StackName("memon") != "MEMon" || StackName("memon-staging") != "MEMon-memon-staging" {
		t.Errorf("StackName: %s %s", StackName(""), StackName("memon-staging"))
	}
}

func TestParseStatusPage(t *testing.T) {
	for _, c := range []struct {
		in          string
		on, details bool
		bad         bool
	}{
		{"", false, false, false},
		{"false", false, false, false},
		{"true", true, false, false},
		{"details", true, true, false},
		{"yes", false, false, true},
		{"Details", false, false, true},
	} {
		on, details, err := ParseStatusPage(c.in)
		if on != c.on || details != c.details || (err != nil) != c.bad {
			t.Errorf("ParseStatusPage(%q) = %v, %v, %v; want %v, %v, error %v", c.in, on, details, err, c.on, c.details, c.bad)
		}
	}
}

func TestEventsTableBeside(t *testing.T) {
	none := func(string) string { return "" }
	if got := EventsTableBeside(none, "memon-staging-tokens"); got != "memon-staging" {
		t.Errorf("EventsTableBeside(memon-staging-tokens) = %q, want memon-staging", got)
	}
	set := func(k string) string {
		if k == EnvTable {
			return "adopted"
		}
		return ""
	}
	if got := EventsTableBeside(set, "memon-tokens"); got != "adopted" {
		t.Errorf("with %s set: %q, want adopted", EnvTable, got)
	}
}
