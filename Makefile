# The command index of the project: `make` (or `make help`) lists every target.
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Host tools on RisingWave (rules-*) present root's password from .env (docker-compose.yml).
RW_PASSWORD ?= $(shell sed -n 's/^RISINGWAVE_ROOT_PASSWORD=//p' .env 2>/dev/null | tail -n 1)
export RW_PASSWORD

##@ Development

.PHONY: help
help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[detection,dashboards,cases,scoring,decisions,dev,load]'
	touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install the project with every extra

.PHONY: lint
lint: $(STAMP) ## Lint and check formatting (ruff), types (mypy), the dbt SQL (sqlfluff); read-only
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd fraud_detection && ../$(VENV)/bin/sqlfluff lint models tests

.PHONY: format
format: $(STAMP) ## Fix lint findings and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The integration tests' Kafka broker: Apache Kafka's jars from Maven Central, cached in .cache/.
KAFKA_LIBS := .cache/kafka/libs
$(KAFKA_LIBS)/.resolved: tests/kafka/pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn --batch-mode --quiet -Dstyle.color=never --file tests/kafka/pom.xml -Dmaven.repo.local=.cache/kafka/m2 \
		dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(KAFKA_LIBS)
	touch $@

.PHONY: kafka-jars
kafka-jars: $(KAFKA_LIBS)/.resolved ## Fetch the Kafka broker jars the integration tests run (Maven)

# Offline validators built from the Go module proxy, pinned, cached in .cache/bin.
TOOLS := .cache/bin
GO_ENV = GOPATH=$(CURDIR)/.cache/go GOCACHE=$(CURDIR)/.cache/go/build GOFLAGS=-modcacherw
ACTIONLINT_VERSION := v1.7.12
$(TOOLS)/actionlint:
	$(GO_ENV) GOBIN=$(CURDIR)/$(TOOLS) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
$(TOOLS)/docker-compose: scripts/tools/compose/go.mod
	cd scripts/tools/compose && $(GO_ENV) go build -o $(CURDIR)/$@ github.com/docker/compose/v2/cmd

.PHONY: tools
tools: $(TOOLS)/actionlint $(TOOLS)/docker-compose ## Build actionlint and docker compose (Go proxy) for the offline checks

# The analyst page's browser test drives Debian's chromium (headless) through Playwright;
# CHROMIUM names another Chromium-family binary already on the machine (GitHub's runners).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	$(SUDO) apt-get update --quiet
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install --yes --quiet --no-install-recommends chromium

.PHONY: browser
browser: $(CHROMIUM) ## Install Debian's chromium (apt-get, as root) for the analyst page's browser test

# The test that walks the queue and a case page takes the pictures; a test run alone writes them
# into reports/test-artifacts/, so the tree stays clean.
.PHONY: screenshots
screenshots: $(STAMP) browser ## Rewrite the README's pictures of the queue and a case page (docs/images/) in the real browser
	DOC_SCREENSHOTS=1 $(PY) -m pytest tests/cases/test_page_browser.py -k test_the_queue_in_triage_order

# The RisingWave server the engine tests run (tests/engine/), in .cache/bin. ENGINE_FROM=shared
# (the default): the v2.8.5 build in ../shared/bin (its README says how it was built), unpacked
# with its checksum verified. ENGINE_FROM=image: the server binary of the official image compose
# runs (RISINGWAVE_IMAGE, pinned by tag), copied out through docker: for machines without
# ../shared that have Docker, such as GitHub's runners (CI sets it).
ENGINE_FROM ?= shared
RISINGWAVE_IMAGE := risingwavelabs/risingwave:v2.8.5
SHARED ?= ../shared
ENGINE := $(TOOLS)/risingwave
ENGINE_XZ := $(SHARED)/bin/risingwave-v2.8.5-x86_64-linux.xz
ifeq ($(ENGINE_FROM),image)
$(ENGINE):
	mkdir -p $(@D)
	docker pull --quiet $(RISINGWAVE_IMAGE)
	container="$$(docker create $(RISINGWAVE_IMAGE))"; \
	docker cp "$$container:/risingwave/bin/risingwave" $@.partial; \
	docker rm "$$container" >/dev/null
	chmod +x $@.partial
	mv $@.partial $@
