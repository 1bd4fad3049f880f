#!/usr/bin/env python3
"""Alerts for `make demo`: a queue subscribed to MEMon's topic, read back.

  demo-alerts.py subscribe TOPIC_ARN QUEUE_NAME   create the queue, subscribe
                                                  it, print its URL
  demo-alerts.py drain QUEUE_URL                  drop what the queue holds
  demo-alerts.py watch QUEUE_URL SUBJECT [SECS]   print alerts as they arrive
                                                  until SUBJECT is among them
                                                  (exit 1 after SECS, def. 20)

Uses boto3 (it comes with moto) and the standard AWS_* environment, i.e.
.local/memon.env: AWS_ENDPOINT_URL points it at the local moto. moto's
CloudFormation creates no SNS subscriptions, hence this helper.
"""
import json
import sys
import time

import boto3


def subscribe(topic_arn, name):
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    print(url)


def receive(sqs, url, wait):
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
    for m in msgs:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return msgs


def drain(url):
    sqs = boto3.client("sqs")
    while receive(sqs, url, 0):
        pass


def show(body):
    """Print one SNS notification: its Subject, attributes, first lines."""
    env = json.loads(body)
    attrs = {k: v.get("Value") for k, v in env.get("MessageAttributes", {}).items()}
    subject = env.get("Subject", "(no subject)")
    print(f"    ALERT  {subject}    [kind={attrs.get('kind')} event={attrs.get('event')}]")
    text = env.get("Message", "")
    try:  # an SQS subscriber gets the chat JSON; it carries the e-mail text
        text = json.loads(text)["metadata"]["additionalContext"]["text"]
    except (ValueError, KeyError, TypeError):
        pass
    for line in text.splitlines()[:3]:
        if line.strip():
            print(f"           | {line}")
    return subject


def watch(url, want, secs):
    sqs = boto3.client("sqs")
    deadline = time.time() + secs
    seen = False
    while time.time() < deadline:
        msgs = receive(sqs, url, 1)
        for m in msgs:
            seen = show(m["Body"]) == want or seen
        if seen and not msgs:
            return 0
    if seen:
        return 0
    print(f"demo: error: no alert {want!r} within {secs}s", file=sys.stderr)
    return 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "subscribe":
        subscribe(argv[1], argv[2])
    elif len(argv) == 2 and argv[0] == "drain":
        drain(argv[1])
    elif len(argv) in (3, 4) and argv[0] == "watch":
        return watch(argv[1], argv[2], float(argv[3]) if len(argv) == 4 else 20)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
