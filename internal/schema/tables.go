package schema

// The key layout of MEMon's tables, declared once in plain Go: the CDK stack
// (infra) builds its tables from it, and the test helpers that create tables
// without deploying the stack (internal/mototest) create them from it.

// KeyAttr is a key attribute: its name, and whether it is a number (else a
// string).
type KeyAttr struct {
	Name   string
	Number bool
}

// IndexSchema is a global secondary index that projects keys only.
type IndexSchema struct {
	Name        string
	Hash, Range KeyAttr
}

// TableSchema is a table's keys, indexes, time-to-live attribute and
// whether it has a change stream (new and old images). A zero Range means
// a hash key only.
type TableSchema struct {
	Hash, Range KeyAttr
	Indexes     []IndexSchema
	TTL         string
	Stream      bool
}

var (
	// EventsTable: one item per event; the stream is how the poller sees
	// every writer's writes and keeps its deadline table. DueShardIndex, the
	// previous release's due index, is unused and empties; it stays one
	// release, as CloudFormation removes only one index per table update
	// and this release removes DueIndex. The next removes DueShardIndex.
	EventsTable = TableSchema{
		Hash: KeyAttr{Name: AttrName},
		Indexes: []IndexSchema{
			{Name: DueShardIndex, Hash: KeyAttr{Name: AttrDueShard}, Range: KeyAttr{Name: AttrDueAt, Number: true}},
		},
		Stream: true,
	}
	// HistoryTable: transitions, CONFIG claims, daily records and the
	// poll lease, by name and time; records expire.
	HistoryTable = TableSchema{Hash: KeyAttr{Name: HistName}, Range: KeyAttr{Name: HistTime}, TTL: HistExpiresAt}
	// TokensTable (with httpPings): a ping token's hash names its event;
	// TokenEventIndex finds every token naming an event, so `delete` and
	// `token --rotate` revoke them all, whoever removed the item before.
	TokensTable = TableSchema{Hash: KeyAttr{Name: AttrTokenHash},
		Indexes: []IndexSchema{{Name: TokenEventIndex, Hash: KeyAttr{Name: TokenName}}}}
)
