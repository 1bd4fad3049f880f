package poller

import (
	"fmt"

	"github.com/peerj/memon/pkg/memon"
)

// decode reads a received message as a ping. A message the receiver found
// larger than a ping may be has no body left to read (it was dropped so a
// poll's memory stays bounded): it is invalid, and is left in the queue for
// the dead-letter queue like any other.
func decode(m memon.QueueMessage) (memon.Ping, error) {
	if m.Oversize > 0 {
		return memon.Ping{}, fmt.Errorf("body of %d bytes: a ping is at most %d bytes (the queue's MaximumMessageSize "+
			"should have refused it: check the queue's configuration): %w", m.Oversize, memon.MaxMessageBody, memon.ErrInvalid)
	}
	return memon.DecodeBody(m.Body, m.SentAt)
}
