# MEMon build, test and local-run entry points. `make help` lists them.
SHELL := /bin/bash
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true

GO        ?= go
BIN       := bin
BUILD     := build
# Release builds: `go build` with the environment and flags defined once in
# internal/buildflags (also used by infra/build.go and the tests); append -o and the package.
# VERSION is stamped into every binary (internal/version); the CDK app's
# Lambda build runs the same git describe.
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GOBUILD        = $(shell $(GO) run ./internal/buildflags/print cli $(VERSION))
GOBUILD_SMALL  = $(shell $(GO) run ./internal/buildflags/print small-cli $(VERSION))
GOBUILD_LAMBDA = $(shell $(GO) run ./internal/buildflags/print lambda $(VERSION))
MOTO_PORT ?= 5055
CDK       := node_modules/.bin/cdk

.PHONY: help deps build dist lambda test suite policy fuzz-short test-unit lint fuzz soak bench synth deploy local local-down demo clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

deps: ## install Go modules, the pinned CDK CLI, and check moto/cfn-lint
	@bash scripts/install-deps.sh

build: ## build memon-send, memon-config, memon-pingurl and the poller for this host into bin/
	$(GOBUILD_SMALL) -o $(BIN)/memon-send ./cmd/memon-send
	$(GOBUILD) -o $(BIN)/memon-config ./cmd/memon-config
	$(GOBUILD) -o $(BIN)/memon-pingurl ./cmd/memon-pingurl
	$(GOBUILD) -o $(BIN)/memon-poller ./lambdas/poller