else ifeq ($(ENGINE_FROM),shared)
$(ENGINE_XZ):
	@echo "no RisingWave build at $@: the repo expects shared/ beside it (SHARED=path overrides;" \
		"with Docker, ENGINE_FROM=image copies the official image's server)" >&2
	@exit 1
$(ENGINE): $(ENGINE_XZ) $(SHARED)/bin/SHA256SUMS
	mkdir -p $(@D)
	cd $(SHARED)/bin && grep ' risingwave-v2.8.5-x86_64-linux.xz$$' SHA256SUMS | sha256sum --check --quiet
	xz -dc $(ENGINE_XZ) > $@.partial
	expected="$$(awk '$$2 == "risingwave" && $$3 == "(unpacked)" {print $$1}' $(SHARED)/bin/SHA256SUMS)"; \
	actual="$$(sha256sum $@.partial | cut -d' ' -f1)"; \
	if [[ -z "$$expected" || "$$actual" != "$$expected" ]]; then \
		rm -f $@.partial; echo "$@: checksum $$actual, SHA256SUMS says '$$expected'" >&2; exit 1; fi
	chmod +x $@.partial
	mv $@.partial $@
else
$(error ENGINE_FROM must be shared or image, got '$(ENGINE_FROM)')
endif

.PHONY: engine
engine: $(ENGINE) ## The RisingWave server the engine tests run (../shared/bin, or ENGINE_FROM=image)

# The grant script's test runs psql against the embedded PostgreSQL.
PSQL ?= /usr/bin/psql
$(PSQL):
	$(SUDO) apt-get update --quiet
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install --yes --quiet --no-install-recommends postgresql-client

.PHONY: psql-client
psql-client: $(PSQL) ## Install psql (apt-get, as root) for the grant script's test

# The engine tests (one RisingWave: fixed ports, so one pytest process) run beside the rest: the
# two share no port (brokers take free ports), no data directory (tmp_path) and no dbt target
# path. The engine half's output is printed once it ends; either half failing fails the target;
# a stopped run takes the engine half down with it.
ENGINE_TESTS := tests/engine

.PHONY: test
test: lint kafka-jars tools browser psql-client engine ## Lint, then run the whole test suite (unit, integration, replays, engine)
	@# Each half has its own temporary root: pytest prunes old numbered roots it shares.
	@tmp=$$(mktemp -d); log="$$tmp/engine.log"; \
	$(PY) -m pytest --basetemp="$$tmp/engine" $(ENGINE_TESTS) >"$$log" 2>&1 & engine_pid=$$!; \
	trap 'kill $$engine_pid 2>/dev/null || true; rm -rf "$$tmp"' EXIT; \
	trap 'exit 130' INT TERM; \
	rest=0; $(PY) -m pytest --basetemp="$$tmp/rest" --ignore=$(ENGINE_TESTS) || rest=$$?; \
	engine=0; wait $$engine_pid || engine=$$?; \
	echo "==== $(ENGINE_TESTS), run beside the tests above (exit $$engine) ===="; \
	cat "$$log"; \
	test $$rest -eq 0 && test $$engine -eq 0

# `slow` comes from the fixtures a test uses (tests/conftest.py): broker, embedded PostgreSQL, model.
.PHONY: test-fast
test-fast: $(STAMP) tools ## The tests without a broker, an embedded PostgreSQL or a trained model (minutes)
	$(PY) -m pytest -m "not slow"

.PHONY: dashboards-check
dashboards-check: $(STAMP) ## Check that the committed dashboard JSON is its generator's output
	$(PY) -m grafana.dashboards --check

.PHONY: dbt-compile
dbt-compile: $(STAMP) ## Parse and compile the dbt project for RisingWave, without a server
	cd fraud_detection && DBT_PROFILES_DIR=. ../$(VENV)/bin/dbt parse --target risingwave
	cd fraud_detection && DBT_PROFILES_DIR=. ../$(VENV)/bin/dbt compile --target risingwave --no-populate-cache

