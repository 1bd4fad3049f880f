package fake

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Queue is an in-memory queue with the SQS semantics the poller relies on:
// a received message is hidden for the visibility timeout and then handed
// out again with a new receipt handle and a higher receive count; a delete
// needs the latest receipt handle; SentAt is when the queue accepted the
// message, by the queue's clock; after MaxReceives receives a message moves
// to the DeadLetter queue. Receive never waits: an empty answer means empty.
type Queue struct {
	Visibility  time.Duration // how long a received message stays hidden (default 110s, the stack's)
	MaxReceives int           // receives before a message moves to DeadLetter (0: never)
	DeadLetter  *Queue
	Batch       int  // messages per Receive (default 10, SQS's maximum)
	NewestFirst bool // hand out the newest visible messages first: SQS does not keep order
	Faults      *Faults

	now    func() time.Time
	mu     sync.Mutex
	msgs   []*queued // in send order; removed ones are marked gone and compacted later
	byID   map[string]*queued
	gone   int
	nextID int
	// Receives and Deletes count the calls, as SQS would bill them.
	receives, deletes int
}

type queued struct {
	msg         memon.QueueMessage
	hiddenUntil time.Time
	gone        bool
}

// NewQueue returns an empty queue on the clock now.
func NewQueue(now func() time.Time) *Queue {
	return &Queue{now: now, Visibility: 110 * time.Second, Batch: 10, byID: map[string]*queued{}}
}

// Send puts a message on the queue and returns its id.
func (q *Queue) Send(body string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextID++
	id := "m" + strconv.Itoa(q.nextID)
	q.add(memon.QueueMessage{ID: id, Body: []byte(body), SentAt: q.now()})
	return id
}

// Receive hands out up to Batch visible messages, hiding each for the
// visibility timeout.
func (q *Queue) Receive(_ context.Context) ([]memon.QueueMessage, error) {
	if err := q.Faults.hit(OpReceive); err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.receives++
	now := q.now()
	var out, dead []memon.QueueMessage
	for i := range q.msgs {
		if len(out) >= max(q.Batch, 1) {
			break
		}
		m := q.msgs[i]
		if q.NewestFirst {
			m = q.msgs[len(q.msgs)-1-i]
		}
		if m.gone || m.hiddenUntil.After(now) {
			continue
		}
		if q.DeadLetter != nil && q.MaxReceives > 0 && m.msg.ReceiveCount >= q.MaxReceives {
			dead = append(dead, m.msg)
			continue
		}
		m.msg.ReceiveCount++
		m.msg.Receipt = m.msg.ID + "#" + strconv.Itoa(m.msg.ReceiveCount)
		m.hiddenUntil = now.Add(q.Visibility)
		out = append(out, cloneMessage(m.msg))
	}
	for _, m := range dead { // the redrive policy: moved instead of received
		q.remove(m.ID)
		q.DeadLetter.put(m)
	}
	return out, nil
}

// Delete removes messages by their receipt handles, as DeleteMessageBatch
// does, and returns the ones it could not delete: a receipt voided by a
// later receive fails. Deleting a message already gone succeeds.
func (q *Queue) Delete(_ context.Context, msgs []memon.QueueMessage) ([]memon.QueueMessage, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	if err := q.Faults.hit(OpDelete); err != nil {
		return msgs, fmt.Errorf("delete %d messages: %w", len(msgs), err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deletes += (len(msgs) + 9) / 10
	var failed []memon.QueueMessage
	for _, m := range msgs {
		cur := q.find(m.ID)
		switch {
		case cur == nil:
		case cur.msg.Receipt != m.Receipt:
			failed = append(failed, m)
		default:
			q.remove(m.ID)
		}
	}
	if len(failed) > 0 {
		return failed, fmt.Errorf("delete %d messages: ReceiptHandleIsInvalid", len(failed))
	}
	return nil, nil
}

// Len counts the messages on the queue, visible or in flight.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.byID)
}

// Messages returns the messages on the queue (visible or not), oldest first.
func (q *Queue) Messages() []memon.QueueMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]memon.QueueMessage, 0, len(q.byID))
	for _, m := range q.msgs {
		if !m.gone {
			out = append(out, cloneMessage(m.msg))
		}
	}
	return out
}

// Calls counts the Receive calls and the DeleteMessageBatch requests (ten
// messages each) made so far.
func (q *Queue) Calls() (receives, deleteBatches int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.receives, q.deletes
}

// put adds a message moved from another queue, keeping its id, body,
// SentAt and receive count.
func (q *Queue) put(m memon.QueueMessage) {
	q.mu.Lock()
	defer q.mu.Unlock()
	m.Receipt = ""
	q.add(m)
}

func (q *Queue) add(m memon.QueueMessage) {
	qm := &queued{msg: m}
	q.msgs = append(q.msgs, qm)
	q.byID[m.ID] = qm
}

func (q *Queue) find(id string) *queued { return q.byID[id] }

func (q *Queue) remove(id string) {
	m := q.byID[id]
	if m == nil {
		return
	}
	m.gone = true
	delete(q.byID, id)
	if q.gone++; q.gone > 64 && q.gone > len(q.msgs)/2 {
		live := q.msgs[:0:0]
		for _, m := range q.msgs {
			if !m.gone {
				live = append(live, m)
			}
		}
		q.msgs, q.gone = live, 0
	}
}

func cloneMessage(m memon.QueueMessage) memon.QueueMessage {
	m.Body = append([]byte(nil), m.Body...)
	return m
}
