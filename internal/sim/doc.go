// Package sim is a month of fleet life in memory: thousands of events of
// every schedule kind and alert control, their jobs pinging on time, late,
// never, twice and out of order, failing, paused and resumed, created,
// rescheduled and deleted by people,
// driven through the real poller (internal/poller) on the
// in-memory adapters of internal/fake with one virtual clock, while pollers
// crash between any two calls, two of them overlap and the topic fails for
// hours. An oracle written from the documented semantics (the README, the
// seed's SEMANTICS.md and pkg/memon's doc comments), never by calling the
// engine's decisions, predicts every alert; the run compares.
//
// It is test support: only its tests and `make soak` run it. It imports
// the poller, the fakes and pkg/memon's types, never an AWS adapter.
package sim
