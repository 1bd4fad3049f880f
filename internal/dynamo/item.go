package dynamo

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Item is a raw DynamoDB item.
type Item = map[string]types.AttributeValue

// reader reads attributes forgivingly: items written by memon.py, or edited
// by hand in the console, may hold numbers as strings, Enabled as a boolean,
// or miss attributes altogether. It keeps the first error it meets.
type reader struct {
	item Item
	err  error
}

func (r *reader) fail(attr, value, want string) {
	if r.err == nil {
		r.err = &memon.FieldError{Field: attr, Value: value, Want: want}
	}
}

func (r *reader) str(attr string) string {
	switch v := r.item[attr].(type) {
	case nil:
		return ""
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	default:
		r.fail(attr, fmt.Sprintf("%T", v), "want a string")
		return ""
	}
}

// num returns a number and whether the attribute was present.
func (r *reader) num(attr string) (float64, bool) {
	var s string
	switch v := r.item[attr].(type) {
	case nil:
		return 0, false
	case *types.AttributeValueMemberN:
		s = v.Value
	case *types.AttributeValueMemberS:
		s = strings.TrimSpace(v.Value)
		if s == "" {
			return 0, false
		}
	case *types.AttributeValueMemberBOOL:
		if v.Value {
			return 1, true
		}
		return 0, true
	case *types.AttributeValueMemberNULL:
		return 0, false
	default:
		r.fail(attr, fmt.Sprintf("%T", v), "want a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail(attr, s, "want a number")
		return 0, false
	}
	return f, true
}

func (r *reader) integer(attr string) int64 {
	f, _ := r.num(attr)
	return int64(f)
}

func (r *reader) seconds(attr string) time.Duration {
	f, _ := r.num(attr)
	return time.Duration(math.Round(f)) * time.Second
}

// time reads epoch seconds (memon.py's form, optionally with a fraction) or,
// from a console edit, an RFC 3339 string.
func (r *reader) time(attr string) time.Time {
	if v, ok := r.item[attr].(*types.AttributeValueMemberS); ok {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v.Value)); err == nil {
			return t.UTC()
		}
	}
	f, ok := r.num(attr)
	if !ok || f == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC()
}

func (r *reader) boolean(attr string, def bool) bool {
	switch v := r.item[attr].(type) {
	case nil:
		return def
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberS:
		switch strings.ToLower(strings.TrimSpace(v.Value)) {
		case "1", "true", "yes", "on":
			return true
		case "0", "false", "no", "off":
			return false
		}
		r.fail(attr, v.Value, "want 1 or 0 (or true/false)")
		return def
	default:
		f, _ := r.num(attr)
		return f != 0
	}
}

// decodeEvent turns an item into an event. An unusable item (no schedule, an
// unknown type, a bad cron or zone) returns a FieldError naming the
// attribute: the poller reports it as a CONFIG alert.
func decodeEvent(item Item) (*memon.Event, error) {
	r := &reader{item: item}
	name := r.str(schema.AttrName)
	ev := &memon.Event{
		Config:          decodeConfig(r, name),
		ErrorCount:      int(r.integer(schema.AttrErrorCount)),
		DownAlerts:      int(r.integer(schema.AttrDownAlerts)),
		LastBlockTime:   r.time(schema.AttrLastBlockTime),
		NextBlockTime:   r.time(schema.AttrNextBlockTime),
		LastSuccessTime: r.time(schema.AttrLastSuccessTime),
		LastStartTime:   r.time(schema.AttrLastStartTime),
		LastFailTime:    r.time(schema.AttrLastFailTime),
		LastPingTime:    r.time(schema.AttrLastPingTime),
		LastClientTime:  r.time(schema.AttrLastClientTime),
		LastMessage:     r.str(schema.AttrLastMessage),
		LastRunID:       r.str(schema.AttrLastRunID),
		LastHost:        r.str(schema.AttrLastHost),
		LastDuration:    time.Duration(mustNum(r, schema.AttrLastDuration) * float64(time.Second)),
		Version:         r.integer(schema.AttrVersion),
		AutoCreated:     r.boolean(schema.AttrAutoCreated, false),
		HasToken:        r.str(schema.AttrTokenHash) != "",
	}
	if _, ok := item[schema.AttrLastExitCode]; ok {
		code := int(r.integer(schema.AttrLastExitCode))
		ev.LastExitCode = &code
	}
	ev.State = decodeState(r, ev)
	ev.Today = decodeToday(r)
	decodeControls(r, ev)
	ev.DownSince, ev.PausedSince = r.time(schema.AttrDownSince), r.time(schema.AttrPausedSince)
	ev.AlertWindowStart, ev.AlertsInWindow, ev.AlertsHeld = r.time(schema.AttrAlertWindowStart),
		int(r.integer(schema.AttrAlertsInWindow)), int(r.integer(schema.AttrAlertsHeld))
	ev.Outbox = decodeOutbox(r, name)
	if r.err != nil {
		return ev, fmt.Errorf("event %q: %w", name, r.err)
	}
	s, err := decodeSchedule(r)
	if err != nil {
		return ev, fmt.Errorf("event %q: %w", name, err)
	}
	ev.Schedule = s
	return ev, nil
}

