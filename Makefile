# Two commands on a fresh machine: `make serve` and `make test`. Both create .venv as needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
PYTEST_ARGS ?= -n 2

.PHONY: serve test lint format bench docs docker-check clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/lambda-emulator serve $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check lambda_emulator tests bench scripts
	$(BIN)/ruff format --check lambda_emulator tests bench scripts
	$(BIN)/mypy lambda_emulator

format: $(STAMP)
	$(BIN)/ruff format lambda_emulator tests bench scripts
	$(BIN)/ruff check --fix lambda_emulator tests bench scripts

test: lint
	@bash scripts/ensure-chromium.sh
	@bash scripts/check-tools.sh
	$(BIN)/pytest $(PYTEST_ARGS)

docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py
	@bash scripts/ensure-chromium.sh
	LAMBDA_EMULATOR_SCREENSHOTS=1 $(BIN)/pytest tests/e2e/test_dashboard_browser.py -n 0 -q

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Builds the image with podman, smoke-tests it with curl, then runs the Testcontainers module
# against it through podman's Docker-compatible socket.
docker-check: $(STAMP)
	IMAGE=localhost/lambda-emulator:check \
	SMOKE='bash scripts/smoke.sh && bash scripts/testcontainers-check.sh' \
	bash ../shared/tools/container-check.sh .

clean:
	rm -rf $(VENV) dist build *.egg-info .cache