# dist: one archive per platform, memon-<version>-<os>-<arch>.tar.gz holding
# memon-send, memon-config, memon-pingurl, README.md and the docs/ pages it links, plus SHA256SUMS. Archives are
# reproducible (sorted, epoch mtime, root owner). DIST_PLATFORMS narrows it.
DIST           ?= dist
DIST_PLATFORMS ?= linux/amd64 linux/arm64 darwin/arm64 darwin/amd64
dist: ## cross-compile memon-send, memon-config and memon-pingurl into dist/*.tar.gz with SHA256SUMS, version stamped
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(DIST_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; name=memon-$(VERSION)-$$os-$$arch; dir=$(DIST)/$$name; \
	  echo "dist: $$name"; mkdir -p $$dir; \
	  GOOS=$$os GOARCH=$$arch $(GOBUILD_SMALL) -o $$dir/memon-send ./cmd/memon-send; \
	  GOOS=$$os GOARCH=$$arch $(GOBUILD) -o $$dir/memon-config ./cmd/memon-config; \
	  GOOS=$$os GOARCH=$$arch $(GOBUILD) -o $$dir/memon-pingurl ./cmd/memon-pingurl; \
	  cp README.md $$dir/; mkdir -p $$dir/docs; cp docs/*.md docs/*.png $$dir/docs/; \
	  tar -C $(DIST) --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -czf $$dir.tar.gz $$name; \
	  rm -rf $$dir; \
	done
	@cd $(DIST) && sha256sum *.tar.gz > SHA256SUMS && cat SHA256SUMS

lambda: ## build the poller, ping URL and status URL Lambdas (linux/arm64) into build/{poller,pingurl,statusurl}/bootstrap
	$(GOBUILD_LAMBDA) -o $(BUILD)/poller/bootstrap ./lambdas/poller
	$(GOBUILD_LAMBDA) -o $(BUILD)/pingurl/bootstrap ./lambdas/pingurl
	$(GOBUILD_LAMBDA) -o $(BUILD)/statusurl/bootstrap ./lambdas/statusurl

lint: ## gofmt (no diff), go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags awscalls ./infra
	$(GO) tool staticcheck ./...
	$(GO) tool staticcheck -tags awscalls ./infra

# The suite records every AWS call each principal makes against moto into
# $(AWS_CALLS); the policy step then judges them against the stack's IAM
# policies (infra/stack_calls_test.go, built only with -tags awscalls).
AWS_CALLS := $(CURDIR)/$(BUILD)/awscalls

# `make test` runs lint beside the suite, then the policy step beside the
# short fuzz. The suite spends most of its time waiting, not computing (SQS
# long polls and visibility timeouts in moto, CDK deploys into it): on two
# cores `go test ./...` alone keeps one busy, so lint fills the other, and
# TEST_P packages, each with TEST_PARALLEL of its parallel tests, wait at once
# (more than the cores). Every job still fails the run; the suite's output
# streams as it comes.
TEST_P ?= 4
TEST_PARALLEL ?= 6

test: deps ## the whole suite: lint, unit, integration (moto), CDK, cfn-lint, every AWS call against its IAM policy
	@$(MAKE) --no-print-directory -j 2 lint suite
	@$(MAKE) --no-print-directory -j 2 policy fuzz-short

suite: # every Go test, recording each principal's AWS calls (part of make test)
	rm -rf $(AWS_CALLS)
	MEMON_AWS_CALLS=$(AWS_CALLS) $(GO) test -p $(TEST_P) -parallel $(TEST_PARALLEL) -count=1 -timeout 40m ./...

policy: # every recorded AWS call against its principal's IAM policy (part of make test, after suite)
	MEMON_AWS_CALLS=$(AWS_CALLS) $(GO) test -count=1 -tags awscalls -run '^TestRecordedCallsAllowedByPolicy$$' ./infra

fuzz-short: # the message decoder fuzzed for 10 s (part of make test)
	$(GO) test -run '^$$' -fuzz FuzzDecodeMessage -fuzztime 10s ./pkg/memon

test-unit: ## unit tests only (no moto, no CDK)
	$(GO) test -short ./pkg/... ./internal/... ./cmd/... ./tools/...

bench: deps ## measure AWS calls per poll and per ping against moto, print the cost report (about 5 min)
	@set -o pipefail; { \
	  $(GO) test -run '^$$' -bench 'PollNothingDue|SteadyHourlyJobs' -benchtime 20x -timeout 30m ./internal/poller && \
	  $(GO) test -run '^$$' -bench 'DrainBacklog|PollPeakMemory|DailyCounters|WeeklyReport|ColdStart' -benchtime 1x -timeout 60m ./internal/poller; \
	} | tee bench.txt
	@$(GO) run ./tools/benchreport < bench.txt

# soak: the fleet simulation's long run (internal/sim): 1,000 events of each
# schedule kind for 30 virtual days through the real poller, crashes, overlaps
# and topic outages included, every alert checked against the oracle. A fresh
# seed each run; SEED=N replays one. `make test` runs its short run.
soak: ## a month of fleet life through the real poller against the oracle (SEED=N replays; about 10 min)
	$(GO) test -v -count=1 -timeout 90m -run '^TestFleetMonth$$' ./internal/sim -args -sim.soak $(if $(SEED),-sim.seed $(SEED))

fuzz: ## fuzz the message decoder for a minute
	$(GO) test -run '^$$' -fuzz FuzzDecodeMessage -fuzztime 60s ./pkg/memon

clean: ## remove build output
	rm -rf $(BIN) $(BUILD) $(DIST) cdk.out

# ---- infra and local run: CDK synth/deploy, MEMon on moto ----
# The CDK app is infra/ (cdk.json: `go run ./infra`); it builds the poller into
# build/poller first and fails on any unsuppressed cdk-nag finding.
CDK_OUTDIR ?= cdk.out

synth: ## synthesize the MEMon stack offline into $(CDK_OUTDIR)/ (builds the poller first)
	@test -x $(CDK) || npm ci --no-audit --no-fund --loglevel=error
	CDK_OUTDIR=$(CDK_OUTDIR) $(CDK) synth --no-notices --quiet --output $(CDK_OUTDIR)

# deploy installs MEMon into the AWS account and region of your current
# credentials (AWS_PROFILE / AWS_REGION). Once per account and region first:
# `node_modules/.bin/cdk bootstrap`. Every deploy reads the settings kept in
# cdk.json's "context" (docs/deploy.md); EMAIL, ROUTES and -c override them
# for one deploy. Examples:
#   make deploy                                # the settings in cdk.json
#   make deploy EMAIL=you@example.com          # alerts by e-mail (confirm the mail)
#   make deploy ROUTES='data=data-team@example.com;payments=+15551234567'
#   make deploy PREFIX=memon-staging           # a second copy: stack MEMon-memon-staging
# Adopting memon.py's existing table/queue/topic instead: infra/ADOPT.md.
deploy: ## cdk deploy MEMon with cdk.json's settings (override: EMAIL=you@example.com, ROUTES='tag=team@example.com', PREFIX=memon)
	@test -x $(CDK) || npm ci --no-audit --no-fund --loglevel=error
	$(CDK) deploy MEMon --no-notices $(if $(EMAIL),-c email=$(EMAIL)) $(if $(ROUTES),-c routes='$(ROUTES)') $(if $(PREFIX),-c prefix=$(PREFIX))

local: deps ## run MEMon on moto (localhost:$(MOTO_PORT)) with the real stack; writes .local/memon.env
	@$(GO) build -o $(BIN)/memon-local ./tools/memon-local
	@MOTO_PORT=$(MOTO_PORT) $(BIN)/memon-local up

local-down: ## stop the moto_server that `make local` started
	@MOTO_PORT=$(MOTO_PORT) $(GO) run ./tools/memon-local down

# ---- demo: MEMon's story on the local moto stack ----
# scripts/demo.sh narrates it: three events, pings (one wrapping a failing
# command), `memon-poller --once`, and the FAILED, DOWN and UP alerts as they
# arrive on a queue it subscribes to the topic. Reruns start clean.
demo: local build ## events, pings and FAILED/DOWN/UP alerts on the local stack (runs local, build)
	@bash scripts/demo.sh
