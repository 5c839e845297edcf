# mydocker_hub: `make up` runs the platform, `make test` runs the tests.
# Both install what is missing (Python venv, Docker Engine, Swarm, images).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: up down status logs token test unit integration lint format docs bench clean

$(BIN)/mydocker-hub: pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || (apt-get update && apt-get install -y python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,docs]'
	@touch $@

up: $(BIN)/mydocker-hub
	$(BIN)/mydocker-hub up

down: $(BIN)/mydocker-hub
	$(BIN)/mydocker-hub down

status: $(BIN)/mydocker-hub
	$(BIN)/mydocker-hub status

logs: $(BIN)/mydocker-hub
	$(BIN)/mydocker-hub logs

token: $(BIN)/mydocker-hub
	$(BIN)/mydocker-hub token

# `make test` runs the unit tests too, first in the side lane of `integration`.
test: SIDE_UNIT = tests/unit
test: integration

unit: $(BIN)/mydocker-hub
	$(BIN)/python -m pytest tests/unit -q

# The platform's tests mostly wait on the Swarm: two pytest-xdist workers run
# them a file at a time, each on a platform of its own (its prefix, port and
# subnet: see tests/integration/deployment.py). The tests that need no
# platform run beside them, one folder after the other (each has its own
# `conftest`): the unit tests under `make test`, then the login and portal
# pages' tests, which run a hub of their own (marked `hub_only` by
# tests/integration/conftest.py).
integration: $(BIN)/mydocker-hub
	@mkdir -p test-artifacts
	@{ unit=0; $(if $(SIDE_UNIT),$(BIN)/python -m pytest -q -p no:cacheprovider $(SIDE_UNIT); unit=$$?;) \
	   $(BIN)/python -m pytest -q -p no:cacheprovider -m hub_only tests/integration/auth; \
	   auth=$$?; \
	   $(BIN)/python -m pytest -q -p no:cacheprovider -m hub_only tests/integration/portal; \
	   pages=$$?; \
	   exit $$(( unit || auth || pages )); } > test-artifacts/side-tests.log 2>&1 & side=$$!; \
	$(BIN)/python -m pytest -q --durations=10 -n 2 --dist loadfile -m "not hub_only" \
	   tests/integration; platform=$$?; \
	wait $$side; beside=$$?; \
	echo "--- the tests run beside the platform's (test-artifacts/side-tests.log)"; \
	cat test-artifacts/side-tests.log; \
	exit $$(( platform || beside ))

lint: $(BIN)/mydocker-hub
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(BIN)/mydocker-hub
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(BIN)/mydocker-hub
	$(BIN)/sphinx-build -q -b html docs docs/_build/html

bench: $(BIN)/mydocker-hub
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.portal
	$(BIN)/python -m benchmarks.builds
	$(BIN)/python -m benchmarks.launches

clean:
	rm -rf $(VENV) docs/_build .pytest_cache
