package memon

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Each decoder reads one service's `detail` into an awsRun. Fields are
// optional unless the mapping cannot do without them: AWS adds fields over
// the years and leaves some out (no exit code for a job that never started,
// no stop time on older events), and a missing detail only thins the ping.

var awsDecoders = map[string]func(json.RawMessage) (awsRun, error){
	"batch":     decodeBatch,
	"states":    decodeStates,
	"backup":    decodeBackup,
	"glue":      decodeGlue,
	"codebuild": decodeCodeBuild,
	"ecs":       decodeECS,
}

// unmarshalDetail reads a service's detail into d.
func unmarshalDetail(raw json.RawMessage, d any, service string) error {
	if err := json.Unmarshal(raw, d); err != nil {
		return invalid("detail", "", "the "+service+" event's detail is not the JSON object AWS documents")
	}
	return nil
}

type awsContainer struct {
	Name      string `json:"name"`
	ExitCode  *int   `json:"exitCode"`
	Reason    string `json:"reason"`
	Essential *bool  `json:"essential"`
}

// decodeBatch: "Batch Job State Change". The name is the job name. An array
// job's children (arrayProperties.index) and a multi-node job's nodes
// (jobId "ID#N") are left out: their parent job reports the run.
func decodeBatch(raw json.RawMessage) (awsRun, error) {
	var d struct {
		JobName         string       `json:"jobName"`
		JobID           string       `json:"jobId"`
		Status          string       `json:"status"`
		StatusReason    string       `json:"statusReason"`
		StartedAt       awsTime      `json:"startedAt"`
		StoppedAt       awsTime      `json:"stoppedAt"`
		Container       awsContainer `json:"container"`
		ArrayProperties struct {
			Index *int `json:"index"`
		} `json:"arrayProperties"`
		Attempts []struct {
			Container    awsContainer `json:"container"`
			StartedAt    awsTime      `json:"startedAt"`
			StoppedAt    awsTime      `json:"stoppedAt"`
			StatusReason string       `json:"statusReason"`
		} `json:"attempts"`
		// Multi-container jobs (2024) report each container here, with
		// its essential flag, and leave `container` empty.
		EcsProperties struct {
			TaskProperties []struct {
				Containers []awsContainer `json:"containers"`
			} `json:"taskProperties"`
		} `json:"ecsProperties"`
		EksProperties struct {
			PodProperties struct {
				Containers []awsContainer `json:"containers"`
			} `json:"podProperties"`
		} `json:"eksProperties"`
	}
	if err := unmarshalDetail(raw, &d, "Batch"); err != nil {
		return awsRun{}, err
	}
	if d.ArrayProperties.Index != nil || strings.Contains(d.JobID, "#") {
		return awsRun{}, fmt.Errorf("batch child job %q: %w", d.JobID, ErrAWSIgnored)
	}
	run := awsRun{state: d.Status, resource: d.JobName, runID: d.JobID,
		start: d.StartedAt.Time, stop: d.StoppedAt.Time, exitCode: d.Container.ExitCode}
	reasons := []string{d.StatusReason, d.Container.Reason}
	if n := len(d.Attempts); n > 0 {
		last := d.Attempts[n-1]
		if run.exitCode == nil {
			run.exitCode = last.Container.ExitCode
		}
		if run.start.IsZero() {
			run.start = last.StartedAt.Time
		}
		if run.stop.IsZero() {
			run.stop = last.StoppedAt.Time
		}
		reasons = append(reasons, last.StatusReason, last.Container.Reason)
	}
	if run.exitCode == nil {
		var cs []awsContainer
		for _, tp := range d.EcsProperties.TaskProperties {
			cs = append(cs, tp.Containers...)
		}
		cs = append(cs, d.EksProperties.PodProperties.Containers...)
		var why string
		_, why, run.exitCode = containersExit(cs)
		reasons = append(reasons, why)
	}
	run.message = joinReasons(reasons...)
	return run, nil
}