.PHONY: compose-check
compose-check: $(STAMP) ## Check docker-compose.yml: compose resolves it, and it matches the compose spec
	$(COMPOSE) config --quiet
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

.PHONY: bench
bench: $(STAMP) kafka-jars ## Benchmark generation and publish throughput, and peak memory
	$(PY) -m producers.bench
	$(PY) -m producers.bench_publish
	$(PY) -m scoring.bench

POOL_SIZES ?= 57600 115200 288000 1152000
.PHONY: bench-pool
bench-pool: $(STAMP) ## Producer start-up time and peak memory per customer pool size (ACTIVITY=cycles; POOL_SIZES)
	for size in $(POOL_SIZES); do $(PY) -m producers.bench --customers $$size || exit 1; done

.PHONY: bench-decisions
bench-decisions: $(STAMP) kafka-jars ## Decision service p50/p99 and sustained req/s at 500 and 1,000 req/s (replayed PostgreSQL, local Kafka)
	$(PY) -m decisions.bench $(BENCH_ARGS)

##@ Backtest (no Docker: the detection SQL on an embedded PostgreSQL)

# Unset, FRAUD_RATE, SEED, WORLD, ACTIVITY, TRANSACTION_RATE, CUSTOMER_POOL_SIZE and LOOKALIKE_RATE
# come from the environment, then .env, then their defaults; set here, they are flags and win.
# Both backtests print which they used. ACTIVITY=flat replays the dense stream (fraud within
# minutes; its pool is sized from TRANSACTION_RATE).
FRAUD_RATE ?=
MINUTES ?= 60
SEED ?=
WORLD ?=
ACTIVITY ?=
TRANSACTION_RATE ?=
CUSTOMER_POOL_SIZE ?=
LOOKALIKE_RATE ?=
HISTORY_FLAGS = $(if $(FRAUD_RATE),--fraud-rate $(FRAUD_RATE)) $(if $(SEED),--seed $(SEED)) $(if $(WORLD),--world $(WORLD)) \
	$(if $(ACTIVITY),--activity $(ACTIVITY)) $(if $(TRANSACTION_RATE),--transaction-rate $(TRANSACTION_RATE)) \
	$(if $(CUSTOMER_POOL_SIZE),--customer-pool-size $(CUSTOMER_POOL_SIZE)) $(if $(LOOKALIKE_RATE),--lookalike-rate $(LOOKALIKE_RATE))
REPORT ?= reports/backtest.json

INPUT ?=
RULES ?=
BACKTEST_SOURCE = $(if $(INPUT),--input $(INPUT),--minutes $(MINUTES) $(HISTORY_FLAGS))

.PHONY: backtest
backtest: $(STAMP) ## Replay MINUTES of seeded history (FRAUD_RATE, SEED, WORLD), or screen INPUT=FILE (NDJSON), with RULES (default active); JSON to REPORT
	$(PY) -m backtest $(BACKTEST_SOURCE) $(if $(RULES),--rules $(RULES)) --report $(REPORT)

# The committed figures come from these fixed settings (a test regenerates them and compares).
.PHONY: detection-quality
detection-quality: $(STAMP) ## Rewrite docs/detection_quality.md: realistic world, dense flat stream, SEED 42, 30 minutes; rules vs rules + model
	rm -rf .cache/doc-models
	SCORING_REGISTRY_DIR=.cache/doc-models $(PY) -m scoring.offline train
	$(PY) -m backtest --world realistic --seed 42 --fraud-rate 0.1 --activity flat \
		--transaction-rate 20 --customer-pool-size 500 --lookalike-rate 0.1 --minutes 30 \
		--model .cache/doc-models --markdown docs/detection_quality.md

