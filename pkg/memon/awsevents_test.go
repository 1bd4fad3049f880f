package memon

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon/ping"
)

func intp(n int) *int { return &n }

// TestDecodeAWSEvent maps each source's example events (testdata/awsevents,
// shaped after AWS's documentation) to pings: names, success or failure,
// exit codes, durations, run ids and messages, including failure states,
// missing fields, and the oldest and newest shapes of each event.
func TestDecodeAWSEvent(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	none := (*int)(nil)
	cases := []struct {
		file     string
		name     string
		signal   Signal
		exit     *int
		duration time.Duration
		runID    string
		message  string // the message contains this
		ignored  bool   // ErrAWSIgnored
		errField string // an ErrInvalid naming this field
	}{
		{file: "batch_failed", name: "batch:nightly-etl", signal: Fail, exit: intp(3), duration: 605500 * time.Millisecond,
			runID: "7d4c9a10-1111-4b6e-8f00-0000000000aa", message: "Essential container in task exited; load step: 17 rows rejected"},
		{file: "batch_succeeded_oldest", name: "batch:report_daily", signal: Success, exit: intp(0), duration: 30 * time.Second,
			runID: "0e6b2a34-2222-4c11-9000-0000000000bb"},
		{file: "batch_failed_never_started", name: "batch:nightly-etl", signal: Fail, exit: none, duration: 0,
			runID: "1c2d3e4f-3333-4d22-a000-0000000000cc", message: "CannotPullContainerError"},
		{file: "batch_multicontainer_newest", name: "batch:train-model", signal: Fail, exit: intp(137), duration: 200 * time.Second,
			runID: "2d3e4f50-4444-4e33-b000-0000000000dd", message: "container trainer exited 137; OutOfMemoryError"},
		{file: "batch_array_child", ignored: true},
		{file: "batch_running", ignored: true},
		{file: "batch_missing_jobname", errField: "jobName"},
		{file: "states_succeeded", name: "states:invoice-run", signal: Success, exit: none, duration: 612250 * time.Millisecond,
			runID: "daily-2026-03-02"},
		{file: "states_failed", name: "states:invoice-run", signal: Fail, exit: none, duration: time.Minute,
			runID: "6c1e", message: "States.TaskFailed: Lambda invoice-render returned an error"},
		{file: "states_timed_out_newest", name: "states:invoice-run", signal: Fail, exit: none, duration: time.Hour,
			runID: "e77", message: "States.Timeout"},
		{file: "states_aborted_oldest", name: "states:cleanup", signal: Fail, exit: none, duration: 0, runID: "manual-1"},
		{file: "states_running", ignored: true},
		{file: "backup_completed", name: "backup:RDS:orders-db", signal: Success, exit: none, duration: 41*time.Minute + 8512*time.Millisecond,
			runID: "4F2B1C0D-AAAA-BBBB-CCCC-0123456789AB"},
		{file: "backup_failed_oldest", name: "backup:ec2:vol-0abc1234def567890", signal: Fail, exit: none, duration: 0,
			runID: "9A8B7C6D-1111-2222-3333-444455556666", message: "Insufficient privileges"},
		{file: "backup_running", ignored: true},
		{file: "glue_succeeded", name: "glue:clickstream to parquet", signal: Success, exit: none, duration: 0,
			runID: "jr_0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff", message: "Job run succeeded"},
		{file: "glue_timeout", name: "glue:clickstream to parquet", signal: Fail, exit: none, runID: "jr_aa", message: "timed out after 120 minutes"},
		{file: "codebuild_succeeded", name: "codebuild:nightly-release", signal: Success, exit: none, duration: 5*time.Minute + 29*time.Second,
			runID: "nightly-release:b1a2c3d4-0000-4000-8000-000000000001"},
		{file: "codebuild_failed", name: "codebuild:nightly-release", signal: Fail, exit: none, duration: 2*time.Minute + 56*time.Second,
			runID: "nightly-release:b1a2c3d4-0000-4000-8000-000000000002", message: "BUILD FAILED; COMMAND_EXECUTION_ERROR"},
		{file: "ecs_stopped_ok_sidecar", name: "ecs:s3-sync", signal: Success, exit: intp(0), duration: 59250 * time.Millisecond,
			runID: "0123456789abcdef0123456789abcdef", message: "Essential container in task exited"},
		{file: "ecs_stopped_exit_1", name: "ecs:s3-sync", signal: Fail, exit: intp(1), duration: 10 * time.Second,
			runID: "fedcba9876543210fedcba9876543210", message: "container sync exited 1"},
		{file: "ecs_failed_to_start", name: "ecs:s3-sync", signal: Fail, exit: none, duration: 0,
			runID: "11112222333344445555666677778888", message: "TaskFailedToStart; CannotPullContainerError"},
		{file: "ecs_stopped_oldest", name: "ecs:cleanup", signal: Success, exit: intp(0), duration: 0,
			runID: "4ce75a22-f1c9-4ac2-8607-a503e7682c1d"},
		{file: "ecs_running", ignored: true},
		{file: "ecs_container_instance", ignored: true},
		{file: "detail_not_object", errField: "detail"},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.file+".json"] = true
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", "awsevents", tc.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if !LooksLikeAWSEvent(body) {
				t.Fatal("not recognised as an EventBridge event")
			}
			p, err := DecodeBody(body, sent)
			switch {
			case tc.ignored:
				if !errors.Is(err, ErrAWSIgnored) {
					t.Fatalf("got %+v, %v; want ErrAWSIgnored", p, err)
				}
				return
			case tc.errField != "":
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tc.errField || !errors.Is(err, ErrInvalid) {
					t.Fatalf("got %+v, %v; want ErrInvalid naming %q", p, err, tc.errField)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if p.Name != tc.name || p.Signal != tc.signal || p.RunID != tc.runID || p.Duration != tc.duration {
				t.Errorf("name=%q signal=%s run=%q duration=%s; want %q %s %q %s", p.Name, p.Signal, p.RunID, p.Duration, tc.name, tc.signal, tc.runID, tc.duration)
			}
			if (p.ExitCode == nil) != (tc.exit == nil) || (p.ExitCode != nil && *p.ExitCode != *tc.exit) {
				t.Errorf("exit code %v, want %v", deref(p.ExitCode), deref(tc.exit))
			}
			if !strings.Contains(p.Message, tc.message) {
				t.Errorf("message %q does not contain %q", p.Message, tc.message)
			}
			if !p.SentAt.Equal(sent) || p.Source == "" || !strings.HasPrefix(p.Source, "aws.") || p.ClientTime.IsZero() {
				t.Errorf("sent %s source %q client %s: want the queue's time, the AWS source and the event's time", p.SentAt, p.Source, p.ClientTime)
			}
			if err := ValidateName(p.Name); err != nil {
				t.Errorf("memon-config set would refuse %q: %v", p.Name, err)
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "awsevents", "*.json"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no case", f)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}

func TestDecodeBodyKeepsMemonPings(t *testing.T) {
	t.Parallel()
	p, err := DecodeBody([]byte(`{"name": "backup", "time": 1700000000}`), at(1700000100))
	if err != nil || p.Name != "backup" || p.Signal != Success || p.Source != "" {
		t.Fatalf("got %+v, %v", p, err)
	}
}

func TestDecodeAWSEventBounds(t *testing.T) {
	t.Parallel()
	big := `{"detail-type": "Glue Job State Change", "source": "aws.glue", "detail": {"jobName": "j", "state": "SUCCEEDED", "message": "` +
		strings.Repeat("x", MaxAWSEventBody) + `"}}`
	var fe *FieldError
	if _, err := DecodeBody([]byte(big), at(1700000000)); !errors.As(err, &fe) || fe.Field != "body" {
		t.Fatalf("oversized event: %v", err)
	}
	long := `{"detail-type": "Glue Job State Change", "source": "aws.glue", "detail": {"jobName": "j", "state": "FAILED", "message": "` +
		strings.Repeat("y", 2*MaxMessageLen) + `"}}`
	p, err := DecodeBody([]byte(long), at(1700000000))
	if err != nil || len(p.Message) != MaxMessageLen {
		t.Fatalf("long message kept %d bytes, %v", len(p.Message), err)
	}
	ctl := `{"detail-type": "Glue Job State Change", "source": "aws.glue", "detail": {"jobName": "j\u202eevil", "state": "FAILED"}}`
	if _, err := DecodeBody([]byte(ctl), at(1700000000)); !errors.As(err, &fe) || fe.Field != "name" {
		t.Fatalf("a bidi override in a job name: %v", err)
	}
}

func TestAWSNamesForSet(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"batch:nightly-etl", "states:invoice-run", "glue:clickstream to parquet", "codebuild:" + strings.Repeat("p", 255),
		"ecs:s3-sync", "backup:RDS:orders-db"} {
		if err := ValidateName(name); err != nil {
			t.Errorf("ValidateName(%q): %v", name, err)
		}
	}
	for _, name := range []string{"glue: leading space", "codebuild:" + strings.Repeat("p", 300), "ecs:a\nb"} {
		if err := ValidateName(name); err == nil {
			t.Errorf("ValidateName(%q) accepted", name)
		}
	}
	// A pasteable command quotes what the shell would split.
	if got := ShellWord("glue:clickstream to parquet"); got != "'glue:clickstream to parquet'" {
		t.Errorf("ShellWord = %s", got)
	}
	// Not an AWS prefix: the usual 80-character rule still holds.
	if err := ValidateName("mine:" + strings.Repeat("x", 80)); err == nil {
		t.Error("a long non-AWS name was accepted")
	}
}

func TestAWSSourcePatterns(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, s := range AWSSources() {
		keys = append(keys, s.Key)
		if len(s.Succeeded) == 0 || s.Source == "" || s.DetailType == "" || s.Field == "" {
			t.Errorf("%+v is incomplete", s)
		}
	}
	if got := strings.Join(keys, ","); got != "batch,states,backup,glue,codebuild,ecs" {
		t.Errorf("sources %s", got)
	}
	ecs, _ := AWSSourceByKey("ecs")
	if ecs.DefaultOn || ecs.DetailPattern()["group"] == nil {
		t.Errorf("ECS must be off by default and leave out service tasks: %+v", ecs.DetailPattern())
	}
	batch, _ := AWSSourceByKey("batch")
	if got := batch.DetailPattern()["status"]; strings.Join(got.([]string), ",") != "SUCCEEDED,FAILED" {
		t.Errorf("batch pattern %v", got)
	}
}

// TestAWSServicesAreTheSources: the name rule the sender checks knows the
// same service prefixes as the decoder.
func TestAWSServicesAreTheSources(t *testing.T) {
	var keys []string
	for _, s := range AWSSources() {
		keys = append(keys, s.Key)
	}
	if got := ping.AWSServices(); !slices.Equal(got, keys) {
		t.Fatalf("ping.AWSServices() = %v, the AWS sources are %v", got, keys)
	}
}
