package fake

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/peerj/memon/pkg/memon"
)

// Publisher records the alerts published to it, in order. Safe for
// concurrent use.
type Publisher struct {
	Faults *Faults

	mu     sync.Mutex
	alerts []memon.Alert
}

// Publish records a; an injected fault records nothing.
func (p *Publisher) Publish(_ context.Context, a memon.Alert) error {
	if err := p.Faults.hit(OpPublish); err != nil {
		return fmt.Errorf("publish %s alert for %q: %w", a.Kind, a.Event, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.alerts = append(p.alerts, a)
	return nil
}

// Alerts returns the alerts published so far.
func (p *Publisher) Alerts() []memon.Alert {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.alerts)
}

// Take returns the alerts published since the last Take and forgets them.
func (p *Publisher) Take() []memon.Alert {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.alerts
	p.alerts = nil
	return out
}

// Kinds renders alerts as sorted "event:kind" strings, easy to compare.
func Kinds(alerts []memon.Alert) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = a.Event + ":" + string(a.Kind)
	}
	slices.Sort(out)
	return out
}
