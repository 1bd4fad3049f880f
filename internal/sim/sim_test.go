package sim

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var (
	seed   = flag.Uint64("sim.seed", 0, "replay this seed (0: the fixed CI seed, or a fresh one with -sim.soak)")
	soak   = flag.Bool("sim.soak", false, "the long run: 1,000 events of each schedule kind for 30 virtual days")
	days   = flag.Int("sim.days", 0, "virtual days (default 2, or 30 with -sim.soak)")
	kinds  = flag.Int("sim.events", 0, "events of each schedule kind (default 40, or 1000 with -sim.soak)")
	outs   = flag.Int("sim.outages", -1, "topic outages (default 1, or 4 with -sim.soak)")
	outMax = flag.Duration("sim.outage-max", 0, "the longest topic outage (default 2h, or 6h with -sim.soak)")
	trace  = flag.String("sim.trace", "", "print these events' lives (comma-separated names) in time order: pings and edits, faults, the poller's log lines, their alerts and the oracle's")
)

// TestFleetMonth lives a fleet's life through the real poller and compares
// every alert with the oracle. The short run (CI) takes seconds; `make
// soak` runs a month of 3,000 events. A failure prints the seed: replay it
// with -sim.seed.
func TestFleetMonth(t *testing.T) {
	cfg := Config{Seed: 1, PerKind: 40, Days: 2, Outages: 1, OutageMax: 2 * time.Hour}
	if *soak {
		cfg = Config{Seed: uint64(time.Now().UnixNano()), PerKind: 1000, Days: 30, Outages: 4, OutageMax: 6 * time.Hour}
	}
	if *seed != 0 {
		cfg.Seed = *seed
	}
	if *days > 0 {
		cfg.Days = *days
	}
	if *kinds > 0 {
		cfg.PerKind = *kinds
	}
	if *outs >= 0 {
		cfg.Outages = *outs
	}
	if *outMax > 0 {
		cfg.OutageMax = *outMax
	}
	if *trace != "" {
		cfg.Trace, cfg.Log = *trace, os.Stdout
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("seed %d: %v", cfg.Seed, err)
	}
	t.Log(rep)
	if len(rep.Problems) > 0 {
		t.Fatalf("seed %d (replay: go test ./internal/sim -run TestFleetMonth -args -sim.seed %d%s): %d problems:\n%s",
			cfg.Seed, cfg.Seed, replayFlags(cfg), len(rep.Problems), strings.Join(rep.Problems, "\n"))
	}
}

func replayFlags(cfg Config) string {
	if !*soak {
		return ""
	}
	return " -sim.soak"
}
