package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Each alert is published once with MessageStructure=json, so SNS gives each
// subscription protocol its own form:
//   - email (and every protocol not listed, via "default"): the alert text;
//   - sms: one short line;
//   - http, https, lambda, sqs: the custom-notification JSON that AWS's chat
//     integration (Amazon Q Developer in chat applications, formerly AWS
//     Chatbot) renders in Slack and Teams, carrying the alert's facts in
//     metadata.additionalContext for any other consumer.
//
// Subject and the message attributes `event`, `kind` and `tags` are the same for all.

// maxSMS keeps an SMS to one message (160 GSM characters, with room for the
// sender name SNS prefixes).
const maxSMS = 140

// ChatNotification is AWS's custom-notification format (version 1.0).
type ChatNotification struct {
	Version  string       `json:"version"`
	Source   string       `json:"source"`
	ID       string       `json:"id,omitempty"`
	Content  ChatContent  `json:"content"`
	Metadata ChatMetadata `json:"metadata"`
}

// ChatContent is what the chat channel shows.
type ChatContent struct {
	TextType    string   `json:"textType"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	NextSteps   []string `json:"nextSteps,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

// ChatMetadata threads one event's alerts together and carries the facts.
// additionalContext is a map of strings in AWS's schema, so every fact is a
// string there: times RFC 3339 UTC, numbers in decimal, absent when unknown.
type ChatMetadata struct {
	ThreadID          string            `json:"threadId"`
	Summary           string            `json:"summary"`
	EventType         string            `json:"eventType"`
	AdditionalContext map[string]string `json:"additionalContext"`
}

// perProtocol renders the SNS message for MessageStructure=json.
func perProtocol(a memon.Alert) (string, error) {
	chat, err := json.Marshal(Chat(a))
	if err != nil {
		return "", fmt.Errorf("render chat notification: %w", err)
	}
	msg := map[string]string{
		"default": a.Body,
		"email":   a.Body,
		"sms":     SMS(a),
		"http":    string(chat),
		"https":   string(chat),
		"lambda":  string(chat),
		"sqs":     string(chat),
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("render per-protocol message: %w", err)
	}
	return string(b), nil
}

// SMS is the alert as one short line: "MEMon Failed: backup, exit 3".
func SMS(a memon.Alert) string {
	s := strings.TrimPrefix(a.Subject, "[MEMon] ") // printable ASCII already
	f := a.Facts
	switch a.Kind {
	case memon.KindDown:
		if f.Missed > 0 {
			s += fmt.Sprintf(", %d missed", f.Missed)
		}
		if !f.Deadline.IsZero() {
			s += ", due " + f.Deadline.UTC().Format("Jan 2 15:04 UTC")
		}
	case memon.KindFailed:
		if f.ExitCode != nil {
			s += fmt.Sprintf(", exit %d", *f.ExitCode)
		}
	}
	if tags := memon.LimitTags(a.Tags); len(tags) > 0 {
		s += " [" + strings.Join(tags, ",") + "]" // plain ASCII words, as the rule makes them
	}
	s = "MEMon " + s
	if len(s) > maxSMS {
		s = s[:maxSMS-3] + "..."
	}
	return s
}

// Chat builds the custom notification for an alert. Every value that came
// from a sender or an operator goes through memon.SingleLine and then into a
// code span or block, so no markup, mention or link in it is rendered.
func Chat(a memon.Alert) ChatNotification {
	f := a.Facts
	word, ok := a.Kind.Word() // the subject's word: one list for e-mail and chat
	title := fmt.Sprintf("MEMon %s: %s", word, code(a.Event))
	if !ok || a.Event == "" { // a report, or a kind this code does not know: its subject and text say it all
		word = string(a.Kind)
		title = strings.TrimPrefix(a.Subject, "[MEMon] ")
	}
	var d strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&d, "*%s:* %s\n", label, value)
		}
	}
	reason := f.Reason
	if a.Kind == memon.KindConfig {
		reason = "a ping names an event that does not exist, or whose item cannot be used"
	}
	if ok {
		line("What happened", code(reason))
	}
	if f.Description != "" {
		line("Description", code(f.Description))
	}
	line("Tags", code(memon.TagsText(a.Tags)))
	line("Status", code(string(f.Status)))
	line("Deadline", code(rfc3339(f.Deadline)))
	line("Last run", code(rfc3339(f.LastRun)))
	if f.Missed > 0 {
		line("Missed runs", code(strconv.Itoa(f.Missed)))
	}
	if f.ExitCode != nil {
		line("Exit code", code(strconv.Itoa(*f.ExitCode)))
	}
	if f.Duration > 0 {
		line("Duration", code((time.Duration(f.Duration * float64(time.Second))).Round(time.Millisecond).String()))
	}
	line("Host", code(f.Host))
	line("Run id", code(f.RunID))
	if f.Message != "" {
		fmt.Fprintf(&d, "*Job output:*\n%s\n", codeBlock(f.Message))
	}
	if a.Kind == memon.KindConfig || !ok || a.Event == "" { // a digest's text is its list of events
		fmt.Fprintf(&d, "%s\n", codeBlock(a.Body))
	}
	return ChatNotification{
		Version: "1.0",
		Source:  "custom",
		ID:      f.ID,
		Content: ChatContent{
			TextType:    "client-markdown",
			Title:       title,
			Description: strings.TrimRight(d.String(), "\n"),
			NextSteps:   chatNextSteps(a),
			Keywords:    append([]string{"MEMon", string(a.Kind)}, memon.LimitTags(a.Tags)...),
		},
		Metadata: ChatMetadata{
			ThreadID:          "memon-" + memon.SingleLine(orDefault(a.Event, string(a.Kind))),
			Summary:           a.Subject,
			EventType:         "MEMon " + word,
			AdditionalContext: factsContext(a),
		},
	}
}

