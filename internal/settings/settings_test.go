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
