// Package schema is MEMon's storage contract: the DynamoDB attribute names
// and the tables' keys and indexes, shared by the DynamoDB adapter
// (internal/dynamo), the CDK stack (infra, pkg/memoncdk), memon-config and
// the moto test helpers. It is internal: another Go program talks to MEMon
// through package memon's types, not through item attributes.
package schema

// The storage contract. Attribute names are the seed's (memon.py) where it had one, so
// its items keep working; the new ones are plain words a person can edit in
// the DynamoDB console. docs/attributes.md documents every attribute.
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
	AttrWatchFrom       = "WatchFrom"       // S first-run|now: when a new event is watched (default first-run)
	AttrDownAlerts      = "DownAlerts"      // N, DOWN alerts sent in the current outage; absent when none
	AttrState           = "State"           // S new|up|down
	AttrAlertAt         = "AlertAt"         // legacy: the old DueIndex's range key; removed by MEMon's next write of the item
	AttrDueAt           = "DueAt"           // legacy: DueShardIndex's range key; removed by MEMon's next write of the item
	AttrDueShard        = "DueShard"        // legacy: DueShardIndex's hash key; removed by MEMon's next write of the item
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
	AttrToday           = "Today"           // M, today's counters (the Count* keys below)
	AttrDownSince       = "DownSince"       // N, when the open downtime began; absent when up or paused
	AttrPausedSince     = "PausedSince"     // N, when the open pause began; absent when enabled
	AttrTokenHash       = "TokenHash"       // S, hex SHA-256 of the event's ping token (never the token); set only by memon-config token
	AttrAutoCreated     = "AutoCreated"     // BOOL, created by its first ping (autoCreate); removed by the first edit

	// The FAILED/UP alert window (flood.go).
	AttrAlertWindowStart = "AlertWindowStart" // N, when the window opened
	AttrAlertsInWindow   = "AlertsInWindow"   // N, FAILED/UP alerts sent in the window
	AttrAlertsHeld       = "AlertsHeld"       // N, FAILED/UP alerts held past the limit in the window

	// Noise controls (noise.go): settings, then what they remember.
	AttrFailuresBeforeAlert = "FailuresBeforeAlert" // N, FAILED after this many failed runs in a row (default 1)
	AttrMaxRuntime          = "MaxRuntime"          // N seconds: a start with no outcome within it is an OVERRUN
	AttrMinRuntime          = "MinRuntime"          // N seconds: a shorter successful run is a failure
	AttrPausedUntil         = "PausedUntil"         // N epoch seconds: a paused event resumes by itself then
	AttrQuiet               = "Quiet"               // L of S, quiet windows "Mon-Fri 22:00-23:30" in the event's zone
	AttrFailStreak          = "FailStreak"          // N, failed runs in a row
	AttrUnannounced         = "Unannounced"         // BOOL, the current outage has had no alert
	AttrHeldKind            = "HeldKind"            // S, the alert a quiet window holds
	AttrHeldUntil           = "HeldUntil"           // N epoch seconds, when that window ends
	AttrRunningSince        = "RunningSince"        // N epoch seconds, the open run's start
	AttrRunningRunID        = "RunningRunId"        // S, its run id
	AttrOverrunAlerted      = "OverrunAlerted"      // BOOL, the open run's OVERRUN was decided
	AttrDependsOn           = "DependsOn"           // L of S, parents: while one is down this event's alerts are held
	AttrDependents          = "Dependents"          // L of S, events that depend on this one (kept by memon-config set)
	AttrRepeatEvery         = "RepeatEvery"         // N seconds: DOWN reminders at this interval, within MaxAlerts
	AttrTags                = "Tags"                // L of S (SS and "a, b" read too), the event's tags: on every alert, for routes
	AttrLastDownAlert       = "LastDownAlert"       // N epoch seconds, when the outage's last DOWN was decided

	// Counters: keys of the item's Today map, and attributes of a daily
	// record in the history table. Zero counts are left out.
	CountDay            = "Day"            // S, UTC day 2006-01-02
	CountRuns           = "Runs"           // N
	CountFailures       = "Failures"       // N
	CountLate           = "Late"           // N
	CountMissed         = "Missed"         // N, missed periods
	CountOverruns       = "Overruns"       // N
	CountDowntime       = "Downtime"       // N seconds down while watched
	CountPaused         = "Paused"         // N seconds paused
	CountDurationSum    = "DurationSum"    // N seconds
	CountDurationRuns   = "DurationRuns"   // N, runs with a known duration
	CountDurationMax    = "DurationMax"    // N seconds
	CountLastFailTime   = "LastFailTime"   // N epoch seconds
	CountLastFailReason = "LastFailReason" // S

	// DueShardIndex is the sparse global secondary index (hash DueShard,
	// range DueAt, keys only) through which the previous release's poll
	// read the events due. No write sets its keys any more (the poller keeps
	// every deadline in memory, so a ping writes no index); it empties as
	// items are rewritten and stays in the stack one release, because
	// CloudFormation changes only one index per table per update and this
	// release removes DueIndex. Nothing reads it.
	DueShardIndex = "DueShardIndex"

	// DueIndex is the index before sharding (hash Type, range AlertAt),
	// empty since the release that added DueShardIndex; this release
	// removes it from the stack.
	DueIndex = "DueIndex"

	// Tokens table (with httpPings): hash TokenHash, attribute Name, so
	// the ping endpoint finds a token's event with one GetItem.
	TokenName = "Name"
	// TokenEventIndex (hash Name, keys only): the tokens naming an event.
	TokenEventIndex = "TokenEventIndex"

	// Stack keys (memon.KeyKind) share the tokens table: a key's item is
	// its hash with Name KeyNamePrefix+kind, which no event name can be
	// (ValidateName refuses '#'), so TokenEventIndex lists a kind's keys
	// and no event operation touches them. A kind of one key per stack also
	// has a slot item, hash KeyNamePrefix+kind, whose KeyCurrent names the
	// one key: every write of the kind is conditioned on it, so there is
	// never a second.
	KeyNamePrefix = "#"
	KeyLabel      = "Label"   // S, the operator's label (api-key)
	KeyCreated    = "Created" // N, Unix seconds
	KeyCurrent    = "Current" // S, the slot's key hash

	// History table: hash Name, range Time (S, fixed-width UTC
	// "2006-01-02T15:04:05.000Z" so string order is time order), TTL ExpiresAt.
	HistName      = "Name"
	HistTime      = "Time"
	HistFrom      = "From"
	HistTo        = "To"
	HistReason    = "Reason"
	HistAlertKind = "Kind"
	HistExpiresAt = "ExpiresAt"

	// HistDayPrefix starts a daily record's range key: "#day 2026-11-24".
	// '#' sorts before every digit, so a query for transitions since a
	// time (Time >= "2026-...") never returns daily records.
	HistDayPrefix = "#day "
)