// containersExit decides a multi-container run's exit code: the first
// non-zero code of an essential container (every container counts as
// essential when the event does not say), else 0 when any container
// reported one, else none. It returns the code, the reason of the container
// that gave it, and the code as a pointer (nil: no container reported).
func containersExit(cs []awsContainer) (int, string, *int) {
	var seen bool
	for _, c := range cs {
		if c.ExitCode == nil || (c.Essential != nil && !*c.Essential) {
			continue
		}
		seen = true
		if *c.ExitCode != 0 {
			code := *c.ExitCode
			return code, joinReasons(fmt.Sprintf("container %s exited %d", c.Name, code), c.Reason), &code
		}
	}
	if !seen {
		return 0, "", nil
	}
	zero := 0
	return 0, "", &zero
}

// decodeStates: "Step Functions Execution Status Change". The name is the
// state machine's (from its ARN, without a version or alias qualifier), the
// run id the execution's name, the message its error and cause.
func decodeStates(raw json.RawMessage) (awsRun, error) {
	var d struct {
		ExecutionArn    string  `json:"executionArn"`
		StateMachineArn string  `json:"stateMachineArn"`
		Name            string  `json:"name"`
		Status          string  `json:"status"`
		StartDate       awsTime `json:"startDate"`
		StopDate        awsTime `json:"stopDate"`
		Error           string  `json:"error"`
		Cause           string  `json:"cause"`
	}
	if err := unmarshalDetail(raw, &d, "Step Functions"); err != nil {
		return awsRun{}, err
	}
	// arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION|ALIAS]
	var machine string
	if parts := strings.Split(d.StateMachineArn, ":"); len(parts) >= 7 && parts[5] == "stateMachine" {
		machine = parts[6]
	}
	runID := d.Name
	if runID == "" {
		runID = lastSegment(d.ExecutionArn)
	}
	msg := d.Error
	switch {
	case d.Cause != "" && d.Error != "":
		msg = d.Error + ": " + d.Cause // a cause can be long JSON: its head matters, and truncation keeps it
	case d.Cause != "":
		msg = d.Cause
	}
	return awsRun{state: d.Status, resource: machine, runID: runID,
		start: d.StartDate.Time, stop: d.StopDate.Time, message: msg, ref: d.ExecutionArn}, nil
}

// decodeBackup: "Backup Job State Change". A backup operator watches each
// protected resource ("was orders-db backed up last night?"), not the plan
// that happens to cover it, so the name is backup:<resourceType>:<resource
// id>, the id being the end of the resource ARN: backup:RDS:orders-db,
// backup:EBS:vol-0abc, backup:DynamoDB:Orders. Events without resourceType
// (older ones) take the ARN's service instead.
func decodeBackup(raw json.RawMessage) (awsRun, error) {
	var d struct {
		BackupJobID    string  `json:"backupJobId"`
		State          string  `json:"state"`
		Status         string  `json:"status"`
		ResourceArn    string  `json:"resourceArn"`
		ResourceType   string  `json:"resourceType"`
		CreationDate   awsTime `json:"creationDate"`
		CompletionDate awsTime `json:"completionDate"`
		StatusMessage  string  `json:"statusMessage"`
	}
	if err := unmarshalDetail(raw, &d, "Backup"); err != nil {
		return awsRun{}, err
	}
	state := d.State
	if state == "" {
		state = d.Status
	}
	var resource string
	if id := lastSegment(d.ResourceArn); id != "" {
		typ := d.ResourceType
		if parts := strings.Split(d.ResourceArn, ":"); typ == "" && len(parts) > 2 {
			typ = parts[2]
		}
		if typ != "" {
			resource = typ + ":" + id
		}
	}
	return awsRun{state: state, resource: resource, runID: d.BackupJobID,
		start: d.CreationDate.Time, stop: d.CompletionDate.Time, message: d.StatusMessage}, nil
}

// decodeGlue: "Glue Job State Change". Glue's event carries no start or end
// time, so its pings have no duration.
func decodeGlue(raw json.RawMessage) (awsRun, error) {
	var d struct {
		JobName  string `json:"jobName"`
		JobRunID string `json:"jobRunId"`
		State    string `json:"state"`
		Message  string `json:"message"`
	}
	if err := unmarshalDetail(raw, &d, "Glue"); err != nil {
		return awsRun{}, err
	}
	return awsRun{state: d.State, resource: d.JobName, runID: d.JobRunID, message: d.Message}, nil
}