func mustNum(r *reader, attr string) float64 {
	f, _ := r.num(attr)
	return f
}

// decodeState reads State, or derives it for memon.py's items, which have
// none: no deadline yet is new, missed deadlines are down, else up.
func decodeState(r *reader, ev *memon.Event) memon.State {
	switch s := memon.State(strings.ToLower(r.str(schema.AttrState))); s {
	case memon.New, memon.Up, memon.Down:
		return s
	case "":
	default:
		r.fail(schema.AttrState, string(s), "want new, up or down (or delete it)")
	}
	switch {
	case ev.ErrorCount > 0:
		return memon.Down
	case ev.LastSuccessTime.IsZero() && ev.LastBlockTime.IsZero():
		return memon.New
	default:
		return memon.Up
	}
}

func decodeSchedule(r *reader) (memon.Schedule, error) {
	kind := memon.ScheduleKind(strings.ToLower(strings.TrimSpace(r.str(schema.AttrType))))
	expr := r.str(schema.AttrCron)
	if kind == "" {
		kind = memon.Rolling // memon-config's default, and a console item's
		if expr != "" {
			kind = memon.Cron
		}
	}
	period := r.seconds(schema.AttrPeriod)
	zone := r.str(schema.AttrTimeZone)
	if r.err != nil {
		return memon.Schedule{}, r.err
	}
	if kind != memon.Cron && period == 0 {
		return memon.Schedule{}, &memon.FieldError{Field: schema.AttrPeriod, Value: "",
			Want: "the item has no Period: set it in seconds (e.g. 3600), or set Type cron and Cron"}
	}
	s, err := memon.NewSchedule(kind, period, expr, zone)
	if err != nil {
		return memon.Schedule{}, renameField(err)
	}
	return s, nil
}

// renameField maps the CLI's field names in schedule errors to attributes.
func renameField(err error) error {
	fe, ok := err.(*memon.FieldError)
	if !ok {
		return err
	}
	attr := map[string]string{"period": schema.AttrPeriod, "type": schema.AttrType, "cron": schema.AttrCron, "tz": schema.AttrTimeZone}[fe.Field]
	if attr == "" {
		return err
	}
	c := *fe
	c.Field = attr
	return &c
}

// Outbox entry attributes.
const (
	obAt, obFrom, obTo, obReason = "At", "From", "To", "Reason"
	obKind, obSubject, obBody    = "Kind", "Subject", "Body"
	obTries, obNextTry           = "Tries", "NextTry"
	obPublished, obCoalesced     = "Published", "Coalesced"
	obSince, obSuperseded        = "Since", "Superseded"
	obLog                        = "Log"
)

func decodeOutbox(r *reader, name string) []memon.Transition {
	m, ok := r.item[schema.AttrOutbox].(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	var out []memon.Transition
	for id, v := range m.Value {
		e, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			continue
		}
		er := &reader{item: e.Value}
		tr := memon.Transition{
			ID: id, Event: name,
			At:        er.time(obAt),
			From:      memon.State(er.str(obFrom)),
			To:        memon.State(er.str(obTo)),
			Reason:    er.str(obReason),
			Tries:     int(er.integer(obTries)),
			NextTry:   er.time(obNextTry),
			Published: er.boolean(obPublished, false),
			Coalesced: int(er.integer(obCoalesced)),
			Since:     er.time(obSince),

			Superseded: er.boolean(obSuperseded, false),
			Log:        er.boolean(obLog, false),
		}
		if kind := er.str(obKind); kind != "" {
			// No Body: the alert is rendered again when a retry delivers it
			// (memon.Event.PendingAlert). Items written before that kept it.
			tr.Alert = &memon.Alert{Kind: memon.AlertKind(kind), Event: name, Subject: er.str(obSubject), Body: er.str(obBody)}
			if tr.Alert.Subject == "" {
				tr.Alert.Subject = memon.Subject(tr.Alert.Kind, name)
			}
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].At.Before(out[j].At) || out[i].At.Equal(out[j].At) && out[i].ID < out[j].ID
	})
	return out
}

