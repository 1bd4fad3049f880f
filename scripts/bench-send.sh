#!/usr/bin/env bash
# bench-send.sh: whole-process wall time of memon-send versus the aws CLI
# sending the same ping to the same queue.
#
#   scripts/bench-send.sh ENDPOINT QUEUE_URL [N]
#   e.g. scripts/bench-send.sh http://localhost:5055 http://localhost:5055/123456789012/memon 20
#
# Runs bin/memon-send (build it with `make build`) and
# `aws sqs send-message --endpoint-url ENDPOINT` N times each (default 20),
# one after another, and prints total and per-run time and their ratio.
# Uses dummy credentials unless AWS_ACCESS_KEY_ID is set: point it at a local
# moto (`moto_server -H 127.0.0.1 -p PORT`), never at a real account.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
  echo "usage: $0 ENDPOINT QUEUE_URL [N]  (e.g. http://localhost:5055 http://localhost:5055/123456789012/memon 20)" >&2
  exit 2
fi
endpoint=$1 queue_url=$2 n=${3:-20}
bin=bin/memon-send
[ -x "$bin" ] || { echo "$0: $bin missing: run \`make build\` first" >&2; exit 1; }
command -v aws >/dev/null || { echo "$0: the aws CLI is not on PATH" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}
export AWS_ENDPOINT_URL=$endpoint AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE

now_ns() { date +%s%N; }

# time_runs NAME CMD...: runs CMD n times, fails on the first error, prints ns.
time_runs() {
  local start end i
  start=$(now_ns)
  for ((i = 0; i < n; i++)); do
    "$@" >/dev/null || { echo "$0: run $i of $* failed" >&2; exit 1; }
  done
  end=$(now_ns)
  echo $((end - start))
}

body=$(printf '{"name":"bench","time":%s}' "$(date +%s)")
# Warm both (page cache, Python bytecode) so neither pays a first-run cost.
"$bin" --queue-url "$queue_url" bench >/dev/null
aws sqs send-message --endpoint-url "$endpoint" --queue-url "$queue_url" --message-body "$body" >/dev/null

ms_ns=$(time_runs "$bin" --queue-url "$queue_url" bench)
aws_ns=$(time_runs aws sqs send-message --endpoint-url "$endpoint" --queue-url "$queue_url" --message-body "$body")

awk -v n="$n" -v a="$ms_ns" -v b="$aws_ns" -v size="$(stat -c %s "$bin")" 'BEGIN {
  printf "%-24s %5s %10s %12s\n", "sender", "runs", "total s", "per run ms"
  printf "%-24s %5d %10.2f %12.1f\n", "bin/memon-send", n, a/1e9, a/1e6/n
  printf "%-24s %5d %10.2f %12.1f\n", "aws sqs send-message", n, b/1e9, b/1e6/n
  printf "ratio aws/memon-send: %.1fx   (memon-send binary: %d bytes)\n", b/a, size
}'
