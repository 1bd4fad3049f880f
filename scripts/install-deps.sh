#!/usr/bin/env bash
# Installs the tools MEMon's build and tests need when they are missing:
# Go modules, the pinned CDK CLI (npm ci), staticcheck, moto_server,
# cfn-lint and chromium (for the web UI's browser tests). Safe to run
# again: it only installs what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
say() { printf 'install-deps: %s\n' "$*" >&2; }

if ! need go; then
  say "Go is missing: install Go 1.26+ from https://go.dev/dl (Debian's golang-go is too old)"; exit 1
fi
if ! need node || ! need npm; then
  say "Node.js/npm missing: installing Debian's nodejs and npm"
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

go mod download
# staticcheck is pinned as a tool in go.mod: `go tool staticcheck`.
go build -o /dev/null honnef.co/go/tools/cmd/staticcheck

if [ ! -x node_modules/.bin/cdk ]; then
  say "installing the pinned CDK CLI (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

missing_py=()
need moto_server || missing_py+=("moto[server]")
need cfn-lint || missing_py+=("cfn-lint")
if [ ${#missing_py[@]} -gt 0 ]; then
  say "installing ${missing_py[*]} with pip"
  if ! python3 -m pip install --quiet "${missing_py[@]}"; then
    say "could not install ${missing_py[*]}: run \`python3 -m pip install 'moto[server]' cfn-lint\` where PyPI is reachable"
    exit 1
  fi
fi
# The web UI's browser tests drive a real headless Chromium.
if ! need chromium && [ ! -x /usr/bin/chromium ]; then
  say "chromium missing: installing Debian's chromium (memon-config ui's browser tests)"
  if ! { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; then
    say "could not install chromium: run \`apt-get install chromium\` (the browser tests fail under CI=true without it)"
    exit 1
  fi
fi
say "ok"
