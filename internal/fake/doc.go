// Package fake holds in-memory implementations of MEMon's ports, shared by
// every test that needs a queue, a store or a publisher without a server:
// a Queue with SQS semantics (visibility timeout, redelivery, receive count,
// SentTimestamp, receipt handles, batch delete, a dead-letter queue), a
// Store with DynamoDB's (conditional writes on the version, a due index that
// can lag, history, CONFIG claims) and a Publisher that records alerts.
// Every call can be made to fail (Faults), so a test can prove that nothing
// is lost whichever call fails.
//
// It speaks only domain types: it imports pkg/memon and the standard
// library, never the AWS SDK or an adapter. It is test support: production
// code never imports it.
package fake