# Worlds and rule sets are data (backtest/robustness.yml); progress and ETA per replay. Long: every
# world at its fraud rate and at FRAUD_RATE=0 (zero_fraud_minutes, 60) under every rule set.
.PHONY: robustness
robustness: $(STAMP) ## Rewrite the robustness table of docs/detection_quality.md: worlds x rule sets (backtest/robustness.yml), FRAUD_RATE=0 too; an hour or more
	rm -rf .cache/robustness-models
	SCORING_REGISTRY_DIR=.cache/robustness-models $(PY) -m scoring.offline train
	$(PY) -m backtest.robustness --model .cache/robustness-models

##@ Learned scoring (scoring/: a model beside the rules; docs/scoring.md)

MODELS ?= models
# TRAIN_MINUTES and TRAIN_SEED override retrain's defaults (20 minutes, seed 8); train reads its
# worlds (seeds, settings, minutes) from TRAIN_WORLDS (default scoring/worlds.yml).
TRAIN_ARGS = $(if $(TRAIN_MINUTES),--minutes $(TRAIN_MINUTES)) $(if $(TRAIN_SEED),--seed $(TRAIN_SEED))

.PHONY: train
train: $(STAMP) ## Train XGBoost + Isolation Forest across the worlds of scoring/worlds.yml (TRAIN_WORLDS), calibrated; new champion in MODELS
	SCORING_REGISTRY_DIR=$(MODELS) $(PY) -m scoring.offline train $(if $(TRAIN_WORLDS),--worlds $(TRAIN_WORLDS))

.PHONY: retrain
retrain: $(STAMP) ## Train a challenger on new traffic; promote it only if its PR-AUC beats the champion's
	SCORING_REGISTRY_DIR=$(MODELS) $(PY) -m scoring.offline retrain $(TRAIN_ARGS)

DRIFT_AFTER ?= 15
.PHONY: drift-report
drift-report: $(STAMP) ## The champion's drift monitor over a replay with a spend shift after DRIFT_AFTER minutes: reports/drift.png
	SCORING_REGISTRY_DIR=$(MODELS) $(PY) -m scoring.offline drift --minutes 30 --drift-after $(DRIFT_AFTER) --output reports/drift.png

.PHONY: backtest-model
backtest-model: $(STAMP) ## Backtest on the realistic world with the champion of MODELS: rules vs rules + model
	$(PY) -m backtest --minutes $(MINUTES) $(HISTORY_FLAGS) --model $(MODELS) --report $(REPORT)

.PHONY: bench-backtest
bench-backtest: $(STAMP) ## Replay throughput of the SQL layer at 100k and 1M events (must scale ~linearly)
	$(PY) -m backtest.bench

##@ Rules (versioned rule sets: rules/<version>.yml, the live one named in rules/active)

A ?=
B ?=
CANDIDATE ?=
V ?=
WHY ?=
# A target that needs a variable stops before any work, with one line naming it.
needs = $(if $(filter $(1),$(MAKECMDGOALS)),$(if $(strip $($(2))),,$(error make $(1) needs $(2), e.g. make $(1) $(3))))
$(call needs,rules-diff,A,A=v1 B=v2)
$(call needs,rules-diff,B,A=v1 B=v2)
$(call needs,rules-backtest,CANDIDATE,CANDIDATE=v2)
$(call needs,rules-shadow,CANDIDATE,CANDIDATE=v2)
$(call needs,rules-promote,V,V=v2 WHY="...")
$(call needs,rules-promote,WHY,V=v2 WHY="...")
$(call needs,rules-rollback,WHY,WHY="...")
RULES_REPORT ?= reports/rules-backtest.json

.PHONY: rules-validate
rules-validate: $(STAMP) ## Check every rule set file against the schema, and rules/active
	$(PY) -m rules validate

.PHONY: rules-diff
rules-diff: $(STAMP) ## Show the rules that differ between two versions: A=v1 B=v2
	$(PY) -m rules diff $(A) $(B)

.PHONY: rules-backtest
rules-backtest: $(STAMP) ## Active rules vs CANDIDATE on the same history (MINUTES, FRAUD_RATE, SEED, WORLD, or INPUT=FILE); JSON to RULES_REPORT
	$(PY) -m rules backtest $(CANDIDATE) $(if $(INPUT),--input $(INPUT),--minutes $(MINUTES) $(HISTORY_FLAGS)) --report $(RULES_REPORT)

