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

integration: $(BIN)/mydocker-hub
	$(BIN)/python -m pytest tests/integration -q

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
