package memon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/peerj/memon/pkg/memon/ping"
)

// The message contract lives in package ping, which memon-send links
// without the rest of the domain; these names are the same types and values.
type (
	Signal  = ping.Signal
	Message = ping.Message
)

const (
	Success = ping.Success
	Start   = ping.Start
	Fail    = ping.Fail
	Log     = ping.Log

	MaxNameLen     = ping.MaxNameLen
	MaxMessageLen  = ping.MaxMessageLen
	MaxRunIDLen    = ping.MaxRunIDLen
	MaxHostLen     = ping.MaxHostLen
	MaxMessageBody = ping.MaxMessageBody
	MaxRunDuration = ping.MaxRunDuration
	ViaURL         = ping.ViaURL
	maxEpoch       = ping.MaxEpoch
)

// Ping is a decoded message: one report about one run.
type Ping struct {
	Name       string
	Signal     Signal
	SentAt     time.Time // when the queue accepted it: the ping's time
	ClientTime time.Time // the sender's clock, for display only
	ExitCode   *int
	Duration   time.Duration
	RunID      string
	Host       string
	Message    string
	Source     string // "" from memon-send; the EventBridge source ("aws.batch") for an AWS job event
	Via        string // Message.Via: ping.ViaURL from the HTTPS endpoint
	Create     bool   // Message.Create: create the event if it does not exist

	tooShort bool // a success shorter than the event's MinRuntime, counted as a failure
}

// ValidateName enforces the event-name rule the sender checks before it
// sends (ping.ValidateName).
func ValidateName(name string) error { return ping.ValidateName(name) }

// SlugShape classifies a name as a healthchecks slug, as healthchecks'
// URLs do: its characters are a-z A-Z 0-9 - _ (else it is no slug), and
// upper reports an upper-case one, which is a slug's shape but which
// healthchecks refuses ("invalid url format"). A name is a slug when ok
// and not upper.
func SlugShape(s string) (ok, upper bool) {
	if s == "" {
		return false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c >= 'A' && c <= 'Z':
			upper = true
		default:
			return false, false
		}
	}
	return true, upper
}

// acceptName is the poller's looser rule: items written by memon.py may have
// any printable name, so anything printable and short enough is processed.
func acceptName(name string) error {
	if ping.IsAWSName(name) {
		return ping.ValidateAWSName(name)
	}
	if name == "" || len(name) > 255 || !utf8.ValidString(name) {
		return invalid("name", truncate(name, 40), "want a non-empty printable name of at most 255 bytes")
	}
	for _, r := range name {
		// C0, DEL and C1 controls, format characters (bidi overrides that
		// disguise a name in a mail) and line/paragraph separators.
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return invalid("name", truncate(name, 40), "control characters are not allowed in an event name")
		}
	}
	return nil
}

// EncodeMessage renders a ping as an SQS body (ping.EncodeMessage).
func EncodeMessage(m Message) ([]byte, error) { return ping.EncodeMessage(m) }

// DecodeMessage reads an SQS body. sentAt is the queue's SentTimestamp, the
// authoritative time of the ping; the body's own `time` is kept for display.
// memon.py's `{"name": ..., "time": ...}` decodes as a success.
func DecodeMessage(body []byte, sentAt time.Time) (Ping, error) {
	if len(body) > MaxMessageBody {
		return Ping{}, invalid("body", fmt.Sprintf("%d bytes", len(body)), fmt.Sprintf("a ping is at most %d bytes", MaxMessageBody))
	}
	var raw struct {
		Name     *string         `json:"name"`
		Time     json.RawMessage `json:"time"`
		Signal   string          `json:"signal"`
		ExitCode *int            `json:"exit_code"`
		Duration *float64        `json:"duration"`
		RunID    string          `json:"run_id"`
		Host     string          `json:"host"`
		Message  string          `json:"message"`
		Via      string          `json:"via"`
		Create   bool            `json:"create"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return Ping{}, invalid("body", truncate(string(body), 60), `want JSON like {"name": "EVENT", "time": 1700000000}`)
	}
	// Anything after the object, even a stray "}" that dec.More would let
	// through, makes the body ambiguous.
	if _, err := dec.Token(); err != io.EOF {
		return Ping{}, invalid("body", truncate(string(body), 60), "want exactly one JSON object")
	}
	if raw.Name == nil {
		return Ping{}, invalid("name", "", `the body has no "name"`)
	}
	if err := acceptName(*raw.Name); err != nil {
		return Ping{}, err
	}
	p := Ping{
		Name:     *raw.Name,
		Signal:   Signal(strings.ToLower(raw.Signal)),
		SentAt:   sentAt.UTC(),
		ExitCode: raw.ExitCode,
		RunID:    truncate(raw.RunID, MaxRunIDLen),
		Host:     truncate(raw.Host, MaxHostLen),
		Message:  KeepTail(raw.Message, MaxMessageLen),
		Via:      truncate(raw.Via, 16),
		Create:   raw.Create,
	}
	switch p.Signal {
	case "":
		p.Signal = Success
	case Success, Start, Fail, Log:
	default:
		return Ping{}, invalid("signal", raw.Signal, "want success, start, fail or log")
	}
	if raw.Duration != nil {
		d := *raw.Duration
		if err := checkRunDuration(d); err != nil {
			return Ping{}, err
		}
		p.Duration = time.Duration(d * float64(time.Second)).Round(time.Millisecond)
	}
	// Absent, null and 0 (the zero Message's) all mean "no sender clock":
	// the time is display only, so its absence never drops a ping.
	if len(raw.Time) > 0 && string(raw.Time) != "null" && string(raw.Time) != "0" {
		t, err := parseClientTime(raw.Time)
		if err != nil {
			return Ping{}, err
		}
		p.ClientTime = t
	}
	if p.SentAt.IsZero() {
		// Without a queue timestamp (a test, a replay tool) the sender's
		// clock is the best there is.
		p.SentAt = p.ClientTime
	}
	if p.SentAt.IsZero() {
		return Ping{}, invalid("time", "", "the ping has neither a queue timestamp nor a time")
	}
	return p, nil
}

func checkRunDuration(d float64) error { return ping.CheckRunDuration(d) }

// parseClientTime accepts epoch seconds as a number or a string, or RFC 3339.
func parseClientTime(raw json.RawMessage) (time.Time, error) {
	s := strings.Trim(string(raw), `"`)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if !(f > 0 && f <= maxEpoch) { // also refuses NaN
			return time.Time{}, invalid("time", s, "want epoch seconds")
		}
		return epoch(f), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, invalid("time", truncate(s, 40), "want epoch seconds (1700000000) or RFC 3339")
}

// epoch converts float seconds to a time, to the millisecond.
func epoch(f float64) time.Time {
	ms := int64(math.Round(f * 1000))
	return time.UnixMilli(ms).UTC()
}

// EpochSeconds is the inverse of epoch, for stored attributes.
func EpochSeconds(t time.Time) float64 { return ping.EpochSeconds(t) }

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string { return ping.Truncate(s, n) }

// KeepTail keeps at most the last n bytes of s, starting on a rune boundary
// (the end of a log is what matters).
func KeepTail(s string, n int) string { return ping.KeepTail(s, n) }
