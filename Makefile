# Two commands: `make demo` runs docbot on the embedded example, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check bot analyzers tests bench examples

bench: $(STAMP)
	$(PY) bench/bulk.py
	$(PY) bench/incremental.py

clean:
	rm -rf $(VENV) build *.egg-info .docbot
