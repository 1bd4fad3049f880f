package dynamo

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// indexed are the attributes the poller and other tools read to find and
// judge an item. An item memon.py wrote has none of them; one edited in the
// console may hold stale values. Reconcile rewrites those items.
var indexed = []string{schema.AttrType, schema.AttrState}

// Reconcile scans the table and rewrites every usable event whose
// attributes differ from what MEMon writes (no Version, a stale State or
// Type, an index key of an earlier release), so items from memon.py and hand
// edits in the console are watched. It returns the names it fixed and the
// items it could not use. It reads the whole table: the poller runs it once
// an hour, not every poll.
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
				// Written by someone else meanwhile: that write is MEMon's or is on the stream.
			case err != nil:
				return fixed, unusable, err
			default:
				fixed = append(fixed, ev.Name)
			}
		}
	}
	return fixed, unusable, nil
}

// inSync reports whether item is as MEMon's own write of ev leaves it.
func inSync(item Item, ev *memon.Event) bool {
	want, _ := encodeEvent(ev)
	for _, a := range indexed {
		if !reflect.DeepEqual(item[a], want[a]) {
			return false
		}
	}
	for _, a := range []string{schema.AttrDueAt, schema.AttrDueShard, schema.AttrAlertAt} {
		if item[a] != nil {
			return false // an earlier release's index key: a write removes it
		}
	}
	_, versioned := item[schema.AttrVersion]
	return versioned
}