.PHONY: rules-shadow
rules-shadow: $(STAMP) ## Run CANDIDATE in shadow on RisingWave beside the live rules (shadow_mv_*, mv_shadow_vs_live)
	@scripts/require_engine.sh
	$(PY) -m rules shadow $(CANDIDATE)

.PHONY: rules-promote
rules-promote: $(STAMP) ## Make V live on RisingWave (rebuilds the views it changes), recorded with WHY
	@scripts/require_engine.sh
	$(PY) -m rules promote $(V) --why "$(WHY)"

.PHONY: rules-rollback
rules-rollback: $(STAMP) ## Return RisingWave to the rules before the latest promote, recorded with WHY
	@scripts/require_engine.sh
	$(PY) -m rules rollback --why "$(WHY)"

.PHONY: rules-history
rules-history: $(STAMP) ## Every rule change on RisingWave: who, when, from, to, why
	@scripts/require_engine.sh
	$(PY) -m rules history

##@ Stack (Docker Compose: Redpanda, RisingWave, dbt, producer, alerter, Grafana)

COMPOSE ?= docker compose
# The scripts (require_engine.sh, check_pipeline.sh) use the same compose command.
export COMPOSE
# psql runs inside the dbt image, so the host needs no PostgreSQL client.
RW_RUN = $(COMPOSE) run --rm --no-deps --entrypoint psql
RW_ARGS = --no-psqlrc --host risingwave --port 4566 --username root --dbname dev
RW_QUERY = @scripts/require_engine.sh && $(RW_RUN) -T dbt $(RW_ARGS) --command
DBT_ARGS ?=
BENCH_ARGS ?=

.PHONY: build
build: ## Build the images of the producer, alerter, case service, scorer and dbt job
	@scripts/require_engine.sh
	$(COMPOSE) build

.PHONY: up
up: build ## Build and start the stack, wait until every service is healthy, print the URLs
	$(COMPOSE) up --detach --wait
	@echo "Grafana           http://$$($(COMPOSE) port grafana 3000)  (Fraud Operations Centre)"
	@if $(COMPOSE) ps --quiet redpanda-console 2>/dev/null | grep -q .; then \
		echo "Redpanda Console  http://$$($(COMPOSE) port redpanda-console 8080)  (no sign-in)"; fi
	@echo "RisingWave        postgresql://root@$$($(COMPOSE) port risingwave 4566)/dev  (password RISINGWAVE_ROOT_PASSWORD; make psql)"
	@echo "RisingWave UI     http://$$($(COMPOSE) port risingwave 5691)"
	@echo "Kafka (host)      $$($(COMPOSE) port redpanda 19092)"
	@echo "Case service      http://$$($(COMPOSE) port case-service 8000)/ui/cases  (make case-service-token)"

# The 8 GB laptop profile: the two big services get smaller limits (docs/runbook.md, "Memory").
SMALL_MEMORY := RISINGWAVE_MEMORY=2g REDPANDA_MEMORY=1280m

.PHONY: up-small
up-small: ## Like up, with memory limits for an 8 GB laptop (RisingWave 2g, Redpanda 1280m)
	$(SMALL_MEMORY) $(MAKE) up

.PHONY: down
down: ## Stop the stack; volumes (topics, views, Grafana state) are kept
	@scripts/require_engine.sh
	$(COMPOSE) down

.PHONY: reset
reset: ## Destroy the stack and its volumes, then rebuild and start from scratch
	@scripts/require_engine.sh
	$(COMPOSE) down --volumes --remove-orphans
	$(MAKE) up

.PHONY: destroy
destroy: ## Stop the stack and delete its volumes (topics, views, Grafana state)
	@scripts/require_engine.sh
	$(COMPOSE) down --volumes --remove-orphans

.PHONY: set-env
set-env: ## Write settings into .env: SET="FRAUD_RATE=0 WORLD=clean" (the stack reads it at start)
	scripts/set_env.sh $(SET)

