package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func intp(n int) *int { return &n }

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    options // compared field by field below
		wantErr string  // substring of a usage error
	}{
		{name: "success", args: []string{"backup"},
			want: options{event: "backup", signal: memon.Success}},
		{name: "fail", args: []string{"--fail", "backup"},
			want: options{event: "backup", signal: memon.Fail}},
		{name: "fail with exit code", args: []string{"--fail", "--exit-code", "3", "backup"},
			want: options{event: "backup", signal: memon.Fail, exitCode: intp(3)}},
		{name: "exit code with =", args: []string{"-fail", "-exit-code=0", "backup"},
			want: options{event: "backup", signal: memon.Fail, exitCode: intp(0)}},
		{name: "an exit code other than 0 is a failure without --fail", args: []string{"--exit-code", "3", "backup"},
			want: options{event: "backup", signal: memon.Fail, exitCode: intp(3)}},
		{name: "exit code 0 alone is a success", args: []string{"--exit-code", "0", "backup"},
			want: options{event: "backup", signal: memon.Success, exitCode: intp(0)}},
		{name: "start with run id", args: []string{"--start", "--run-id", "r1", "backup"},
			want: options{event: "backup", signal: memon.Start, runID: "r1"}},
		{name: "log with a message", args: []string{"--log", "--message", "pruned 3 archives", "backup"},
			want: options{event: "backup", signal: memon.Log, log: true, message: "pruned 3 archives"}},
		{name: "flags after EVENT", args: []string{"backup", "--fail", "--message", "disk full"},
			want: options{event: "backup", signal: memon.Fail, message: "disk full"}},
		{name: "message that looks like --", args: []string{"--message", "--", "backup"},
			want: options{event: "backup", signal: memon.Success, message: "--"}},
		{name: "long message kept for trimming", args: []string{"--message", strings.Repeat("x", 5000), "backup"},
			want: options{event: "backup", signal: memon.Success, message: strings.Repeat("x", 5000)}},
		{name: "queue settings", args: []string{"--queue-url", "https://q", "--queue", "q2", "--region", "eu-west-1", "--timeout", "2s", "--host", "h1", "backup"},
			want: options{event: "backup", signal: memon.Success, queueURL: "https://q", queueName: "q2", region: "eu-west-1", timeout: 2 * time.Second, host: "h1"}},
		{name: "wrapper", args: []string{"backup", "--", "tar", "-czf", "x.tgz", "--", "dir"},
			want: options{event: "backup", signal: memon.Success, command: []string{"tar", "-czf", "x.tgz", "--", "dir"}}},
		{name: "wrapper with flags before", args: []string{"--run-id", "r9", "--timeout=1s", "backup", "--", "sh", "-c", "exit 1"},
			want: options{event: "backup", signal: memon.Success, runID: "r9", timeout: time.Second, command: []string{"sh", "-c", "exit 1"}}},
		{name: "help", args: []string{"--help"}, want: options{help: true}},
		{name: "-h", args: []string{"-h"}, want: options{help: true}},
		{name: "version", args: []string{"--version"}, want: options{version: true}},
		{name: "version verb", args: []string{"version"}, want: options{version: true}},

		{name: "missing EVENT", args: nil, wantErr: "missing EVENT"},
		{name: "missing EVENT before --", args: []string{"--", "true"}, wantErr: "missing EVENT"},
		{name: "bad name", args: []string{"back up"}, wantErr: `EVENT: name "back up" is invalid: an event name is 1 to 80 characters`},
		{name: "name too long", args: []string{strings.Repeat("a", 81)}, wantErr: "1 to 80 characters"},
		{name: "two positionals", args: []string{"backup", "tar"}, wantErr: `unexpected argument "tar" after EVENT "backup": to wrap a command put it after --`},
		{name: "nothing after --", args: []string{"backup", "--"}, wantErr: "missing COMMAND after --"},
		{name: "exit code with start", args: []string{"--start", "--exit-code", "3", "backup"}, wantErr: "--exit-code 3 cannot be used with --start"},
		{name: "exit code not a number", args: []string{"--fail", "--exit-code", "x", "backup"}, wantErr: `--exit-code "x" is invalid: want a number from 0 to 255`},
		{name: "exit code too big", args: []string{"--fail", "--exit-code", "256", "backup"}, wantErr: "from 0 to 255"},
		{name: "exit code negative", args: []string{"--fail", "--exit-code", "-1", "backup"}, wantErr: "from 0 to 255"},
		{name: "start and fail", args: []string{"--start", "--fail", "backup"}, wantErr: "--start and --fail cannot be combined"},
		{name: "log and fail", args: []string{"--log", "--fail", "backup"}, wantErr: "--log cannot be combined"},
		{name: "log with an exit code", args: []string{"--log", "--exit-code", "0", "backup"}, wantErr: "--log cannot be combined"},
		{name: "wrapper with log", args: []string{"--log", "backup", "--", "true"}, wantErr: "--log cannot be used with a command"},
		{name: "zero timeout", args: []string{"--timeout", "0s", "backup"}, wantErr: "--timeout 0s is invalid: want a positive duration"},
		{name: "bad timeout", args: []string{"--timeout", "5", "backup"}, wantErr: `invalid value "5" for flag -timeout`},
		{name: "unknown flag", args: []string{"--nope", "backup"}, wantErr: "flag provided but not defined: -nope (see memon-send --help)"},
		{name: "flag without value", args: []string{"backup", "--message"}, wantErr: "flag needs an argument: -message"},
		{name: "run id too long", args: []string{"--run-id", strings.Repeat("r", 129), "backup"}, wantErr: "--run-id is 129 bytes: want at most 128"},
		{name: "host too long", args: []string{"--host", strings.Repeat("h", 256), "backup"}, wantErr: "--host is 256 bytes"},
		{name: "wrapper with fail", args: []string{"--fail", "backup", "--", "true"}, wantErr: "--fail cannot be used with a command"},
		{name: "wrapper with start", args: []string{"--start", "backup", "--", "true"}, wantErr: "--start cannot be used with a command"},
		{name: "wrapper with message", args: []string{"--message", "m", "backup", "--", "true"}, wantErr: "--message cannot be used with a command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseArgs(tt.args)
			if tt.wantErr != "" {
				var ue *usageError
				if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseArgs(%q) error = %v, want a usage error containing %q", tt.args, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseArgs(%q): %v", tt.args, err)
			}
			want := tt.want
			if want.help || want.version {
				if got.help != want.help || got.version != want.version {
					t.Fatalf("help, version = %v, %v; want %v, %v", got.help, got.version, want.help, want.version)
				}
				return
			}
			if want.timeout == 0 {
				want.timeout = defaultTimeout
			}
			if want.queueName == "" {
				want.queueName = "memon"
			}
			got.fail, got.start = false, false
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parseArgs(%q) =\n %+v\nwant\n %+v", tt.args, got, want)
			}
		})
	}
}

func TestUsageNamesEveryEnvFallback(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	printUsage(&b)
	for _, s := range []string{"MEMON_QUEUE_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
		"-fail", "-exit-code", "-start", "-message", "-run-id", "-queue-url", "-queue", "-region", "-timeout", "-host", "-version", "sqs:GetQueueUrl", "127", "126"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("--help does not mention %s", s)
		}
	}
}
