// Package ping is the message contract between a sender and the poller: the
// SQS body memon-send writes (memon.py's {"name":..,"time":..} plus optional
// fields), its limits, the event-name rule and a message as the queue hands
// it out. It imports the standard library only, so the binary on every host
// (memon-send) links no schedule, cron parser or storage code; package memon
// builds the domain on it.
package ping

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalid marks bad input: a malformed ping, flag or stored item.
var ErrInvalid = errors.New("invalid")

// FieldError names the field at fault, the value given and the accepted form,
// so that every message tells the user what to fix.
type FieldError struct {
	Field string // e.g. "period", "Enabled", "name"
	Value string // what was given
	Want  string // the accepted form
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %q is invalid: %s", e.Field, e.Value, e.Want)
}

// Unwrap lets errors.Is(err, ErrInvalid) hold for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, value, want string) error {
	return &FieldError{Field: field, Value: value, Want: want}
}

// Signal is what a ping says about a run.
type Signal string

const (
	Success Signal = "success" // the job ran and succeeded (memon.py's only signal)
	Start   Signal = "start"   // the job started
	Fail    Signal = "fail"    // the job ran and failed
	// Log records the message in the event's history: no run, no state
	// change (healthchecks' /log).
	Log Signal = "log"
)

// Limits on what a ping carries. A larger message is refused by the decoder
// (and ends in the dead-letter queue); the sender trims to fit.
const (
	MaxNameLen     = 80
	MaxMessageLen  = 4096 // a short message or log tail
	MaxRunIDLen    = 128
	MaxHostLen     = 255
	MaxMessageBody = 16 * 1024
	// MaxRunDuration bounds a run's reported duration: 366 days, the
	// longest period an event may have.
	MaxRunDuration = 366 * 24 * time.Hour
	// MaxEpoch bounds a client time (the year 5138): beyond it is garbage.
	MaxEpoch = 1e11
)

// Message is the SQS body. `name` and `time` are memon.py's and always
// present, so a memon.py-era poller can still read what memon-send writes;
// every other field is optional and unknown fields are ignored.
type Message struct {
	Name     string   `json:"name"`
	Time     float64  `json:"time"`                // sender's clock, epoch seconds
	Signal   Signal   `json:"signal,omitempty"`    // default success
	ExitCode *int     `json:"exit_code,omitempty"` // with fail
	Duration *float64 `json:"duration,omitempty"`  // seconds the run took
	RunID    string   `json:"run_id,omitempty"`
	Host     string   `json:"host,omitempty"`
	Message  string   `json:"message,omitempty"` // short message or log tail
	// Via is how the ping came when not from memon-send or memon.py:
	// ViaURL for the HTTPS endpoint, which resolved a token to an event
	// that existed then. Such a ping never creates an event unless it asks
	// to (Create).
	Via string `json:"via,omitempty"`
	// Create asks for the event to be created when it does not exist
	// (rolling, the stack's auto-create period or a day), even where
	// create-on-first-ping is off: a slug ping with ?create=1, whose ping
	// key the endpoint checked. The auto-create total bounds it.
	Create bool `json:"create,omitempty"`
}

// ViaURL marks a ping the HTTPS endpoint sent (Message.Via).
const ViaURL = "url"

// QueueMessage is a message as the queue handed it out, not yet deleted.
// Body is still undecoded: it may not be a valid ping.
type QueueMessage struct {
	ID           string
	Receipt      string    // the handle of this receive; a later receive voids it
	Body         []byte    //
	SentAt       time.Time // when the queue accepted it (SQS SentTimestamp)
	ReceiveCount int       // receives so far, this one included
	// Oversize is the body's length when it was over MaxMessageBody: the
	// receiver drops such a body at once (Body is nil), so a poll never
	// holds more than MaxMessageBody per message, whatever the queue allows.
	Oversize int
}

// AWSServices are the name prefixes of the AWS services whose job events
// MEMon maps to pings ("batch:nightly-etl"); package memon's AWS sources
// carry the rest of what is known about each, and a test holds the two
// lists equal.
func AWSServices() []string {
	return []string{"batch", "states", "backup", "glue", "codebuild", "ecs"}
}

// maxAWSNameLen bounds a <service>:<resource> name: AWS allows resource
// names of up to 255 characters, longer than memon-send's 80.
const maxAWSNameLen = 300

// ValidateName enforces the event-name rule the sender checks before it
// sends: 1 to 80 characters from A-Z a-z 0-9 and . _ - : / @ +, or an AWS
// job's <service>:<resource> name.
func ValidateName(name string) error {
	const rule = "an event name is 1 to 80 characters from A-Z a-z 0-9 and . _ - : / @ +"
	if PlainName(name) {
		return nil
	}
	if IsAWSName(name) {
		return ValidateAWSName(name)
	}
	return invalid("name", name, rule)
}

// PlainName is memon-send's character rule: a name that is safe as one
// shell word, one path segment, one line.
func PlainName(name string) bool {
	if name == "" || len(name) > MaxNameLen {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("._-:/@+", r):
		default:
			return false
		}
	}
	return true
}

// IsAWSName reports whether name has a <service>: prefix of an AWS source,
// so pings for it may come from AWS rather than memon-send.
func IsAWSName(name string) bool {
	key, _, ok := strings.Cut(name, ":")
	if !ok {
		return false
	}
	for _, s := range AWSServices() {
		if s == key {
			return true
		}
	}
	return false
}

// ValidateAWSName checks a <service>:<resource> name: the resource is what
// AWS allows (up to 255 characters, which may include spaces for Glue), so
// the rule is only: present, printable, bounded.
func ValidateAWSName(name string) error {
	const rule = "an AWS job name is <service>:<resource> with a resource of 1 to 255 printable characters"
	_, res, _ := strings.Cut(name, ":")
	if res == "" || len(name) > maxAWSNameLen || strings.TrimSpace(res) != res {
		return invalid("name", Truncate(name, 60), rule)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return invalid("name", Truncate(name, 60), rule)
		}
	}
	return nil
}

// EncodeMessage renders a ping as an SQS body.
func EncodeMessage(m Message) ([]byte, error) {
	if err := ValidateName(m.Name); err != nil {
		return nil, err
	}
	switch m.Signal {
	case "", Success, Start, Fail, Log:
	default:
		return nil, invalid("signal", string(m.Signal), "want success, start, fail or log")
	}
	// Refuse what the poller's decoder would refuse, so a ping that leaves
	// is a ping that is processed.
	if !(m.Time >= 0 && m.Time <= MaxEpoch) { // 0: no sender clock
		return nil, invalid("time", strconv.FormatFloat(m.Time, 'f', -1, 64), "want epoch seconds")
	}
	if m.Duration != nil {
		if err := CheckRunDuration(*m.Duration); err != nil {
			return nil, err
		}
	}
	m.Message = KeepTail(m.Message, MaxMessageLen)
	m.RunID = Truncate(m.RunID, MaxRunIDLen)
	m.Host = Truncate(m.Host, MaxHostLen)
	return json.Marshal(m)
}

// CheckRunDuration checks a run's duration in seconds.
func CheckRunDuration(d float64) error {
	if !(d >= 0 && d <= MaxRunDuration.Seconds()) { // also refuses NaN
		return invalid("duration", strconv.FormatFloat(d, 'f', -1, 64), "want seconds, 0 or more, at most 366d")
	}
	return nil
}

// EpochSeconds is a time as epoch seconds, to the millisecond.
func EpochSeconds(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}

// Truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// KeepTail keeps at most the last n bytes of s, starting on a rune boundary
// (the end of a log is what matters).
func KeepTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}