.PHONY: validate
validate: ## Check the running stack: topics, views, cases, Grafana datasource (PASS/FAIL)
	scripts/check_pipeline.sh

.PHONY: validate-wait
validate-wait: ## Run make validate until it passes, within VALIDATE_DEADLINE_SECONDS (300)
	scripts/validate_wait.sh

.PHONY: check-no-critical
check-no-critical: ## Reset the stack with FRAUD_RATE=0 (into .env); no account may turn critical in 2 min
	scripts/set_env.sh FRAUD_RATE=0
	$(MAKE) reset
	scripts/check_no_critical.sh

.PHONY: stack-logs
stack-logs: ## Every service's state and its last 500 log lines, with timestamps
	@scripts/require_engine.sh
	$(COMPOSE) ps --all
	$(COMPOSE) logs --no-color --timestamps --tail 500

.PHONY: status
status: ## Show each service's state and health, and row counts of the key views
	@scripts/require_engine.sh
	$(COMPOSE) ps --all
	$(RW_RUN) -T dbt $(RW_ARGS) --command "select 'mv_signals' as view_name, count(*) as row_count from mv_signals union all select 'mv_account_risk_score_realtime' as view_name, count(*) as row_count from mv_account_risk_score_realtime union all select 'mv_open_fraud_cases' as view_name, count(*) as row_count from mv_open_fraud_cases union all select 'mv_fraud_kpis_1min' as view_name, count(*) as row_count from mv_fraud_kpis_1min union all select 'mv_detection_quality_by_signal' as view_name, count(*) as row_count from mv_detection_quality_by_signal union all select 'mv_rejected_events' as view_name, count(*) as row_count from mv_rejected_events"

.PHONY: psql
psql: ## Open psql on RisingWave (runs in a container: no psql needed on the host)
	@scripts/require_engine.sh
	$(RW_RUN) dbt $(RW_ARGS)

.PHONY: risk
risk: ## The 20 riskiest accounts and why
	$(RW_QUERY) "select account_id, customer_id, risk_score, risk_level, reason_codes, last_signal_at from mv_account_risk_score_realtime order by risk_score desc limit 20"

.PHONY: cases
cases: ## Open fraud cases, critical first
	$(RW_QUERY) "select case_id, severity, account_id, risk_score, recommended_action, reason_codes, updated_at from mv_open_fraud_cases order by case when severity = 'critical' then 0 else 1 end, risk_score desc limit 30"

.PHONY: kpis
kpis: ## Transactions, flagged transactions and signals per minute, last 15 minutes
	$(RW_QUERY) "select window_start, transaction_count, flagged_transaction_count, fraud_rate_pct, signal_count from mv_fraud_kpis_1min order by window_start desc limit 15"

.PHONY: fraud-rate
fraud-rate: ## Share of transactions flagged over the last 15 minutes, in percent
	$(RW_QUERY) "select round(100.0 * sum(flagged_transaction_count) / nullif(sum(transaction_count), 0), 2) as fraud_rate_pct from mv_fraud_kpis_1min where window_start > now() - interval '15 minutes'"

.PHONY: logs-producer
logs-producer: ## Follow the producer's log
	@scripts/require_engine.sh
	$(COMPOSE) logs --follow --tail 100 producer

.PHONY: restart-producer
restart-producer: ## Recreate the producer so it picks up .env changes (FRAUD_RATE, ...)
	@scripts/require_engine.sh
	$(COMPOSE) up --detach --no-deps --force-recreate --wait producer

.PHONY: dbt-run
dbt-run: ## Re-run dbt on RisingWave: adds missing views only; DBT_ARGS="--full-refresh -s m+" rebuilds m and dependants
	@scripts/require_engine.sh
	DBT_RUN_ARGS="$(DBT_ARGS)" $(COMPOSE) run --rm --no-deps dbt

CASE_USER ?= local
CASE_ROLE ?= lead
# Days the new token is valid (0: no expiry).
CASE_TOKEN_DAYS ?= 90

