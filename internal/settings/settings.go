// Package settings resolves MEMon's resource names from flags, environment
// variables and the stack's defaults, in that order. It is shared by the
// poller and both CLIs so the three always agree.
package settings

import "os"

// Environment variables: contracts that users' scripts depend on.
const (
	EnvQueueURL     = "MEMON_QUEUE_URL"
	EnvTable        = "MEMON_TABLE"
	EnvHistoryTable = "MEMON_HISTORY_TABLE"
	EnvTopicARN     = "MEMON_TOPIC_ARN"
)

// Default resource names: the seed's `memon`, which the CDK stack uses
// unless it is given another prefix.
const (
	DefaultPrefix       = "memon"
	DefaultQueueName    = DefaultPrefix
	DefaultTable        = DefaultPrefix
	DefaultHistoryTable = DefaultPrefix + "-history"
	DefaultTopicName    = DefaultPrefix
)

// Lookup is os.Getenv's shape, injected so tests need no process state.
type Lookup func(string) string

// OS reads the process environment.
func OS() Lookup { return os.Getenv }

// First returns the first non-empty value: a flag, then the environment, then
// the default.
func First(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
