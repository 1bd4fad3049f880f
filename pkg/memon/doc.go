// Package memon is MEMon's domain: an event, its schedule, its state machine
// and the alerts it decides, as plain Go functions of (event, ping, now).
//
// It must never import the AWS SDK or aws-lambda-go: adapters in sibling
// packages translate between this package and SQS, DynamoDB and SNS.
package memon