func encodeOutbox(trs []memon.Transition) types.AttributeValue {
	m := map[string]types.AttributeValue{}
	for _, tr := range trs {
		e := Item{
			obAt:      timeAV(tr.At),
			obFrom:    &types.AttributeValueMemberS{Value: string(tr.From)},
			obTo:      &types.AttributeValueMemberS{Value: string(tr.To)},
			obReason:  &types.AttributeValueMemberS{Value: tr.Reason},
			obTries:   numAV(float64(tr.Tries)),
			obNextTry: timeAV(tr.NextTry),
		}
		if tr.Published {
			e[obPublished] = numAV(1)
		}
		if tr.Superseded {
			e[obSuperseded] = &types.AttributeValueMemberBOOL{Value: true}
		}
		if tr.Log {
			e[obLog] = &types.AttributeValueMemberBOOL{Value: true}
		}
		if tr.Coalesced > 0 {
			e[obCoalesced] = numAV(float64(tr.Coalesced))
			e[obSince] = timeAV(tr.Since)
		}
		if tr.Alert != nil {
			e[obKind] = &types.AttributeValueMemberS{Value: string(tr.Alert.Kind)}
			// The kind only: the text is rendered again on a retry, so job
			// output is stored once (LastMessage), not in every entry.
		}
		m[tr.ID] = &types.AttributeValueMemberM{Value: e}
	}
	return &types.AttributeValueMemberM{Value: m}
}

func numAV(f float64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatFloat(f, 'f', -1, 64)}
}

// timeAV stores epoch seconds: whole seconds as memon.py wrote them, with a
// millisecond fraction when there is one (SQS timestamps have milliseconds).
func timeAV(t time.Time) types.AttributeValue {
	return numAV(memon.EpochSeconds(t))
}

// encodeEvent returns the attributes MEMon owns: the ones to set and the
// ones to remove (zero values, so the item stays free of clutter). Attributes MEMon does not know are left alone.
func encodeEvent(ev *memon.Event) (set Item, remove []string) {
	set = Item{}
	put := func(attr string, av types.AttributeValue, present bool) {
		if present {
			set[attr] = av
		} else {
			remove = append(remove, attr)
		}
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	putTime := func(attr string, t time.Time) { put(attr, timeAV(t), !t.IsZero()) }

	encodeConfig(ev.Config, put)
	set[schema.AttrErrorCount] = numAV(float64(ev.ErrorCount))
	set[schema.AttrState] = s(string(ev.State))
	put(schema.AttrDownAlerts, numAV(float64(ev.DownAlerts)), ev.DownAlerts > 0)
	putTime(schema.AttrLastBlockTime, ev.LastBlockTime)
	putTime(schema.AttrNextBlockTime, ev.NextBlockTime)
	putTime(schema.AttrLastSuccessTime, ev.LastSuccessTime)
	putTime(schema.AttrLastStartTime, ev.LastStartTime)
	putTime(schema.AttrLastFailTime, ev.LastFailTime)
	putTime(schema.AttrLastPingTime, ev.LastPingTime)
	putTime(schema.AttrLastClientTime, ev.LastClientTime)
	putTime(schema.AttrDownSince, ev.DownSince)
	encodeControls(ev, put)
	putTime(schema.AttrPausedSince, ev.PausedSince)
	putTime(schema.AttrAlertWindowStart, ev.AlertWindowStart)
	put(schema.AttrAlertsInWindow, numAV(float64(ev.AlertsInWindow)), ev.AlertsInWindow > 0)
	put(schema.AttrAlertsHeld, numAV(float64(ev.AlertsHeld)), ev.AlertsHeld > 0)
	put(schema.AttrToday, &types.AttributeValueMemberM{Value: encodeCounts(ev.Today)}, ev.Today.Day != "")
	if ev.LastExitCode != nil {
		set[schema.AttrLastExitCode] = numAV(float64(*ev.LastExitCode))
	} else {
		remove = append(remove, schema.AttrLastExitCode)
	}
	put(schema.AttrLastMessage, s(ev.LastMessage), ev.LastMessage != "")
	put(schema.AttrLastRunID, s(ev.LastRunID), ev.LastRunID != "")
	put(schema.AttrLastHost, s(ev.LastHost), ev.LastHost != "")
	put(schema.AttrLastDuration, numAV(ev.LastDuration.Seconds()), ev.LastDuration > 0)
	// No index attribute: the poller keeps every deadline in memory, so a
	// ping's write touches no index (an index key that moves with each
	// deadline costs two index writes a ping). The keys of the indexes of
	// earlier releases are removed, which takes the item out of them once.
	remove = append(remove, schema.AttrDueAt, schema.AttrDueShard, schema.AttrAlertAt)
	put(schema.AttrOutbox, encodeOutbox(ev.Outbox), len(ev.Outbox) > 0)
	put(schema.AttrAutoCreated, &types.AttributeValueMemberBOOL{Value: true}, ev.AutoCreated)
	return set, remove
}
