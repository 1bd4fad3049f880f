// Package queue is MEMon's SQS adapter: memon-send puts pings on the queue
// (send.go) and the poller drains it (receive.go). It speaks in memon terms
// (messages, pings) and knows nothing of DynamoDB or SNS.
package queue