// factsContext is the machine-readable alert, every value a string. Every
// value but the e-mail text is one line (memon.SingleLine): a consumer may
// render them as they are, and a sender's host or run id must not add lines.
func factsContext(a memon.Alert) map[string]string {
	f := a.Facts
	m := map[string]string{
		"kind": string(a.Kind),
		"text": a.Body, // the e-mail text, for a consumer that forwards it
	}
	put := func(k, v string) {
		if v != "" {
			m[k] = memon.SingleLine(v)
		}
	}
	put("event", a.Event)
	put("tags", strings.Join(memon.LimitTags(a.Tags), ","))
	put("id", f.ID)
	put("at", rfc3339(f.At))
	put("state", string(f.State))
	put("reason", f.Reason)
	put("deadline", rfc3339(f.Deadline))
	put("last_run", rfc3339(f.LastRun))
	put("last_success", rfc3339(f.LastSuccess))
	if f.Missed > 0 {
		put("missed", strconv.Itoa(f.Missed))
	}
	if f.ExitCode != nil {
		put("exit_code", strconv.Itoa(*f.ExitCode))
	}
	if f.Duration > 0 {
		put("duration", strconv.FormatFloat(f.Duration, 'f', -1, 64))
	}
	put("host", f.Host)
	put("run_id", f.RunID)
	return m
}

func chatNextSteps(a memon.Alert) []string {
	if a.Event == "" {
		return nil // a digest or a report: its text says what to do
	}
	n := code(memon.ShellWord(a.Event))
	switch a.Kind {
	case memon.KindDown:
		return []string{"Check the job where it runs (host, AWS console) and its logs.",
			"A successful run sends Up. To silence: " + code("memon-config pause "+memon.ShellWord(a.Event)) + "."}
	case memon.KindFailed:
		return []string{"Read the job's output and exit code above, fix, rerun.", "The next successful run sends Up."}
	case memon.KindLate:
		return []string{"Nothing is down. If " + n + " now runs longer, raise its grace: " +
			code("memon-config set "+memon.ShellWord(a.Event)+" --grace DUR") + "."}
	case memon.KindConfig:
		return []string{"Create the event: " + code("memon-config set "+memon.ShellWord(a.Event)+" --period DUR") + ", then redrive the dead-letter queue."}
	case memon.KindOverrun:
		return []string{"Check the run that started (host, run id above): is it stuck, or slower than usual?",
			"Its outcome is handled as usual when it arrives. To change the limit: " + code("memon-config set "+memon.ShellWord(a.Event)+" --max-runtime DUR") + "."}
	case memon.KindFlapping:
		return []string{"The job keeps failing and recovering: look at " + code("memon-config show "+memon.ShellWord(a.Event)) + " and its history.",
			"Alerts for " + n + " resume when the hour is over; its state stays exact meanwhile."}
	}
	return nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// code puts one line of untrusted text in a code span: chat platforms render
// nothing inside one. A backtick cannot end it early: it becomes ʼ.
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(memon.SingleLine(s), "`", "ʼ") + "`"
}

// codeBlock fences untrusted multi-line text; each line is SingleLine'd and
// no line can close the fence.
func codeBlock(s string) string {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(memon.SingleLine(strings.ReplaceAll(l, "\t", "    ")), "`", "ʼ")
	}
	return "```\n" + strings.Join(lines, "\n") + "\n```"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
