// Package settings resolves MEMon's resource names from flags, environment
// variables and the stack's defaults, in that order. It is shared by the
// poller and both CLIs so the three always agree.
package settings

import (
	"cmp"
	"errors"
	"os"
	"strings"
)

// Environment variables: contracts that users' scripts depend on.
const (
	EnvQueueURL     = "MEMON_QUEUE_URL"
	EnvTable        = "MEMON_TABLE"
	EnvHistoryTable = "MEMON_HISTORY_TABLE"
	EnvTopicARN     = "MEMON_TOPIC_ARN"
	EnvTokenTable   = "MEMON_TOKEN_TABLE" // ping tokens (httpPings); default: the events table's name + "-tokens"
	EnvPingURL      = "MEMON_PING_URL"    // the ping endpoint's base URL; default: the stack output PingUrl
	EnvStatusURL    = "MEMON_STATUS_URL"  // the public read endpoint's base URL (badges, status page); default: the stack output StatusUrl
	// EnvStatusPage (the read endpoint, stack context statusPage): "true"
	// serves the hosted status page, "details" with job output and reasons.
	EnvStatusPage = "MEMON_STATUS_PAGE"
	// EnvAutoCreatePeriod (poller, stack context autoCreate=DUR): a ping for
	// an unknown event creates a rolling event with this period.
	EnvAutoCreatePeriod = "MEMON_AUTO_CREATE_PERIOD"
	// EnvAutoCreateMax (poller, stack context autoCreateMax=N): how many
	// events pings may create in all (default 50).
	EnvAutoCreateMax = "MEMON_AUTO_CREATE_MAX"
)

// Default resource names: the seed's `memon`, which the CDK stack uses
// unless it is given another prefix.
const (
	DefaultPrefix       = "memon"
	DefaultQueueName    = DefaultPrefix
	DefaultTable        = DefaultPrefix
	DefaultHistoryTable = DefaultPrefix + "-history"
	DefaultTopicName    = DefaultPrefix
	TokenTableSuffix    = "-tokens"
)

// StackName is the CloudFormation stack of a prefix: MEMon for the default
// prefix, MEMon-<prefix> otherwise (the CDK app and doctor agree on it).
func StackName(prefix string) string {
	if prefix == "" || prefix == DefaultPrefix {
		return "MEMon"
	}
	return "MEMon-" + prefix
}

// Lookup is os.Getenv's shape, injected so tests need no process state.
type Lookup func(string) string

// OS reads the process environment.
func OS() Lookup { return os.Getenv }

// PingURLAddr is memon-pingurl's default --addr, and the MEMON_PING_URL
// `make local` writes: a port of its own, never memon-config ui's 8080, so
// both run side by side.
const PingURLAddr = "127.0.0.1:8090"

// StatusPageDetails is the status page mode that shows job output, hosts
// and reasons (stack context statusPage=details, MEMON_STATUS_PAGE).
const StatusPageDetails = "details"

// ParseStatusPage reads a status page mode, the stack context statusPage
// and the read function's EnvStatusPage alike: "" or "false" is off,
// "true" on, "details" on with details.
func ParseStatusPage(v string) (on, details bool, err error) {
	switch v {
	case "", "false":
		return false, false, nil
	case "true":
		return true, false, nil
	case StatusPageDetails:
		return true, true, nil
	}
	return false, false, errors.New("want true, details or false")
}

// EventsTableBeside is the events table of a public endpoint given its
// tokens table: EnvTable, else the tokens table's name without
// TokenTableSuffix, as the stack names them.
func EventsTableBeside(getenv Lookup, tokenTable string) string {
	return cmp.Or(getenv(EnvTable), strings.TrimSuffix(tokenTable, TokenTableSuffix))
}
