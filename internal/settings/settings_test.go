package settings

import "testing"

func TestFirstPrefersFlagThenEnvironmentThenDefault(t *testing.T) {
	for _, tc := range []struct{ flag, env, def, want string }{
		{"from-flag", "from-env", DefaultTable, "from-flag"},
		{"", "from-env", DefaultTable, "from-env"},
		{"", "", DefaultTable, "memon"},
		{"", "", "", ""},
	} {
		if got := First(tc.flag, tc.env, tc.def); got != tc.want {
			t.Errorf("First(%q, %q, %q) = %q, want %q", tc.flag, tc.env, tc.def, got, tc.want)
		}
	}
	if DefaultHistoryTable != "memon-history" || DefaultQueueName != "memon" || DefaultTopicName != "memon" {
		t.Errorf("defaults drifted from the stack's names: %s %s %s", DefaultHistoryTable, DefaultQueueName, DefaultTopicName)
	}
}
