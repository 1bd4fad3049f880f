package memon

// The storage contract shared by the DynamoDB adapter, memon-config and the
// CDK stack. Attribute names are the seed's (memon.py) where it had one, so
// its items keep working; the new ones are plain words a person can edit in
// the DynamoDB console. README.md documents every attribute.
const (
	// Events table: one item per event, hash key Name.
	AttrName            = "Name"            // S, hash key
	AttrDescription     = "Description"     // S
	AttrEnabled         = "Enabled"         // N 0/1 (seed) or BOOL
	AttrErrorCount      = "ErrorCount"      // N, missed periods since the last run
	AttrPeriod          = "Period"          // N seconds (rolling, fixed)
	AttrType            = "Type"            // S rolling|fixed|cron; also the due index's hash key
	AttrLastBlockTime   = "LastBlockTime"   // N epoch seconds
	AttrNextBlockTime   = "NextBlockTime"   // N epoch seconds: the deadline
	AttrLastSuccessTime = "LastSuccessTime" // N epoch seconds (may carry milliseconds)
	AttrCron            = "Cron"            // S five-field cron expression
	AttrTimeZone        = "TimeZone"        // S IANA zone, default UTC
	AttrGrace           = "Grace"           // N seconds after the deadline before DOWN
	AttrMaxAlerts       = "MaxAlerts"       // N, DOWN alerts per outage (default 3)
	AttrState           = "State"           // S new|up|down
	AttrAlertAt         = "AlertAt"         // N epoch seconds: when the poller must look next; absent = nothing to watch
	AttrOutbox          = "Outbox"          // M id -> transition not yet delivered (alert + history)
	AttrVersion         = "Version"         // N, bumped by every write; conditional writes compare it
	AttrLastStartTime   = "LastStartTime"   // N
	AttrLastFailTime    = "LastFailTime"    // N
	AttrLastPingTime    = "LastPingTime"    // N, newest ping of any kind
	AttrLastExitCode    = "LastExitCode"    // N
	AttrLastMessage     = "LastMessage"     // S
	AttrLastRunID       = "LastRunId"       // S
	AttrLastHost        = "LastHost"        // S
	AttrLastDuration    = "LastDuration"    // N seconds
	AttrLastClientTime  = "LastClientTime"  // N, the sender's own clock, display only

	// DueIndex is the sparse global secondary index (hash Type, range
	// AlertAt, keys only) through which a poll reads only the events due.
	DueIndex = "DueIndex"

	// History table: hash Name, range Time (S, fixed-width UTC
	// "2006-01-02T15:04:05.000Z" so string order is time order), TTL ExpiresAt.
	HistName      = "Name"
	HistTime      = "Time"
	HistFrom      = "From"
	HistTo        = "To"
	HistReason    = "Reason"
	HistKind      = "Kind"
	HistExpiresAt = "ExpiresAt"
)

// HistoryTimeLayout formats the history table's range key.
const HistoryTimeLayout = "2006-01-02T15:04:05.000Z"
