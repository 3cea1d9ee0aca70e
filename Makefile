# towngrid: `make run` runs the whole system locally, `make test` runs the test suite.
# Every target bootstraps first (scripts/bootstrap.sh: uv, Python 3.11, Java, Maven, Go, uv sync).
# scripts/uv is the uv on PATH, else the one bootstrap installed into ~/.cache/towngrid/tools.

SHELL := /bin/bash
UV := scripts/uv
UV_RUN := $(UV) run --frozen
PYTEST_ARGS ?=
RATE ?= 5
SECONDS ?= 60

.PHONY: help bootstrap setup run scenario test reliability stop reset snapshots asyncapi token loadtest bench

help:
	@echo "make run        start Kafka, FerretDB, the four services and the board (profile dev); Ctrl-C stops all"
	@echo "make run SCENARIO=chengguan   the same, and plays the Chengguan scenario into it once the services are ready"
	@echo "make scenario   play the Chengguan scenario against a running 'make run' (SEED=2020 SCALE=1; resumable)"
	@echo "make test       run the test suite, then the fault scenarios (each starts its own stack); PYTEST_ARGS=..."
	@echo "make reliability  run the fault scenarios (tests/reliability, own stack) and print their report table"
	@echo "make setup      bootstrap, download/build Kafka, FerretDB and ECharts into the cache, install Chromium (browser test)"
	@echo "make stop       stop the dev profile's stack (and a running 'make run')"
	@echo "make reset      delete the dev profile's data"
	@echo "make snapshots  regenerate the contract snapshots"
	@echo "make asyncapi   regenerate each service's AsyncAPI document (services/*/asyncapi.json)"
	@echo "make loadtest   drive the delivery flow with Locust against a running system: RATE=5 SECONDS=60"
	@echo "make bench      every performance figure on its own stack (~15 min; QUICK=1 ~3 min; BENCH_ARGS=...)"
	@echo "make token      print a token for the dev profile's services: an admin's, or ROLE=... SCOPE=... [DEPARTMENT=... ORG=...]"

bootstrap:
	@bash scripts/bootstrap.sh

setup: bootstrap
	$(UV_RUN) towngrid-stack setup
	@bash scripts/chromium.sh

# SCENARIO=chengguan: the scenario plays in the background once every service answers /readyz
# (its output in .towngrid/dev/logs/scenario.log); the stack keeps running afterwards.
SCENARIO ?=
SEED ?= 2020
SCALE ?= 1
run: bootstrap
ifeq ($(SCENARIO),)
	$(UV_RUN) towngrid-stack run
else ifeq ($(SCENARIO),chengguan)
	@mkdir -p .towngrid/dev/logs
	@( $(UV_RUN) towngrid-scenario --wait-s 1800 --seed $(SEED) --scale $(SCALE) > .towngrid/dev/logs/scenario.log 2>&1; \
	   echo "[scenario] finished (exit $$?): see .towngrid/dev/logs/scenario.log" ) &
	$(UV_RUN) towngrid-stack run
else
	$(error unknown SCENARIO '$(SCENARIO)': the only one is chengguan)
endif

# The Chengguan scenario against a running `make run` (dev profile); run it again to resume.
scenario: bootstrap
	$(UV_RUN) towngrid-scenario --seed $(SEED) --scale $(SCALE)

# make exits with status 2 whenever pytest fails (it cannot pass pytest's own code on).
# Two runs, each with its own local stack: the suite, then the fault scenarios (tests/reliability,
# 1,000 commands each; they stop Kafka and FerretDB, so never next to the suite's stack). Both run
# even if the first fails, and the target fails if either did. FAULTS=0 leaves the second out
# (e.g. with PYTEST_ARGS naming one test file).
FAULTS ?= 1
test: setup
	@$(UV_RUN) pytest -m "not reliability" $(PYTEST_ARGS); suite=$$?; faults=0; \
	if [ "$(FAULTS)" != 0 ]; then \
	  TOWNGRID_RELIABILITY_COMMANDS=$${TOWNGRID_RELIABILITY_COMMANDS:-1000} $(UV_RUN) pytest -m reliability tests/reliability; faults=$$?; \
	fi; exit $$(( suite || faults ))

# The fault scenarios alone; the table is printed at the end and kept in
# .towngrid/reliability-report.json.
reliability: setup
	TOWNGRID_RELIABILITY_COMMANDS=$${TOWNGRID_RELIABILITY_COMMANDS:-1000} $(UV_RUN) pytest -m reliability tests/reliability $(PYTEST_ARGS)

stop: bootstrap
	$(UV_RUN) towngrid-stack stop --profile dev

reset: bootstrap
	$(UV_RUN) towngrid-stack reset --profile dev

snapshots: bootstrap
	$(UV_RUN) python -m towngrid_contracts.snapshot

asyncapi: bootstrap
	$(UV_RUN) towngrid-asyncapi .

token: bootstrap
	@$(UV_RUN) towngrid-stack token --profile dev --role $(or $(ROLE),town_admin) --scope $(or $(SCOPE),town) \
	  $(if $(SUBJECT),--subject $(SUBJECT)) $(if $(DEPARTMENT),--department $(DEPARTMENT)) $(if $(ORG),--org $(ORG))

# Locust runs as its own process (it patches sockets with gevent), never inside pytest or a service.
loadtest: bootstrap
	$(UV) run --frozen --with 'locust>=2.40' --with matplotlib python loadtest/run.py --rate $(RATE) --seconds $(SECONDS)

# The bench starts its own stack (profile bench: Kafka 39092, FerretDB 27039, services 38001-38004),
# prints every figure against its target and writes bench/results/latest.json and latest.png.
QUICK ?= 0
BENCH_ARGS ?=
bench: setup
	$(UV) run --frozen --with matplotlib python bench/run.py $(if $(filter 1,$(QUICK)),--quick) $(BENCH_ARGS)