.PHONY: case-service-token
case-service-token: $(STAMP) ## Print a new token for CASE_USER (CASE_ROLE: viewer/analyst/lead); its hash goes to .env
	@$(PY) -m cases token $(CASE_USER) $(CASE_ROLE) --env-file .env --days $(CASE_TOKEN_DAYS)
	@if command -v docker >/dev/null && $(COMPOSE) ps --quiet case-service 2>/dev/null | grep -q .; then \
		$(COMPOSE) up --detach --no-deps --force-recreate --wait case-service >&2; \
	else echo "the case service reads it at its next start (make up)" >&2; fi

# The analyst page without Docker: a seeded realistic replay kept in DEMO_DIR.
DEMO_DIR ?= .cache/demo
DEMO_MINUTES ?= 60
DEMO_PORT ?= 8000
# DEMO_MODELS=models (after make train): the champion scores the replay; the page shows its reasons.
DEMO_ARGS = --dir $(DEMO_DIR) --minutes $(DEMO_MINUTES) --port $(DEMO_PORT) $(if $(DEMO_MODELS),--models $(DEMO_MODELS))

.PHONY: demo
demo: $(STAMP) ## No Docker: replay DEMO_MINUTES (60) into a kept embedded PostgreSQL, serve the analyst page on 127.0.0.1:DEMO_PORT; Ctrl-C stops
	$(PY) -m cases.demo $(DEMO_ARGS)

.PHONY: demo-clean
demo-clean: $(STAMP) ## Delete the demo's data (DEMO_DIR)
	$(PY) -m cases.demo clean --dir $(DEMO_DIR)

.PHONY: bench-cases
bench-cases: $(STAMP) ## Time the analyst page on the demo's replay: the queue of every open case, case pages (budget 300 ms)
	$(PY) -m cases.bench $(DEMO_ARGS)

CLIENT ?= local
SCOPES ?= decide

.PHONY: decision-service-key
decision-service-key: $(STAMP) ## Print a new API key for CLIENT (SCOPES: decide, read, decide+read); its hash goes to .env
	@$(PY) -m decisions key $(CLIENT) $(SCOPES) --env-file .env
	@if command -v docker >/dev/null && $(COMPOSE) ps --quiet decision-service 2>/dev/null | grep -q .; then \
		$(COMPOSE) --profile decisions up --detach --no-deps --force-recreate --wait decision-service >&2; \
	else echo "the decision service reads it at its next start (COMPOSE_PROFILES=decisions make up)" >&2; fi

.PHONY: openapi
openapi: $(STAMP) ## Regenerate docs/openapi.json (case service) and docs/openapi-decisions.json
	$(PY) -m cases openapi > docs/openapi.json
	$(PY) -m decisions openapi > docs/openapi-decisions.json

.PHONY: dashboards
dashboards: $(STAMP) ## Regenerate the Grafana dashboard JSON from grafana/dashboards/
	$(PY) -m grafana.dashboards

.PHONY: contract
contract: $(STAMP) ## Regenerate fraud_detection/macros/contract.sql from the detection contract, common/contract.yml
	$(PY) -m common.contract

.PHONY: bench-e2e
bench-e2e: $(STAMP) ## Measure event-time -> visible-signal latency (p50/p95/p99) and events/s
	@scripts/require_engine.sh
	$(PY) scripts/bench_e2e.py $(BENCH_ARGS)

.PHONY: bench-engine
bench-engine: $(STAMP) kafka-jars engine ## bench-e2e on the test engine (make engine), no Docker: latency, events/s, FLUSH under load, memory
	$(PY) scripts/bench_engine.py $(BENCH_ARGS)

.PHONY: bench-e2e-summary
bench-e2e-summary: $(STAMP) ## bench-e2e for 90 s as Markdown, also added to GITHUB_STEP_SUMMARY when set
	$(MAKE) --silent bench-e2e BENCH_ARGS="--duration 90 --markdown" | tee -a "$${GITHUB_STEP_SUMMARY:-/dev/null}"
