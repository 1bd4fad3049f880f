package dynamo

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/pkg/memon"
)

// indexed are the attributes the due index and the poller depend on. An item
// memon.py wrote has none of them; one edited in the console may hold stale
// values. Reconcile rewrites those items.
var indexed = []string{memon.AttrDueAt, memon.AttrDueShard, memon.AttrType, memon.AttrState}

// Reconcile scans the table and rewrites every usable event whose index
// attributes differ from what its configuration and state imply, so items
// from memon.py and hand edits in the console are watched. It returns the
// names it fixed and the items it could not use. It reads the whole table:
// the poller runs it once an hour, not every poll.
func (s *Store) Reconcile(ctx context.Context) (fixed []string, unusable []memon.Listed, err error) {
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: &s.table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fixed, unusable, fmt.Errorf("scan %s: %w", s.table, err)
		}
		for _, item := range page.Items {
			ev, derr := decodeEvent(item)
			if derr != nil {
				unusable = append(unusable, memon.Listed{Event: ev, Err: derr})
				continue
			}
			if inSync(item, ev) {
				continue
			}
			switch err := s.Save(ctx, ev); {
			case errors.Is(err, memon.ErrConflict):
				// Written by someone else meanwhile: that write set the index.
			case err != nil:
				return fixed, unusable, err
			default:
				fixed = append(fixed, ev.Name)
			}
		}
	}
	return fixed, unusable, nil
}

func inSync(item Item, ev *memon.Event) bool {
	want, remove := encodeEvent(ev)
	for _, a := range indexed {
		if !reflect.DeepEqual(item[a], want[a]) {
			return false
		}
	}
	for _, a := range remove {
		switch a {
		case memon.AttrDueAt, memon.AttrDueShard, memon.AttrAlertAt: // AlertAt: not re-keyed since sharding
			if item[a] != nil {
				return false
			}
		}
	}
	_, versioned := item[memon.AttrVersion]
	return versioned
}
