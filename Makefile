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

test: unit integration

unit: $(BIN)/mydocker-hub
	$(BIN)/python -m pytest tests/unit -q

# The tests of the login and portal pages that need their own hub and no
# platform (marked `hub_only` by tests/integration/conftest.py) run beside the
# platform's tests, which mostly wait on the Swarm. Their two folders run one
# after the other: each has its own `conftest`.
integration: $(BIN)/mydocker-hub
	@mkdir -p test-artifacts
	@{ $(BIN)/python -m pytest -q -p no:cacheprovider -m hub_only tests/integration/auth; \
	   auth=$$?; \
	   $(BIN)/python -m pytest -q -p no:cacheprovider -m hub_only tests/integration/portal; \
	   pages=$$?; \
	   exit $$(( auth || pages )); } > test-artifacts/hub-tests.log 2>&1 & hub_tests=$$!; \
	$(BIN)/python -m pytest -q -m "not hub_only" tests/integration; platform=$$?; \
	wait $$hub_tests; hub=$$?; \
	echo "--- the login and portal pages' tests (test-artifacts/hub-tests.log)"; \
	cat test-artifacts/hub-tests.log; \
	exit $$(( platform || hub ))

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