// decodeCodeBuild: "CodeBuild Build State Change". The run id is the build id
// (PROJECT:UUID); the duration runs from the build's start to the end of its
// last phase; the message lists the phases that did not succeed.
func decodeCodeBuild(raw json.RawMessage) (awsRun, error) {
	var d struct {
		Status  string `json:"build-status"`
		Project string `json:"project-name"`
		BuildID string `json:"build-id"`
		Info    struct {
			Start  awsTime `json:"build-start-time"`
			Phases []struct {
				Type    string   `json:"phase-type"`
				Status  string   `json:"phase-status"`
				Start   awsTime  `json:"start-time"`
				End     awsTime  `json:"end-time"`
				Context []string `json:"phase-context"`
			} `json:"phases"`
		} `json:"additional-information"`
	}
	if err := unmarshalDetail(raw, &d, "CodeBuild"); err != nil {
		return awsRun{}, err
	}
	runID := d.BuildID
	if _, id, ok := strings.Cut(d.BuildID, ":build/"); ok {
		runID = id
	}
	run := awsRun{state: d.Status, resource: d.Project, runID: runID, start: d.Info.Start.Time}
	var reasons []string
	for _, ph := range d.Info.Phases {
		if t := ph.End.Time; t.After(run.stop) {
			run.stop = t
		}
		if t := ph.Start.Time; t.After(run.stop) { // COMPLETED has a start only
			run.stop = t
		}
		if ph.Status != "" && ph.Status != "SUCCEEDED" {
			reasons = append(reasons, joinReasons(append([]string{ph.Type + " " + ph.Status}, ph.Context...)...))
		}
	}
	run.message = joinReasons(reasons...)
	return run, nil
}

// decodeECS: "ECS Task State Change" with lastStatus STOPPED. The name is
// the task definition's family, the run id the task id. ECS events do not
// say which containers are essential, so: the task failed when it never
// started (stopCode TaskFailedToStart) or was stopped from outside (a user,
// a Spot interruption), or when a container exited non-zero. A container
// that exited 137 or 143 (SIGKILL, SIGTERM) while another exited 0 is a
// sidecar ECS stopped after the essential container finished, and does not
// count.
func decodeECS(raw json.RawMessage) (awsRun, error) {
	var d struct {
		TaskArn           string         `json:"taskArn"`
		TaskDefinitionArn string         `json:"taskDefinitionArn"`
		LastStatus        string         `json:"lastStatus"`
		StopCode          string         `json:"stopCode"`
		StoppedReason     string         `json:"stoppedReason"`
		StartedAt         awsTime        `json:"startedAt"`
		StoppedAt         awsTime        `json:"stoppedAt"`
		Containers        []awsContainer `json:"containers"`
	}
	if err := unmarshalDetail(raw, &d, "ECS"); err != nil {
		return awsRun{}, err
	}
	// arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION
	var family string
	if _, fr, ok := strings.Cut(d.TaskDefinitionArn, ":task-definition/"); ok {
		family, _, _ = strings.Cut(fr, ":")
	}
	run := awsRun{state: d.LastStatus, resource: family, runID: lastSegment(d.TaskArn),
		start: d.StartedAt.Time, stop: d.StoppedAt.Time}
	cs := d.Containers
	var anyZero bool
	for _, c := range cs {
		anyZero = anyZero || (c.ExitCode != nil && *c.ExitCode == 0)
	}
	if anyZero {
		kept := cs[:0:0]
		for _, c := range cs {
			if c.ExitCode == nil || (*c.ExitCode != 137 && *c.ExitCode != 143) {
				kept = append(kept, c)
			}
		}
		cs = kept
	}
	code, why, exit := containersExit(cs)
	run.exitCode = exit
	switch d.StopCode {
	case "TaskFailedToStart", "UserInitiated", "SpotInterruption", "TerminationNotice":
		run.failed = true
	}
	run.failed = run.failed || code != 0
	run.message = joinReasons(d.StoppedReason, why)
	if d.StopCode != "" && run.failed && !strings.Contains(run.message, d.StopCode) {
		run.message = joinReasons(d.StopCode, run.message)
	}
	return run, nil
}
