package dynamo

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Reader reads events and their history as the public read function does:
// every read asks for the attributes of its schema.Reads and no others
// (a projection, Select SPECIFIC_ATTRIBUTES), which is all its role may
// read. It has no writes: an event read in part must never be saved back.
type Reader struct{ s *Store }

// NewReader returns a reader of the events and history tables that asks
// only for r's attributes.
func NewReader(db API, table, history string, r schema.Reads) *Reader {
	s := New(db, table, history)
	s.eventAttrs = newProjection(r.Events, map[string][]string{schema.AttrToday: r.Today})
	s.historyAttrs = newProjection(r.History, nil)
	return &Reader{s: s}
}

// List reads every event, in part (Store.List).
func (r *Reader) List(ctx context.Context) ([]memon.Listed, error) { return r.s.List(ctx) }

// Get reads one event, in part (Store.Get).
func (r *Reader) Get(ctx context.Context, name string) (*memon.Event, error) {
	return r.s.Get(ctx, name)
}

// History reads an event's transitions since a time, in part (Store.History).
func (r *Reader) History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error) {
	return r.s.History(ctx, name, since)
}

// Days reads an event's daily records, in part (Store.Days).
func (r *Reader) Days(ctx context.Context, name string, from, to time.Time) ([]memon.DayCounts, error) {
	return r.s.Days(ctx, name, from, to)
}

// projection is the part of an item a read asks for; the zero value asks
// for the whole item.
type projection struct {
	expr  string
	names map[string]string // the expression's placeholders (#p0...), every name being one
}

// newProjection asks for attrs; a map attribute in sub is asked for by its
// keys alone (Today.Runs, ...), when it has any.
func newProjection(attrs []string, sub map[string][]string) projection {
	p := projection{names: map[string]string{}}
	name := func(n string) string {
		ph := "#p" + strconv.Itoa(len(p.names))
		p.names[ph] = n
		return ph
	}
	var paths []string
	for _, a := range attrs {
		keys := sub[a]
		if len(keys) == 0 {
			paths = append(paths, name(a))
			continue
		}
		m := name(a)
		for _, k := range keys {
			paths = append(paths, m+"."+name(k))
		}
	}
	p.expr = strings.Join(paths, ", ")
	return p
}

// apply sets the read's projection: its expression, its names beside the
// read's own (names, which may be nil), and for a query or scan its Select.
func (p projection) apply(expr **string, names *map[string]string, sel *types.Select) {
	if p.expr == "" {
		return
	}
	e := p.expr
	*expr = &e
	if *names == nil {
		*names = map[string]string{}
	}
	maps.Copy(*names, p.names)
	if sel != nil {
		*sel = types.SelectSpecificAttributes
	}
}
