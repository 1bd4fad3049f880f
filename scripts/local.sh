#!/usr/bin/env bash
# MEMon on this machine, no AWS account: `make local` / `make local-down`.
#
#   scripts/local.sh up    start moto_server on localhost:$MOTO_PORT (unless
#                          something already answers there), deploy the real
#                          MEMon stack into it with the pinned CDK CLI (skipped
#                          when the stack is already complete), and write
#                          .local/memon.env (source it) and .local/outputs.json.
#   scripts/local.sh down  stop the moto_server that `up` started (pid file),
#                          never one it did not start.
#
# moto keeps everything in memory: after `down` (or a moto restart) the next
# `up` deploys again. No e-mail subscription is made.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${MOTO_PORT:-5055}"
STACK="${MEMON_STACK:-MEMon}"
DIR="${MEMON_LOCAL_DIR:-.local}" # state: pid file, logs, outputs, env file
PIDFILE="$DIR/moto.pid"
ENDPOINT="http://localhost:$PORT" # localhost, not 127.0.0.1: moto reads a dotted host as an S3 bucket
CDK=node_modules/.bin/cdk

say() { printf 'local: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

answers() { curl -sf -o /dev/null --max-time 2 "$ENDPOINT/moto-api/"; }

# The environment every AWS client below uses: moto, dummy credentials.
aws_env() {
  export AWS_ENDPOINT_URL="$ENDPOINT" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
  unset AWS_PROFILE AWS_SESSION_TOKEN
  export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=true
  export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
}

# stack_status NAME prints the CloudFormation status, or NONE.
stack_status() {
  python3 - "$1" <<'PY'
import sys, boto3
try:
    s = boto3.client("cloudformation").describe_stacks(StackName=sys.argv[1])["Stacks"][0]
    print(s["StackStatus"])
except Exception:
    print("NONE")
PY
}

# write_outputs NAME FILE writes the stack's outputs as `cdk deploy --outputs-file` does.
write_outputs() {
  python3 - "$1" "$2" <<'PY'
import json, sys, boto3
s = boto3.client("cloudformation").describe_stacks(StackName=sys.argv[1])["Stacks"][0]
out = {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])}
json.dump({sys.argv[1]: out}, open(sys.argv[2], "w"), indent=2)
PY
}

start_moto() {
  if answers; then
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      say "moto started earlier by make local (pid $(cat "$PIDFILE")) answers at $ENDPOINT"
    else
      rm -f "$PIDFILE"
      say "moto already answers at $ENDPOINT: using it (make local-down will not stop it)"
    fi
    return
  fi
  command -v moto_server >/dev/null || die "moto_server not found: pip install 'moto[server]' (make deps)"
  say "starting moto_server on localhost:$PORT (log: $DIR/moto.log)"
  nohup moto_server -H 127.0.0.1 -p "$PORT" >"$DIR/moto.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 150); do
    answers && { say "moto ready (pid $(cat "$PIDFILE"))"; return; }
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { rm -f "$PIDFILE"; die "moto_server exited; see $DIR/moto.log"; }
    sleep 0.2
  done
  die "moto_server did not answer on $ENDPOINT within 30s; see $DIR/moto.log"
}

up() {
  mkdir -p "$DIR"
  command -v python3 >/dev/null && python3 -c 'import boto3' 2>/dev/null ||
    die "python3 with boto3 is needed (it comes with moto): pip install 'moto[server]'"
  if [ ! -x "$CDK" ]; then
    say "installing the pinned CDK CLI (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  start_moto
  aws_env

  local status
  status=$(stack_status "$STACK")
  case "$status" in
    CREATE_COMPLETE | UPDATE_COMPLETE)
      say "stack $STACK is already $status in moto: not redeploying"
      ;;
    *)
      if [ "$(stack_status CDKToolkit)" != CREATE_COMPLETE ]; then
        say "cdk bootstrap aws://123456789012/us-east-1"
        "$CDK" bootstrap aws://123456789012/us-east-1 --no-notices >"$DIR/bootstrap.log" 2>&1 ||
          { cat "$DIR/bootstrap.log" >&2; die "cdk bootstrap failed"; }
      fi
      say "cdk deploy $STACK into moto (builds the poller; the first run compiles the CDK app, ~1-2 min)"
      "$CDK" deploy "$STACK" --method=direct --require-approval never --no-notices \
        --output "$DIR/cdk.out" --outputs-file "$DIR/outputs.json" >"$DIR/deploy.log" 2>&1 ||
        { tail -40 "$DIR/deploy.log" >&2; die "cdk deploy failed (full log: $DIR/deploy.log)"; }
      ;;
  esac
  write_outputs "$STACK" "$DIR/outputs.json"

  python3 - "$STACK" "$DIR/outputs.json" "$DIR/memon.env" "$ENDPOINT" <<'PY'
import json, shlex, sys
stack, outputs, env, endpoint = sys.argv[1:]
o = json.load(open(outputs))[stack]
need = ["QueueUrl", "DeadLetterQueueUrl", "TableName", "HistoryTableName", "TopicArn"]
missing = [k for k in need if not o.get(k)]
if missing:
    sys.exit("local: error: stack outputs lack " + ", ".join(missing))
lines = {
    "AWS_ENDPOINT_URL": endpoint,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",  # boto3 and the aws CLI v1 read only this one
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_EC2_METADATA_DISABLED": "true",
    "MEMON_QUEUE_URL": o["QueueUrl"],
    "MEMON_DLQ_URL": o["DeadLetterQueueUrl"],
    "MEMON_TABLE": o["TableName"],
    "MEMON_HISTORY_TABLE": o["HistoryTableName"],
    "MEMON_TOPIC_ARN": o["TopicArn"],
    "MEMON_STACK_OUTPUTS": outputs,
}
with open(env, "w") as f:
    f.write("# MEMon against the local moto stack; written by scripts/local.sh. Source it.\n")
    for k, v in lines.items():
        f.write(f"export {k}={shlex.quote(v)}\n")
PY
  say "wrote $DIR/memon.env and $DIR/outputs.json"
  say "ready: source $DIR/memon.env   (stop with: make local-down)"
}

down() {
  if [ ! -f "$PIDFILE" ]; then
    say "no moto started by make local (no $PIDFILE): nothing to stop"
    return
  fi
  local pid
  pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null && ps -p "$pid" -o args= | grep -q moto_server; then
    say "stopping moto_server (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  else
    say "moto_server (pid $pid) is no longer running"
  fi
  rm -f "$PIDFILE"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) die "usage: $0 [up|down]" ;;
esac
