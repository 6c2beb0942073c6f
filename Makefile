# Two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install bench clean demo-data lock

# Create the virtual environment if missing and install the pinned dependencies.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the planner app on the bundled demo data at http://localhost:8501
run: $(STAMP)
	$(BIN)/streamlit run app.py --server.address=localhost --server.port=8501 --server.headless=true --browser.gatherUsageStats=false

## Set up, then run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

## Heavy measurements (see README, "Benchmarks").
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

## Regenerate the demo data (seeded, reproducible).
demo-data: $(STAMP)
	$(BIN)/wfm demo-data --out data

## Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet --upgrade pip
	.lockenv/bin/python -m pip install --quiet -e '.[dev,bench]'
	.lockenv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf .lockenv

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
