package memon

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/decode/*.golden")

// describe renders a decode result for the golden files.
func describe(p Ping, err error) string {
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return fmt.Sprintf("error field=%s\n%s\n", fe.Field, err)
		}
		return fmt.Sprintf("error (no field)\n%s\n", err)
	}
	exit := "none"
	if p.ExitCode != nil {
		exit = fmt.Sprint(*p.ExitCode)
	}
	return fmt.Sprintf("name=%q\nsignal=%s\nsent=%s\nclient=%s\nexit=%s\nduration=%s\nrun_id=%q\nhost=%q\nmessage=%q\n",
		p.Name, p.Signal, p.SentAt.Format(time.RFC3339Nano), p.ClientTime.Format(time.RFC3339Nano),
		exit, p.Duration, p.RunID, p.Host, p.Message)
}

func TestDecodeMessageGolden(t *testing.T) {
	t.Parallel()
	sent := at(1700000100) // the queue's clock: 100 s after the sender's
	cases := []struct {
		file      string
		errField  string // "" when the body is accepted
		signal    Signal
		clientSec float64
	}{
		{"seed_int_time", "", Success, 1700000000},
		{"seed_float_time", "", Success, 1700000000.25},
		{"seed_string_time", "", Success, 1700000000},
		{"rfc3339_time", "", Success, 1699996400.5},
		{"full", "", Fail, 1700000000},
		{"unknown_fields", "", Start, 1700000000},
		{"log", "", Log, 1700000000},
		{"no_time_upper_signal", "", Success, 0},
		{"missing_name", "name", "", 0},
		{"empty_name", "name", "", 0},
		{"bad_signal", "signal", "", 0},
		{"oversized", "body", "", 0},
		{"two_objects", "body", "", 0},
		{"trailing_brace", "body", "", 0},
		{"not_json", "body", "", 0},
		{"control_nul_name", "name", "", 0},
		{"control_newline_name", "name", "", 0},
		{"control_c1_name", "name", "", 0},
		{"zero_time", "", Success, 0}, // 0 is no sender clock, as Message's zero value encodes
		{"bad_time", "time", "", 0},
		{"negative_duration", "duration", "", 0},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.file+".json"] = true
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", "decode", tc.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := DecodeMessage(body, sent)
			if tc.errField != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.errField || !errors.Is(err, ErrInvalid) {
					t.Fatalf("DecodeMessage(%s) = %+v, %v; want an ErrInvalid naming %q", tc.file, p, err, tc.errField)
				}
			} else {
				if err != nil {
					t.Fatalf("DecodeMessage(%s): %v", tc.file, err)
				}
				if p.Signal != tc.signal {
					t.Errorf("signal = %q, want %q", p.Signal, tc.signal)
				}
				if !p.SentAt.Equal(sent) {
					t.Errorf("SentAt = %v, want the queue's %v, never the body's time", p.SentAt, sent)
				}
				if got := EpochSeconds(p.ClientTime); tc.clientSec != 0 && got != tc.clientSec {
					t.Errorf("ClientTime = %v (%v), want %v", p.ClientTime, got, tc.clientSec)
				}
			}
			got := describe(p, err)
			golden := filepath.Join("testdata", "decode", tc.file+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s:\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "decode", "*.json"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no case in TestDecodeMessageGolden", f)
		}
	}
}

func TestDecodeMessageCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`{"name":"nightly-db","time":1700000000,"via":"url","create":true}`, true},
		{`{"name":"nightly-db","time":1700000000,"create":false}`, false},
		{`{"name": "nightly-db", "time": 1700000000}`, false}, // memon.py's body never asks
	} {
		p, err := DecodeMessage([]byte(tc.body), at(1700000100))
		if err != nil || p.Create != tc.want {
			t.Errorf("DecodeMessage(%s) = create %v, %v; want %v", tc.body, p.Create, err, tc.want)
		}
	}
}

func TestDecodeMessageFull(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile(filepath.Join("testdata", "decode", "full.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := DecodeMessage(body, at(1700000100))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "db/dump@web1" || p.ExitCode == nil || *p.ExitCode != 2 || p.RunID != "r-42" ||
		p.Host != "web1" || p.Message != "disk full\nretry later" || p.Duration != 12346*time.Millisecond {
		t.Fatalf("decoded %+v", p)
	}
}

func TestDecodeMessageTime(t *testing.T) {
	t.Parallel()
	t.Run("without a queue timestamp the sender's clock is used", func(t *testing.T) {
		t.Parallel()
		p, err := DecodeMessage([]byte(`{"name":"a","time":1700000000}`), time.Time{})
		if err != nil || !p.SentAt.Equal(at(1700000000)) {
			t.Fatalf("got %v, %v", p.SentAt, err)
		}
	})
	t.Run("neither queue timestamp nor time is refused", func(t *testing.T) {
		t.Parallel()
		_, err := DecodeMessage([]byte(`{"name":"a"}`), time.Time{})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "time" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("time 0 without a queue timestamp is refused", func(t *testing.T) {
		t.Parallel()
		if _, err := DecodeMessage([]byte(`{"name":"a","time":0}`), time.Time{}); err == nil {
			t.Fatal("accepted a ping with no time at all")
		}
	})
	t.Run("a Message without Time round-trips with no client time", func(t *testing.T) {
		t.Parallel()
		body, err := EncodeMessage(Message{Name: "a"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := DecodeMessage(body, at(7))
		if err != nil || !p.ClientTime.IsZero() || !p.SentAt.Equal(at(7)) {
			t.Fatalf("%s: %+v, %v", body, p, err)
		}
	})
	t.Run("null time is absent", func(t *testing.T) {
		t.Parallel()
		p, err := DecodeMessage([]byte(`{"name":"a","time":null}`), at(5))
		if err != nil || !p.ClientTime.IsZero() || !p.SentAt.Equal(at(5)) {
			t.Fatalf("got %+v, %v", p, err)
		}
	})
	t.Run("SentAt is normalised to UTC", func(t *testing.T) {
		t.Parallel()
		p, err := DecodeMessage([]byte(`{"name":"a","time":1}`), time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("X", 3600)))
		if err != nil || p.SentAt.Location() != time.UTC || !p.SentAt.Equal(time.Date(2024, 1, 1, 11, 0, 0, 0, time.UTC)) {
			t.Fatalf("got %v, %v", p.SentAt, err)
		}
	})
	t.Run("time beyond year 5138 is refused", func(t *testing.T) {
		t.Parallel()
		if _, err := DecodeMessage([]byte(`{"name":"a","time":1e12}`), at(5)); err == nil {
			t.Fatal("accepted")
		}
	})
}

func TestDecodeMessageTrims(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 3000) // 6000 bytes, two-byte runes
	body, _ := json.Marshal(map[string]any{"name": "a", "time": 1, "message": "start" + long, "run_id": strings.Repeat("r", 500), "host": strings.Repeat("h", 500)})
	p, err := DecodeMessage(body, at(10))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Message) > MaxMessageLen || !strings.HasSuffix(p.Message, "éé") || strings.HasPrefix(p.Message, "start") || !isUTF8(p.Message) {
		t.Errorf("message not cut to its last %d bytes on a rune boundary: %d bytes", MaxMessageLen, len(p.Message))
	}
	if len(p.RunID) != MaxRunIDLen || len(p.Host) != MaxHostLen {
		t.Errorf("run id %d bytes, host %d bytes", len(p.RunID), len(p.Host))
	}
	if _, err := DecodeMessage(body[:len(body)-1], at(10)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func isUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestEncodeMessage(t *testing.T) {
	t.Parallel()
	code := 3
	dur := 1.5
	m := Message{Name: "db/dump", Time: 1700000000.123, Signal: Fail, ExitCode: &code, Duration: &dur, RunID: "r1", Host: "h1", Message: "boom"}
	body, err := EncodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	// memon.py-era pollers read name and time: both must be there.
	var seed struct {
		Name string  `json:"name"`
		Time float64 `json:"time"`
	}
	if err := json.Unmarshal(body, &seed); err != nil || seed.Name != "db/dump" || seed.Time != 1700000000.123 {
		t.Fatalf("seed view of %s: %+v, %v", body, seed, err)
	}
	p, err := DecodeMessage(body, at(1700000005))
	if err != nil {
		t.Fatal(err)
	}
	if p.Signal != Fail || *p.ExitCode != 3 || p.Duration != 1500*time.Millisecond || p.Message != "boom" ||
		!p.ClientTime.Equal(time.UnixMilli(1700000000123)) {
		t.Fatalf("round trip: %+v", p)
	}
	minimal, err := EncodeMessage(Message{Name: "a", Time: 1})
	if err != nil || string(minimal) != `{"name":"a","time":1}` {
		t.Fatalf("minimal body %s, %v", minimal, err)
	}

	bad := []struct {
		name  string
		m     Message
		field string
	}{
		{"bad name", Message{Name: "has space", Time: 1}, "name"},
		{"empty name", Message{Name: "", Time: 1}, "name"},
		{"bad signal", Message{Name: "a", Time: 1, Signal: "boom"}, "signal"},
		{"negative time", Message{Name: "a", Time: -1}, "time"},
		{"time past year 5138", Message{Name: "a", Time: 2e11}, "time"},
		{"negative duration", Message{Name: "a", Time: 1, Duration: ptr(-1.0)}, "duration"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := EncodeMessage(tc.m)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("EncodeMessage(%+v) = %v, want an error naming %s", tc.m, err, tc.field)
			}
		})
	}
	t.Run("long fields are trimmed, not refused", func(t *testing.T) {
		t.Parallel()
		body, err := EncodeMessage(Message{Name: "a", Time: 1, Message: strings.Repeat("x", 10000) + "END", RunID: strings.Repeat("r", 300)})
		if err != nil || len(body) > MaxMessageBody {
			t.Fatalf("%d bytes, %v", len(body), err)
		}
		p, err := DecodeMessage(body, at(2))
		if err != nil || !strings.HasSuffix(p.Message, "END") || len(p.RunID) != MaxRunIDLen {
			t.Fatalf("%+v, %v", p, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestValidateName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a", "nightly-backup", "db.dump_1", "team:job/step@host+x", strings.Repeat("n", 80), "ABC-123"} {
		if err := ValidateName(name); err != nil {
			t.Errorf("ValidateName(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"", strings.Repeat("n", 81), "has space", "tab\t", "é", "semi;colon", "quote\"", "a\x00", "star*"} {
		err := ValidateName(name)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "name" || !strings.Contains(err.Error(), "1 to 80 characters") {
			t.Errorf("ValidateName(%q) = %v, want an error stating the rule", name, err)
		}
	}
}

func TestAcceptNameIsLooserThanValidateName(t *testing.T) {
	t.Parallel()
	// memon.py items may have any printable name: the poller processes them.
	for _, name := range []string{"has space", "café", "weird;name", strings.Repeat("n", 255)} {
		if err := acceptName(name); err != nil {
			t.Errorf("acceptName(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"", strings.Repeat("n", 256), "a\x7fb", "a\u202eb", "a\u2028b", "\xff"} {
		if err := acceptName(name); err == nil {
			t.Errorf("acceptName(%q) accepted", name)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	if got := truncate("héllo", 2); got != "h" {
		t.Errorf("truncate cut inside a rune: %q", got)
	}
	if got := truncate("abc", 5); got != "abc" {
		t.Errorf("truncate short: %q", got)
	}
	if got := KeepTail("abcé", 2); got != "é" {
		t.Errorf("KeepTail: %q", got)
	}
	if got := KeepTail("abé", 1); got != "" {
		t.Errorf("KeepTail inside a rune: %q", got)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "decode", "*.json"))
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, int64(1700000100000))
	}
	f.Add([]byte(`{"name":"a","time":1}`), int64(0))
	f.Add([]byte(`null`), int64(1))
	f.Add([]byte(`{"name":"a","time":"1e10","duration":1e300}`), int64(-5))
	f.Fuzz(func(t *testing.T, body []byte, sentMillis int64) {
		var sent time.Time
		if sentMillis > 0 {
			sent = time.UnixMilli(sentMillis)
		}
		p, err := DecodeMessage(body, sent)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if err := acceptName(p.Name); err != nil {
			t.Fatalf("accepted ping with a bad name %q: %v", p.Name, err)
		}
		switch p.Signal {
		case Success, Start, Fail, Log:
		default:
			t.Fatalf("accepted ping with signal %q", p.Signal)
		}
		if p.SentAt.IsZero() {
			t.Fatalf("accepted ping with no SentAt: %s", body)
		}
		if !sent.IsZero() && !p.SentAt.Equal(sent) {
			t.Fatalf("SentAt %v is not the queue's %v", p.SentAt, sent)
		}
		if p.Duration < 0 || len(p.Message) > MaxMessageLen || len(p.RunID) > MaxRunIDLen || len(p.Host) > MaxHostLen {
			t.Fatalf("limits not applied: %+v", p)
		}

		// EncodeMessage -> DecodeMessage round-trips whatever the sender may send.
		if ValidateName(p.Name) != nil {
			return
		}
		m := Message{Name: p.Name, Signal: p.Signal, ExitCode: p.ExitCode, RunID: p.RunID, Host: p.Host, Message: p.Message}
		if !p.ClientTime.IsZero() {
			m.Time = EpochSeconds(p.ClientTime)
		}
		if p.Duration != 0 {
			m.Duration = ptr(p.Duration.Seconds())
		}
		enc, err := EncodeMessage(m)
		if err != nil {
			t.Fatalf("EncodeMessage(%+v) of an accepted ping: %v", m, err)
		}
		q, err := DecodeMessage(enc, p.SentAt)
		if err != nil {
			t.Fatalf("DecodeMessage(EncodeMessage(%+v)) = %v; body %s", m, err, enc)
		}
		if q.Name != p.Name || q.Signal != p.Signal || !q.SentAt.Equal(p.SentAt) || !q.ClientTime.Equal(p.ClientTime) ||
			q.Duration != p.Duration || q.RunID != p.RunID || q.Host != p.Host || q.Message != p.Message ||
			(q.ExitCode == nil) != (p.ExitCode == nil) || (q.ExitCode != nil && *q.ExitCode != *p.ExitCode) {
			t.Fatalf("round trip changed the ping:\n%+v\n%+v", p, q)
		}
		if !bytes.Equal(enc, mustEncode(t, m)) {
			t.Fatal("EncodeMessage is not deterministic")
		}
	})
}

func mustEncode(t *testing.T, m Message) []byte {
	t.Helper()
	b, err := EncodeMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSlugShapeIsHealthchecksSlug(t *testing.T) {
	for _, tc := range []struct {
		slug          string
		shaped, upper bool
	}{
		{"nightly-db_2", true, false},
		{"Nightly", true, true},
		{"back.up", false, false},
		{"", false, false},
		{"a/b", false, false},
	} {
		if shaped, upper := SlugShape(tc.slug); shaped != tc.shaped || upper != tc.upper {
			t.Errorf("SlugShape(%q) = %v, %v; want %v, %v", tc.slug, shaped, upper, tc.shaped, tc.upper)
		}
	}
}
