package poller

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/pkg/memon"
)

// BenchmarkPollPeakMemory: the poller's peak memory for one
// poll of the worst-case queue, through the real SQS client against moto:
//   - queue=16KiB: the stack's queue (MaximumMessageSize 16 KiB) full of
//     pings of the maximum size, fail pings with output for 100 events, more
//     than one full round (500 messages, 10 per receive, 4 receivers);
//   - queue=1MiB: a queue without the stack's limit (SQS allows 1 MiB) holding messages far
//     larger than a ping (whatever the queue returns).
//
// Peak is the most memory the Go runtime held from the OS during the poll
// (all of this process: the poll, the SDK clients, the test), sampled every
// millisecond. The Lambda has 128 MB; the bound is 64 MB. Run: make bench.
func BenchmarkPollPeakMemory(b *testing.B) {
	for _, tc := range []struct {
		name             string
		maxSize, count   int
		bodySize, events int
	}{
		{"queue=16KiB", memon.MaxMessageBody, 520, memon.MaxMessageBody, 100},
		{"queue=1MiB", 1 << 20, 40, 1<<20 - 64, 10},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.StopTimer()
			for range b.N {
				e := newBenchHarness(b)
				if _, err := e.sqs.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &e.res.QueueURL,
					Attributes: map[string]string{"MaximumMessageSize": strconv.Itoa(tc.maxSize)}}); err != nil {
					b.Fatal(err)
				}
				e.seed(tc.events)
				e.enqueueSized(tc.count, tc.events, tc.bodySize)
				p := e.countedPollerOn(sqs.NewFromConfig(srv.Config(e.ctx), queue.LimitResponses), Config{Budget: 10 * time.Minute})
				peak, _, sum := measurePeak(func() *Summary {
					sum, _ := p.Poll(e.ctx)
					return sum
				})
				b.Logf("%s: %d messages of %d bytes: pings %d invalid %d alerts %d errors %d, peak %.1f MB",
					tc.name, tc.count, tc.bodySize, sum.Pings, sum.Invalid, sum.AlertsSent, sum.Errors, peak)
				b.ReportMetric(peak, "peak-MB")
				b.ReportMetric(float64(tc.bodySize), "message-bytes")
				b.ReportMetric(0, "ns/op")
			}
		})
	}
}

// enqueueSized sends count fail pings of bodySize bytes for events
// job-00000.. (round robin), ten to a batch when they fit.
func (e *harness) enqueueSized(count, events, bodySize int) {
	e.t.Helper()
	body := func(i int) string {
		head := fmt.Sprintf(`{"name":"job-%05d","time":%d,"signal":"fail","exit_code":1,"message":"`, i%events, time.Now().Unix())
		return head + strings.Repeat("x", bodySize-len(head)-2) + `"}`
	}
	per := max(1, min(10, 256*1024/bodySize)) // a batch is at most 256 KiB
	for start := 0; start < count; start += per {
		var entries []qtypes.SendMessageBatchRequestEntry
		for i := start; i < min(start+per, count); i++ {
			entries = append(entries, qtypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body(i))})
		}
		if _, err := e.sqs.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &e.res.QueueURL, Entries: entries}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// measurePeak runs f and returns the most memory, in MB, the Go runtime
// held from the OS (mapped and not released) while it ran, and what it held
// just before.
func measurePeak(f func() *Summary) (peakMB, beforeMB float64, _ *Summary) {
	runtime.GC()
	debug.FreeOSMemory()
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	held := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() - samples[1].Value.Uint64()
	}
	var (
		peak uint64
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	peak = held()
	before := peak
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, held())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	sum := f()
	close(done)
	wg.Wait()
	peak = max(peak, held())
	return float64(peak) / (1 << 20), float64(before) / (1 << 20), sum
}
