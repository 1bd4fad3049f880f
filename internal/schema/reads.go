package schema

// What the public read function (internal/statusurl: the Lambda behind the
// stack output StatusUrl, and memon-pingurl's reads) asks of the tables:
// the attributes its badges, its status page and its read-only API show,
// and nothing more. The DynamoDB adapter projects each of its reads onto
// these lists (dynamo.NewReader) and the stack's role for the function
// allows exactly them (the dynamodb:Attributes condition), so a job's
// output, host and run id, its alert settings and the reasons of its
// transitions are neither asked for nor readable unless the deployer opts
// in to them (statusPage=details).

// Reads are the attributes one deploy's read function asks for.
type Reads struct {
	// Events are the top-level attributes of an event's item it reads.
	Events []string
	// Today are the keys of the Today map it reads (Today is one of
	// Events): the day's counts, never the day's last failure reason.
	// IAM judges top-level attributes only, so the role allows Today
	// whole; the read asks for these keys.
	Today []string
	// History are the attributes of the history table's items it reads,
	// of a transition and of a daily record.
	History []string
}

// StatusReads are the reads of a deploy: details is statusPage=details,
// whose page shows each job's output, host, run id and exit code, its
// alert settings, pending alerts and next check, and the transitions'
// reasons.
func StatusReads(details bool) Reads {
	r := Reads{
		Events:  append([]string(nil), statusEvents...),
		Today:   append([]string(nil), statusCounts...),
		History: append(append([]string(nil), statusHistory...), statusCounts...),
	}
	if details {
		r.Events = append(r.Events, statusDetailEvents...)
		r.History = append(r.History, HistReason)
	}
	return r
}

// statusEvents: names, statuses and times. The status (memon.StatusOf) and
// the deadline need the schedule, the state and its times; the read-only
// API shows the description, the tags, the grace, the last ping, start and
// duration as healthchecks shows them to a read-only key; the page's
// "Watched" shows a pause's end, and its charts count today (Today, with
// the open downtime and pause up to now: DownSince, PausedSince).
var statusEvents = []string{
	AttrName, AttrEnabled, AttrType, AttrPeriod, AttrCron, AttrTimeZone, AttrGrace,
	AttrDescription, AttrTags,
	AttrState, AttrErrorCount, AttrLastBlockTime, AttrNextBlockTime,
	AttrLastSuccessTime, AttrLastFailTime, AttrLastStartTime, AttrLastPingTime, AttrLastDuration,
	AttrPausedUntil, AttrDownSince, AttrPausedSince, AttrToday,
}

// statusDetailEvents are what statusPage=details shows besides: the last
// run's output, host, run id and exit code; the alert settings; the
// pending alerts (the outbox) and the next check, which the outbox and
// the noise controls' times decide (memon.Event.AlertAt); the version.
var statusDetailEvents = []string{
	AttrLastMessage, AttrLastHost, AttrLastRunID, AttrLastExitCode,
	AttrMaxAlerts, AttrFailuresBeforeAlert, AttrMinRuntime, AttrMaxRuntime, AttrQuiet,
	AttrRepeatEvery, AttrDependsOn,
	AttrOutbox, AttrDownAlerts, AttrUnannounced, AttrLastDownAlert, AttrRunningSince,
	AttrOverrunAlerted, AttrHeldUntil, AttrVersion,
}

// statusHistory: a transition's key, from, to and alert kind (the flips,
// the availability timeline, the transitions table).
var statusHistory = []string{HistName, HistTime, HistFrom, HistTo, HistAlertKind}

// statusCounts are a day's counts (Today's keys, a daily record's
// attributes) without CountLastFailReason, which no page shows.
var statusCounts = []string{
	CountDay, CountRuns, CountFailures, CountLate, CountMissed, CountOverruns, CountDowntime,
	CountPaused, CountDurationSum, CountDurationRuns, CountDurationMax, CountLastFailTime,
}
