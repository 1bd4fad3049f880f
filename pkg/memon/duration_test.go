package memon

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want time.Duration
	}{
		{"3600", time.Hour},         // memon.py's seconds
		{" 90 ", 90 * time.Second},  // surrounding space
		{"+5", 5 * time.Second},     // a few seconds
		{"0", 0},                    // ParseDuration itself does not bound
		{"90s", 90 * time.Second},   // Go duration
		{"1h30m", 90 * time.Minute}, // Go duration
		{"7d", 7 * day},
		{"1d12h", 36 * time.Hour},
		{"366d", MaxPeriod},
		{"1d0s", day},
	}
	for _, tc := range good {
		t.Run("ok/"+tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDuration(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	bad := []string{
		"", "   ", "abc", "1.5d", "d", "12h1d", "-1d", "1d-5h", "1d+5h", "5x", "1e3",
		"3162240001", "-3162240001", // more than a century of seconds
		"-9223372036854775807", "9223372036854775807",
		"10000d2562047h", // overflows int64 nanoseconds
		"100000d",
	}
	for _, in := range bad {
		t.Run("bad/"+in, func(t *testing.T) {
			t.Parallel()
			if got, err := ParseDuration(in); err == nil {
				t.Fatalf("ParseDuration(%q) = %v, want an error", in, got)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{90 * time.Second, "1m30s"},
		{90 * time.Minute, "1h30m"},
		{7 * day, "7d"},
		{36 * time.Hour, "1d12h"},
		{day + time.Second, "1d1s"},
		{-time.Hour, "-1h"},
		{1500 * time.Millisecond, "1s500ms"},
		{math.MinInt64, time.Duration(math.MinInt64).String()},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := FormatDuration(tc.in); got != tc.want {
				t.Fatalf("FormatDuration(%d) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{time.Second, 59 * time.Second, time.Hour + time.Second, 3*day + 4*time.Hour + 5*time.Minute + 6*time.Second, MaxPeriod, 2500 * time.Millisecond} {
		got, err := ParseDuration(FormatDuration(d))
		if err != nil || got != d {
			t.Errorf("ParseDuration(FormatDuration(%v)=%q) = %v, %v", d, FormatDuration(d), got, err)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{"5": 5 * time.Second, "1s": time.Second, "1h": time.Hour, "366d": MaxPeriod, "86400": day}
	for in, want := range good {
		t.Run("ok/"+in, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePeriod("period", in)
			if err != nil || got != want {
				t.Fatalf("ParsePeriod(%q) = %v, %v; want %v", in, got, err, want)
			}
		})
	}
	bad := []struct{ in, wantMsg string }{
		{"0", "more than 0"},
		{"0s", "more than 0"},
		{"-5", "more than 0"},
		{"-1h", "more than 0"},
		{"367d", "at most 366d"},
		{"31622401", "at most 366d"},
		{"1500ms", "whole number of seconds"},
		{"soon", "want one word such as 90s, 15m, 1h, 1d or 1h30m (a bare number is seconds: 3600)"},
		{"", "a bare number is seconds"},
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePeriod("period", tc.in)
			if err == nil {
				t.Fatalf("ParsePeriod(%q) accepted", tc.in)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "period" || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParsePeriod(%q) error %#v is not a FieldError for period", tc.in, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "period ") || !strings.Contains(msg, tc.wantMsg) {
				t.Fatalf("ParsePeriod(%q) error %q: want it to name the field and say %q", tc.in, msg, tc.wantMsg)
			}
			if tc.in != "" && !strings.Contains(msg, tc.in) {
				t.Fatalf("ParsePeriod(%q) error %q does not quote the value given", tc.in, msg)
			}
		})
	}
}

func TestParseGrace(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{"0": 0, "0s": 0, "90": 90 * time.Second, "15m": 15 * time.Minute, "366d": MaxPeriod}
	for in, want := range good {
		got, err := ParseGrace("grace", in)
		if err != nil || got != want {
			t.Errorf("ParseGrace(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "-1s", "367d", "1500ms", "later", ""} {
		_, err := ParseGrace("grace", in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "grace" || !strings.HasPrefix(err.Error(), "grace ") {
			t.Errorf("ParseGrace(%q) error = %v, want a FieldError naming grace", in, err)
		}
	}
}
