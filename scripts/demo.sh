#!/usr/bin/env bash
# demo.sh: MEMon's story in about half a minute, on the local moto stack
# (`make demo` runs `make local` and `make build` first).
#
# Configures three events (rolling, fixed, cron) with memon-config, sends
# pings with memon-send (one through its wrapper mode around a failing
# command), runs the poller with `memon-poller --once`, and prints the alerts
# as they arrive (`memon-local alerts watch`): FAILED, DOWN, UP.
# Same binaries and flags as a user's, from bin/, against .local/memon.env.
#
# Reruns are clean: the demo-* events are paused, drained and deleted first.
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_FILE="${MEMON_LOCAL_DIR:-.local}/memon.env"
ROLLING=demo-rolling FIXED=demo-fixed CRON=demo-cron
EVENTS=("$ROLLING" "$FIXED" "$CRON")

say() { printf '\n==> %s\n' "$*"; }
# run prints a command the way you would type it, then runs it.
run() {
  local a line='$'
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@+-]+$ ]]; then line+=" $a"; else line+=" '${a//\'/\'\\\'\'}'"; fi
  done
  printf '%s\n' "$line"
  "$@"
}
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

[ -f "$ENV_FILE" ] || die "$ENV_FILE missing: run \`make local\` first (or \`make demo\`, which runs it)"
# shellcheck disable=SC1090
. "$ENV_FILE"
curl -sf -o /dev/null --max-time 2 "$AWS_ENDPOINT_URL/moto-api/" ||
  die "moto does not answer at $AWS_ENDPOINT_URL: run \`make local\` again (it restarts moto and redeploys)"
for b in memon-send memon-config memon-poller; do
  [ -x "bin/$b" ] || die "bin/$b missing: run \`make build\`"
done
command -v jq >/dev/null || die "jq not found (it prints the poller's JSON summary)"
[ -x bin/memon-local ] || die "bin/memon-local missing: run \`make local\`"
export PATH="$PWD/bin:$PATH"
memon-config show >/dev/null 2>&1 ||
  die "memon-config cannot read table $MEMON_TABLE at $AWS_ENDPOINT_URL: run \`make local\` again (it redeploys a missing stack)"
LOG=$(mktemp -t memon-demo.XXXXXX)
trap 'rm -f "$LOG"' EXIT
started=$(date +%s)
ms() { date +%s%3N; }

# poll runs the poller once, as cron would, and prints its summary line.
poll() {
  printf '$ memon-poller --once\n'
  memon-poller --once >"$LOG" 2>&1 || { cat "$LOG" >&2; die "memon-poller --once failed"; }
  jq -r 'select(.msg == "poll") | .summary |
    "    poll: \(.pings) ping(s) received, \(.due) due, \(.down) DOWN decided, \(.alerts_sent) alert(s) sent"' "$LOG"
}
# alerts prints the alerts that arrive within 2s (the poller has published
# them by the time it exits) and fails unless SUBJECT is among them.
alerts() {
  local out
  out=$(memon-local alerts watch 2 2>/dev/null) || die "memon-local alerts watch failed"
  printf '%s\n' "$out"
  grep -qF "ALERT  $1 " <<<"$out" || die "no alert \"$1\" arrived"
}

say "Cleaning up after any earlier demo run"
for ev in "${EVENTS[@]}"; do memon-config pause "$ev" >/dev/null 2>&1 || true; done
memon-poller --once >"$LOG" 2>&1 || true # a ping left by an interrupted run lands on the paused event
for ev in "${EVENTS[@]}"; do memon-config delete "$ev" >/dev/null 2>&1 || true; done
fresh_ms=$(ms) # history from here on is this run's (deleting an event keeps its history)

say "Configuring three events: rolling (every 5s), fixed (a 10s grid), cron (every minute, 30s grace)"
run memon-config set "$ROLLING" --period 5s --description "demo: must ping at least every 5s"
run memon-config set "$FIXED" --type fixed --period 10s --description "demo: one run per 10s block"
run memon-config set "$CRON" --cron '* * * * *' --grace 30s --description "demo: every minute"
run memon-config show

say "Subscribing a queue to the alerts topic, so alerts show up here as they arrive"
# `alerts watch` subscribes its queue (once; SNS keeps one subscription per
# queue); this first short watch also drops alerts left from earlier runs.
memon-local alerts watch 0.5 >/dev/null 2>&1 || die "memon-local alerts watch failed"
echo "    \`memon-local alerts watch\` prints what arrives on its queue, subscribed to $MEMON_TOPIC_ARN"

say "Sending pings: the jobs ran"
run memon-send "$ROLLING"
rolling_sent=$(date +%s)
run memon-send "$CRON"

say "Wrapping a failing job: memon-send runs it, reports the failure, and exits with its status"
rc=0
run memon-send "$FIXED" -- sh -c 'echo disk full >&2; exit 3' || rc=$?
echo "    the wrapper exited $rc (the job's own status)"
[ "$rc" -eq 3 ] || die "memon-send's wrapper mode exited $rc, want 3"

say "Polling: the poller drains the pings into the table and sends the FAILED alert"
poll
alerts "[MEMon] Failed: $FIXED"

wait_s=$((rolling_sent + 6 - $(date +%s)))
say "Waiting ${wait_s}s: $ROLLING misses its 5s period"
[ "$wait_s" -le 0 ] || sleep "$wait_s"
poll
alerts "[MEMon] Down: $ROLLING"

say "The job runs again: a ping, a poll, and $ROLLING is back UP"
run memon-send "$ROLLING"
poll
alerts "[MEMon] Up: $ROLLING"

say "Where things stand"
run memon-config show
say "What happened to $ROLLING"
run memon-config history "$ROLLING" --since "$(($(ms) - fresh_ms))ms"

say "Done in $(($(date +%s) - started))s. Try it yourself: . $ENV_FILE; PATH=\$PWD/bin:\$PATH"
say "See it in the browser (overview, history charts, edit forms) on the demo's data:"
echo "    . $ENV_FILE && bin/memon-config ui --open      # http://localhost:8080/"
