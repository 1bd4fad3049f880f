package web

// What a read-only page shows to anyone holding its link: names, statuses,
// schedules and times. A job's output, host and run id, the exit code, the
// descriptions, alert settings, the next check (which the alert settings
// and the pending alerts decide) and the reasons of transitions (which
// quote a failure's message) stay on pages that can edit, or on a
// read-only page whose deployer opted in (Options.Details). The hosted
// page's function reads no more than this shows (schema.StatusReads).

// publicSettings are the settings every page shows, by label: the schedule
// and how long its runs may be late.
var publicSettings = map[string]bool{
	"Name": true, "Schedule": true, "Cron": true, "Time zone": true, "Kind": true, "Period": true,
	"Grace": true, "Watched": true, "Missed deadlines": true,
}

func (r *row) redact() {
	r.Description, r.Problem = "", ""
}

func (o *overview) redact() {
	for i := range o.Rows {
		o.Rows[i].redact()
	}
}

func (p *eventPage) redact() {
	p.Redacted = true
	p.Row.redact()
	var keep []setting
	for _, s := range p.Settings {
		if publicSettings[s.Label] {
			keep = append(keep, s)
		}
	}
	p.Settings = keep
	if p.Next != nil {
		p.Next.Check = nil
	}
	if lr := p.LastRun; lr != nil {
		lr.Output, lr.Host, lr.RunID, lr.ExitCode = "", "", "", ""
	}
	for i := range p.History {
		p.History[i].Reason = ""
	}
}
