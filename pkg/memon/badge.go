package memon

// BadgeState is what a badge says of a group of events (a tag, every
// event, or one): the three states healthchecks' badges show.
type BadgeState string

const (
	BadgeUp   BadgeState = "up"   // none in trouble and none in grace
	BadgeLate BadgeState = "late" // some past their deadline, inside their grace; none in trouble
	BadgeDown BadgeState = "down" // some in trouble: down, failed, overdue or unusable
)

// Badge counts a group of events by the one status model: Total events,
// Grace of them late, Down of them in trouble (Status.Trouble). New and
// paused events count as up: they are not failing.
type Badge struct {
	Status BadgeState `json:"status"`
	Total  int        `json:"total"`
	Grace  int        `json:"grace"`
	Down   int        `json:"down"`
}

// Add counts one more event with status s.
func (b *Badge) Add(s Status) {
	b.Total++
	switch {
	case s.Trouble():
		b.Down++
	case s == StatusLate:
		b.Grace++
	}
	switch {
	case b.Down > 0:
		b.Status = BadgeDown
	case b.Grace > 0:
		b.Status = BadgeLate
	default:
		b.Status = BadgeUp
	}
}

// NewBadge counts statuses; no status at all is up (an empty tag fails
// nothing).
func NewBadge(statuses ...Status) Badge {
	b := Badge{Status: BadgeUp}
	for _, s := range statuses {
		b.Add(s)
	}
	return b
}
